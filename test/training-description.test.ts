import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunInfo } from '@sig/shared';
import { describeFolder, describeTraining } from '../apps/trainer/src/export/training-description.ts';

let dir: string;
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGP4DwABAQEAG7buVgAAAABJRU5ErkJggg==', 'base64');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sig-describe-'));
  for (const [folder, ids] of [['synth', ['1', '2']], ['sheets', ['101', '102', '103']], ['plain', ['a']]] as const) {
    for (const id of ids) {
      await mkdir(join(dir, folder, id), { recursive: true });
      await writeFile(join(dir, folder, id, '1.png'), PNG);
    }
  }
  await writeFile(join(dir, 'synth', 'synth.json'), JSON.stringify({ generator: 'sig synth', version: 1, seed: 4, writers: 2, perWriter: 1, styles: [] }));
  await writeFile(join(dir, 'sheets', 'ingest-report.json'), '{}');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const run = (kind: RunInfo['kind'], dataset: Record<string, unknown>): RunInfo =>
  ({ kind, name: kind, createdAt: '', labels: [], preprocess: {}, config: {}, dataset: { classes: 2, samples: 2, ...dataset }, seed: 1, backend: 'cpu', metrics: {} }) as unknown as RunInfo;

describe('training description in the manifest', () => {
  it('says what each kind of dataset folder is, from its own record', async () => {
    expect(await describeFolder(join(dir, 'synth'))).toEqual({ text: 'synthetic signatures of 2 writers × 1 (sig synth --seed 4), not real people', synthetic: true });
    expect((await describeFolder(join(dir, 'sheets'))).text).toBe('signatures cut from photographed registration sheets (sig ingest): 3 IDs, 3 images');
    expect((await describeFolder(join(dir, 'plain'))).text).toBe("dataset folder 'plain': 1 IDs, 1 images");
  });

  it('a model trained on synthetic writers is a demo; a real/fake run names both classes', async () => {
    expect(await describeTraining(run('classifier', { path: join(dir, 'sheets') }))).toMatchObject({ demo: false });
    expect(await describeTraining(run('classifier', { path: join(dir, 'synth') }))).toMatchObject({ demo: true });
    const rf = await describeTraining(run('realfake', { path: join(dir, 'synth'), paths: [join(dir, 'synth'), join(dir, 'sheets')], generator: '/x/models', trainSeeds: 100000, capture: 1 }));
    expect(rf.demo).toBe(true);
    expect(rf.description).toMatch(/^genuine: synthetic .*; signatures cut from .*, each also as 1 photographed\/scanned copy .*; generated: samples of the exported generator in models\/ \(seeds from 100000\)$/);
  });
});
