import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../apps/trainer/src/backend/select.ts';
import { augment } from '../apps/trainer/src/data/index.ts';
import { subset } from '../apps/trainer/src/train/image-set.ts';
import { trainSupervised, type SupervisedOptions } from '../apps/trainer/src/train/supervised.ts';
import { toyWriters } from './classifier-fixtures.ts';

let dir: string;
beforeAll(async () => {
  await selectBackend('wasm', { log: () => {} });
  dir = await mkdtemp(join(tmpdir(), 'sig-classifier-resume-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const all = toyWriters(4, 8, 32, 64, 3);
const idx = (pred: (s: number) => boolean) => Array.from({ length: all.n }, (_, i) => i).filter((i) => pred(i % 8));
const base = (outDir: string): SupervisedOptions => ({
  model: { classes: 4, inputHeight: 32, inputWidth: 64, widthMultiplier: 0.0625, dropout: 0.3 },
  train: { seed: 11, epochs: 4, batchSize: 8, evalEvery: 4, patience: 0 },
  trainSet: subset(all, idx((s) => s < 6)),
  valSet: subset(all, idx((s) => s >= 6)),
  augment: (img, rng) => augment(img, rng),
  outDir,
  quiet: true,
});

function weights(m: tfl.LayersModel): Float32Array[] {
  return m.getWeights().map((w) => w.dataSync() as Float32Array);
}

function maxAbsDiff(a: Float32Array[], b: Float32Array[]): number {
  let d = 0;
  a.forEach((x, i) => x.forEach((v, j) => (d = Math.max(d, Math.abs(v - b[i][j])))));
  return d;
}

describe('classifier training: determinism and resume', { timeout: 120_000 }, () => {
  it('the same seed gives identical weights; resuming from a checkpoint continues the same run', async () => {
    const a = await trainSupervised(base(join(dir, 'a')));
    const a2 = await trainSupervised(base(join(dir, 'a2')));
    expect(a.steps).toBe(12);
    expect(maxAbsDiff(weights(a.model), weights(a2.model))).toBe(0);

    const interrupted = await trainSupervised({ ...base(join(dir, 'b')), interruptAt: 6 });
    expect(interrupted.steps).toBe(6);
    const resumed = await trainSupervised({ ...base(join(dir, 'b')), resume: true });
    expect(resumed.startStep).toBe(6);
    expect(resumed.steps).toBe(12);
    expect(resumed.history.map((h) => h.step)).toEqual(a.history.map((h) => h.step));
    // Equal up to float rounding: Adam's restored bias correction is pow(β, t) instead of a running product.
    expect(maxAbsDiff(weights(a.model), weights(resumed.model))).toBeLessThan(1e-4);
    expect(resumed.history.at(-1)!.trainLoss).toBeCloseTo(a.history.at(-1)!.trainLoss, 4);

    // A different seed gives a different model (the comparison above can fail).
    const c = await trainSupervised({ ...base(join(dir, 'c')), train: { ...base('').train, seed: 12 } });
    expect(maxAbsDiff(weights(a.model), weights(c.model))).toBeGreaterThan(1e-3);
  });

  it('on two data-parallel workers the same seed also gives identical weights (dropout seeded per step)', async () => {
    const dp = (out: string) => ({ ...base(join(dir, out)), engine: 'data-parallel' as const, workers: 2 });
    const a = await trainSupervised(dp('dp-a'));
    const b = await trainSupervised(dp('dp-b'));
    expect(a.steps).toBe(12);
    expect(maxAbsDiff(weights(a.model), weights(b.model))).toBe(0);
    // Not trivially equal: another seed changes them.
    const c = await trainSupervised({ ...dp('dp-c'), train: { ...base('').train, seed: 12 } });
    expect(maxAbsDiff(weights(a.model), weights(c.model))).toBeGreaterThan(1e-3);
  });
});
