// One reader of run.json for every command that takes a run folder: a missing, malformed or foreign run.json is
// one readable line naming the file, never a parser's message or "internal error".
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunInfo, readRunJsonToResume } from '../apps/trainer/src/train/run-json.ts';
import { expectOneLineError, sig } from './helpers/sig-cli.ts';

let root: string;
const folder = async (name: string, runJson?: string) => {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  if (runJson !== undefined) await writeFile(join(dir, 'run.json'), runJson);
  return dir;
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sig-run-json-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('readRunInfo', () => {
  it('names what is wrong: no run.json, not JSON, a wrong field, another kind', async () => {
    await expect(readRunInfo(await folder('empty'))).rejects.toThrow(/empty is not a run folder \(no run.json\)/);
    await expect(readRunInfo(await folder('truncated', '{"kind": "cgan",'))).rejects.toThrow(/truncated[/\\]run.json is not valid JSON/);
    await expect(readRunInfo(await folder('array', '[1, 2]'))).rejects.toThrow(/array[/\\]run.json: \(top level\): /);
    await expect(readRunInfo(await folder('bad-kind', '{"kind": "poem"}'))).rejects.toThrow(/bad-kind[/\\]run.json: kind: /);
    await expect(readRunJsonToResume(join(root, 'truncated'))).rejects.toThrow(/^--resume: .*truncated has no readable run.json \(.*not valid JSON/);
  });

  it('reads a run that the schema accepts, and refuses it as a run of another kind', async () => {
    const { PreprocessConfig } = await import('@sig/shared');
    const run = {
      kind: 'classifier', name: 'c', createdAt: new Date(0).toISOString(), labels: ['1', '2'], preprocess: PreprocessConfig.parse({ height: 64, width: 64 }),
      config: {}, dataset: { path: 'data', classes: 2, samples: 8 }, seed: 1, backend: 'cpu',
    };
    const dir = await folder('classifier', JSON.stringify(run));
    const parsed = await readRunInfo(dir, 'classifier');
    expect(parsed.labels).toEqual(['1', '2']);
    expect(parsed.metrics).toEqual({});
    await expect(readRunInfo(dir, 'cgan')).rejects.toThrow(/classifier is a 'classifier' run, not a cgan run/);
    await expect(readRunInfo(dir, 'embedding')).rejects.toThrow(/classifier is a 'classifier' run, not an embedding run/);
  });
});

describe('commands that take a run folder, given a malformed run.json', () => {
  it('each answers one line naming the file, a non-zero exit, no stack', async () => {
    const bad = await folder('malformed', '{"kind": "cgan", "name": ');
    const cases: string[][] = [
      ['export', '--run', bad, '--out', join(root, 'models-out')],
      ['eval', 'cgan', '--run', bad, '--classifier', bad, '--data', root, '--out', join(root, 'eval-out')],
      ['eval', 'verification', '--model', bad, '--data', root, '--out', join(root, 'verif-out')],
      ['calibrate', '--model', bad, '--data', root],
      ['train', 'realfake', '--real', root, '--generator', bad, '--out', join(root, 'rf-out')],
      ['eval', 'classifier', '--data', root, '--run', bad, '--out', join(root, 'cls-out')],
    ];
    for (const args of cases) {
      const r = await sig(args);
      expectOneLineError(r, /malformed[/\\]run.json is not valid JSON/);
      expect(r.stderr).not.toMatch(/internal error/);
    }
  }, 120_000);
});
