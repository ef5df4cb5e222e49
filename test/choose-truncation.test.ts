// `sig export --choose-truncation`: the served truncation is measured, not guessed. The choice rule on hand-made
// measurements; the whole path on a copy of the committed generator and classifier with the truncation removed
// from its manifest; bad combinations refused before anything is written.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Manifest, type GeneratorEntry } from '@sig/shared';
import { describe, expect, it } from 'vitest';
import { chooseTruncation, CHOOSE_PER_ID, pickTruncation, TRUNCATION_CANDIDATES } from '../apps/trainer/src/export/choose-truncation.ts';
import type { TruncationAgreement } from '../apps/trainer/src/evaluate/served-agreement.ts';
import { expectOneLineError, sig } from './helpers/sig-cli.ts';

const run = (truncation: number | null, lowest: number, agreement: number, below: string[]): TruncationAgreement => ({
  requested: truncation ?? 'none',
  truncation,
  agreement,
  agreed: 0,
  samples: 0,
  lowest: { id: '1', share: lowest },
  below,
  perId: [],
});

describe('choosing the served truncation', () => {
  it('the first (least truncated) measurement with every ID at the target; else the highest lowest ID', () => {
    expect(pickTruncation([run(null, 0.8, 0.97, ['2']), run(2, 0.95, 0.99, []), run(1.5, 1, 1, [])]).truncation).toBe(2);
    expect(pickTruncation([run(null, 0.8, 0.97, ['2']), run(2, 0.9, 0.98, ['2']), run(1.5, 0.9, 0.99, ['4'])]).truncation).toBe(1.5);
    expect(pickTruncation([run(null, 1, 1, [])]).truncation).toBeNull();
  });

  it('on the committed generator with no truncation in its manifest: measures down from none and records the first that keeps every ID ≥ 95 %', async () => {
    const models = resolve(import.meta.dirname, '..', 'models');
    const dir = await mkdtemp(join(tmpdir(), 'choose-t-'));
    try {
      const manifest = Manifest.parse(JSON.parse(await readFile(join(models, 'manifest.json'), 'utf8')));
      const kept = manifest.models.filter((m) => m.name === 'classifier' || m.name === 'generator' || m.variantOf === 'generator');
      for (const m of kept) await cp(join(models, m.file), join(dir, m.file));
      const stripped = kept.map((m) => {
        const { truncation: _, ...rest } = m as GeneratorEntry;
        return rest;
      });
      await writeFile(join(dir, 'manifest.json'), JSON.stringify({ schemaVersion: 1, models: stripped }));

      const lines: string[] = [];
      const c = await chooseTruncation(dir, 'generator', (l) => lines.push(l));
      // Measured in order, stopping at the first that meets the target.
      expect(c.runs.map((r) => r.requested)).toEqual(TRUNCATION_CANDIDATES.slice(0, c.runs.length));
      for (const r of c.runs.slice(0, -1)) expect(r.below.length).toBeGreaterThan(0);
      for (const r of c.runs) for (const p of r.perId) expect(p.samples).toBe(CHOOSE_PER_ID);
      expect(c.met).toBe(true);
      expect(c.runs.at(-1)!.below).toEqual([]);
      expect(lines).toHaveLength(c.runs.length);
      const written = Manifest.parse(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')));
      for (const m of written.models.filter((x) => x.kind === 'generator')) expect((m as GeneratorEntry).truncation ?? null, m.name).toBe(c.truncation);
      expect(written.models.map((m) => m.name).sort()).toEqual(kept.map((m) => m.name).sort());

      // Without a classifier in the folder there is nothing to judge with.
      await writeFile(join(dir, 'manifest.json'), JSON.stringify({ schemaVersion: 1, models: stripped.filter((m) => m.name !== 'classifier') }));
      await expect(chooseTruncation(dir, 'generator')).rejects.toThrow(/needs a classifier/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 240_000);

  it('refuses --choose-truncation with --truncation, without a cgan run, and without a classifier to judge', async () => {
    expectOneLineError(await sig(['export', '--run', 'runs/x', '--choose-truncation', '--truncation', '1.25']), /give one of them/);
    expectOneLineError(await sig(['export', '--run', '/no/such/run', '--choose-truncation']), /run folder|no such file/);
  }, 60_000);
});
