// The adversarial step on worker threads (train/adversarial-parallel.ts): with one, two or three workers it is the
// one-thread step to float precision (same draws, same gradients, same Adam updates, same BatchNorm statistics and
// EMA); configurations that need the whole batch are refused with a readable error.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CganConfig, Rng, UserError } from '@sig/shared';
import { selectBackend } from '../apps/trainer/src/backend/select.ts';
import { synthesizeDataset } from '../apps/trainer/src/data/index.ts';
import { adversarialStep, createGan, type GanData, type StepStats } from '../apps/trainer/src/train/adversarial.ts';
import { ParallelAdversarial, parallelSupport } from '../apps/trainer/src/train/adversarial-parallel.ts';
import { trainCganRun } from '../apps/trainer/src/train/cgan-run.ts';

const cfg = CganConfig.parse({ numClasses: 3, latentDim: 8, imageSize: 16, seedSize: 8, genFilters: 8, discFilters: 4, discLayers: 2, auxWeight: 1, emaDecay: 0.9 });
const data: GanData = (() => {
  const rng = new Rng(5);
  const n = 12;
  return { x: Float32Array.from({ length: n * 16 * 16 }, () => (rng.next() < 0.2 ? 1 : -1)), labels: Int32Array.from({ length: n }, (_, i) => i % 3), n, size: 16 };
})();
const flat = (m: { getWeights(): tf.Tensor[] }) => m.getWeights().flatMap((w) => Array.from(w.dataSync()));
const maxDiff = (a: number[], b: number[]) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

let dir: string;
beforeAll(async () => {
  await selectBackend('wasm', { log: () => {} });
  dir = await mkdtemp(join(tmpdir(), 'sig-cgan-parallel-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `steps` steps of a GAN of `config` (seed 7) on this thread (a) and, from the same start, on `workers` workers (b). */
async function sideBySide(config: CganConfig, steps: number, workers: number) {
  const a = createGan(config, 7);
  const b = createGan(config, 7);
  const engine = await ParallelAdversarial.create(b, workers);
  const sa: StepStats[] = [], sb: StepStats[] = [];
  try {
    expect(engine.workers).toBe(workers);
    for (let i = 0; i < steps; i++) {
      sa.push(await adversarialStep(a, data, 8));
      sb.push(await engine.step(b, data, 8));
    }
  } finally {
    await engine.close();
  }
  return { a, b, sa, sb };
}

describe('ParallelAdversarial', () => {
  // G's BatchNorm layers are synchronised across the workers (train/sync-batch-norm.ts), so every worker count
  // computes the one-thread step: the same draws, gradients, Adam updates, BatchNorm statistics and EMA. Three
  // workers on a batch of 8 have unequal shares (3, 3, 2), which the group sums must weigh.
  for (const workers of [1, 2, 3]) {
    it(`${workers} worker${workers > 1 ? 's' : ''}: the one-thread step to float precision, weights, statistics and EMA included`, async () => {
      const { a, b, sa, sb } = await sideBySide(cfg, 3, workers);
      expect(b.step).toBe(3);
      sa.forEach((s, i) => {
        expect(sb[i].dLoss).toBeCloseTo(s.dLoss, 4);
        expect(sb[i].gLoss).toBeCloseTo(s.gLoss, 4);
        expect(sb[i].dReal).toBeCloseTo(s.dReal, 5);
      });
      expect(maxDiff(flat(b.discriminator), flat(a.discriminator))).toBeLessThan(1e-4);
      expect(maxDiff(flat(b.generator), flat(a.generator))).toBeLessThan(1e-4);
      expect(maxDiff(flat(b.generatorEma!), flat(a.generatorEma!))).toBeLessThan(1e-4);
      // and the steps did move the weights
      expect(maxDiff(flat(b.generator), flat(createGan(cfg, 7).generator))).toBeGreaterThan(1e-3);
    }, 120_000);
  }

  it('with --ada on --real-augment: the workers report D\'s sign on the real images, and p moves as on one thread', async () => {
    const ada = CganConfig.parse({ ...cfg, ada: 0.1, adaImages: 16, realAugment: 1, learningRate: 0.01 });
    const { a, b, sa, sb } = await sideBySide(ada, 8, 2);
    sa.forEach((s, i) => {
      expect(sb[i].realSign).toBeCloseTo(s.realSign!, 5);
      expect(sb[i].augmentP).toBeCloseTo(s.augmentP!, 10);
    });
    expect(b.ada!.p).toBeCloseTo(a.ada!.p, 10);
    expect(sa.some((s) => s.augmentP! > 0)).toBe(true);
  }, 120_000);

  it('with --transition-start/--transition-end: the workers take λ from the step, as the one-thread step does', async () => {
    const tc = CganConfig.parse({ ...cfg, transitionStart: 1, transitionEnd: 3 });
    const { a, b, sa, sb } = await sideBySide(tc, 4, 2);
    sa.forEach((s, i) => {
      expect(sb[i].dLoss).toBeCloseTo(s.dLoss, 4);
      expect(sb[i].gLoss).toBeCloseTo(s.gLoss, 4);
    });
    expect(maxDiff(flat(b.generator), flat(a.generator))).toBeLessThan(1e-4);
    // and λ mattered: the plain recipe's steps are other steps
    const plain = createGan(cfg, 7);
    for (let i = 0; i < 4; i++) await adversarialStep(plain, data, 8);
    expect(maxDiff(flat(plain.generator), flat(a.generator))).toBeGreaterThan(1e-4);
  }, 120_000);

  it('a batch smaller than the worker count is a readable error, not a hang', async () => {
    const b = createGan(cfg, 9);
    const engine = await ParallelAdversarial.create(b, 3);
    try {
      await expect(engine.step(b, data, 2)).rejects.toThrow(/batch of 2 cannot be shared by 3 workers/);
    } finally {
      await engine.close();
    }
  }, 120_000);

  it('refuses DiffAugment, the mode-seeking term and spectral normalisation, in a clear error before training', async () => {
    expect(parallelSupport(cfg)).toBeNull();
    expect(parallelSupport(CganConfig.parse({ ...cfg, diffAugment: ['translation'] }))).toMatch(/DiffAugment/);
    expect(parallelSupport(CganConfig.parse({ ...cfg, modeSeeking: 1 }))).toMatch(/mode-seeking/);
    expect(parallelSupport(CganConfig.parse({ ...cfg, spectralNorm: true }))).toMatch(/spectral/);
    const ds = join(dir, 'ds');
    await synthesizeDataset({ writers: 2, perWriter: 3, seed: 1, out: ds });
    const run = trainCganRun({ data: ds, out: join(dir, 'run'), backend: 'wasm', model: { modeSeeking: 1 }, train: { steps: 1, workers: 2 } });
    await expect(run).rejects.toThrow(UserError);
    await expect(run).rejects.toThrow(/--workers 2: the mode-seeking term/);
  }, 120_000);
});
