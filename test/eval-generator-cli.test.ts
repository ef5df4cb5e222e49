// `sig eval generator`: the served generator's per-ID agreement as a CLI command (issue 21's "for every ID" figure),
// on the committed models; the truncation list it reads; bad input as one readable line.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTruncations } from '../apps/trainer/src/commands/eval-generator.ts';
import { expectOneLineError, sig } from './helpers/sig-cli.ts';

describe('sig eval generator', () => {
  it("reads 'served', 'none' and numbers; refuses values outside 0.25–10 and other words", () => {
    expect(parseTruncations('served, none,1.25')).toEqual([undefined, 'none', 1.25]);
    for (const bad of ['0.1', '11', 'half', '', '1,,2']) expect(() => parseTruncations(bad), bad).toThrow(/--truncation/);
  });

  it('measures the committed generator per ID, as served and untruncated, and names the least truncated setting meeting the target', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eval-gen-'));
    try {
      const out = join(dir, 'r.json');
      const r = await sig(['eval', 'generator', '--ids', '3,7', '--per-id', '6', '--seed', '42', '--truncation', 'served,none', '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      const result = JSON.parse(await readFile(out, 'utf8')) as {
        runs: { requested: string | number; truncation: number | null; agreed: number; samples: number; below: string[]; perId: { id: string; samples: number; agreed: number }[] }[];
        chosen?: number | null;
      };
      const manifest = JSON.parse(await readFile('models/manifest.json', 'utf8')) as { models: { name: string; truncation?: number }[] };
      const served = manifest.models.find((m) => m.name === 'generator')!.truncation ?? null;
      expect(result.runs.map((x) => [x.requested, x.truncation])).toEqual([['served', served], ['none', null]]);
      for (const run of result.runs) {
        expect(run.perId.map((p) => [p.id, p.samples])).toEqual([['3', 6], ['7', 6]]);
        expect(run.agreed).toBe(run.perId.reduce((a, p) => a + p.agreed, 0));
        expect(run.below).toEqual(run.perId.filter((p) => p.agreed / p.samples < 0.95).map((p) => p.id));
      }
      // The committed generator as served keeps both IDs (test/generator-committed.test.ts holds the wider check).
      expect(result.runs[0]!.below).toEqual([]);
      const meeting = result.runs.filter((x) => x.below.length === 0).map((x) => x.truncation ?? Infinity);
      expect(result.chosen ?? Infinity).toBe(Math.max(...meeting));
      expect(r.stdout).toMatch(/least truncated setting with every ID ≥ 0.95: (none|[\d.]+)/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('bad input is one readable line and a non-zero exit', async () => {
    expectOneLineError(await sig(['eval', 'generator', '--ids', '99']), /no ID 99/);
    expectOneLineError(await sig(['eval', 'generator', '--truncation', '0.1']), /--truncation/);
    expectOneLineError(await sig(['eval', 'generator', '--models', '/no/such/models']), /no manifest\.json/);
  }, 60_000);
});
