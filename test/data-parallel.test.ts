import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { Rng } from '@sig/shared';
import { selectBackend } from '../apps/trainer/src/backend/select.ts';
import { DataParallel } from '../apps/trainer/src/train/data-parallel.ts';
import { computeLoss } from '../apps/trainer/src/train/data-parallel-loss.ts';
import { buildTinyNet } from './fixtures/data-parallel-models.ts';

const CLASSES = 5;
const recipe = (bn: boolean) => ({
  module: new URL('./fixtures/data-parallel-models.ts', import.meta.url).href,
  export: 'buildTinyNet',
  args: [CLASSES, bn],
});

function batch(rng: Rng, n: number) {
  const x = new Float32Array(n * 12 * 16);
  for (let i = 0; i < x.length; i++) x[i] = rng.next() * 2 - 1;
  const y = new Float32Array(n * CLASSES);
  for (let i = 0; i < n; i++) y[i * CLASSES + Math.floor(rng.next() * CLASSES)] = 1;
  return { x, xShape: [n, 12, 16, 1], y, yShape: [n, CLASSES] };
}

/** Reference step on the main thread: mean of per-shard gradients (shards as the engine splits them). */
function referenceStep(model: tfl.LayersModel, opt: tf.Optimizer, b: ReturnType<typeof batch>, shards: number[]) {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const n = b.xShape[0];
  const sum: tf.NamedTensorMap = {};
  const states: Float32Array[][] = [];
  const before = model.weights.filter((w) => !w.trainable).map((w) => w.read().dataSync().slice());
  let start = 0;
  for (const m of shards) {
    // Each shard starts from the same moving statistics, as each worker does.
    model.weights.filter((w) => !w.trainable).forEach((w, i) => w.write(tf.tensor(before[i], w.shape as number[])));
    tf.tidy(() => {
      const x = tf.tensor(b.x.slice(start * 192, (start + m) * 192), [m, 12, 16, 1]);
      const y = tf.tensor(b.y.slice(start * CLASSES, (start + m) * CLASSES), [m, CLASSES]);
      const { grads } = tf.variableGrads(() => computeLoss('categoricalCrossentropy', y, model.apply(x, { training: true }) as tf.Tensor), vars);
      for (const v of vars) {
        const g = tf.mul(grads[v.name], m / n);
        const prev = sum[v.name];
        sum[v.name] = tf.keep(prev ? tf.add(prev, g) : g);
        prev?.dispose();
      }
    });
    states.push(model.weights.filter((w) => !w.trainable).map((w) => w.read().dataSync().slice() as Float32Array));
    start += m;
  }
  model.weights.filter((w) => !w.trainable).forEach((w, i) => {
    const avg = new Float32Array(before[i].length);
    states.forEach((s, k) => s[i].forEach((v, j) => (avg[j] += (shards[k] / n) * v)));
    w.write(tf.tensor(avg, w.shape as number[]));
  });
  opt.applyGradients(sum);
  tf.dispose(Object.values(sum));
}

function maxRelDiff(a: tfl.LayersModel, b: tfl.LayersModel): number {
  let worst = 0;
  a.weights.forEach((w, i) => {
    const u = w.read().dataSync();
    const v = b.weights[i].read().dataSync();
    let num = 0;
    let den = 1e-6;
    for (let j = 0; j < u.length; j++) {
      num = Math.max(num, Math.abs(u[j] - v[j]));
      den = Math.max(den, Math.abs(v[j]));
    }
    worst = Math.max(worst, num / den);
  });
  return worst;
}

describe('data-parallel training step', () => {
  beforeAll(async () => {
    await selectBackend('wasm', { log: () => {} });
  });

  for (const bn of [false, true]) {
    it(`matches a single-process step on the same batch (${bn ? 'with BatchNorm, per-shard statistics' : 'no BatchNorm'})`, async () => {
      const model = buildTinyNet(CLASSES, bn);
      const ref = buildTinyNet(CLASSES, bn);
      ref.setWeights(model.getWeights());
      const initial = buildTinyNet(CLASSES, bn);
      initial.setWeights(model.getWeights());
      const dp = await DataParallel.create({ model, optimizer: tf.train.sgd(0.5), build: recipe(bn), loss: 'categoricalCrossentropy', workers: 2 });
      const refOpt = tf.train.sgd(0.5);
      const rng = new Rng(7);
      try {
        const initialDiff = maxRelDiff(model, ref);
        for (let s = 0; s < 3; s++) {
          const b = batch(rng, 9); // odd on purpose: shards of 5 and 4
          const r = await dp.step(b);
          expect(Number.isFinite(r.loss)).toBe(true);
          // Without BatchNorm the per-shard mean equals the full-batch gradient, so use one shard there.
          referenceStep(ref, refOpt, b, bn ? [5, 4] : [9]);
        }
        expect(initialDiff).toBe(0);
        const moved = maxRelDiff(model, initial);
        expect(moved).toBeGreaterThan(1e-3); // the weights did change
        expect(maxRelDiff(model, ref)).toBeLessThan(1e-4);
      } finally {
        await dp.close();
      }
    });
  }

  it('is reproducible with dropout when steps are seeded', async () => {
    const run = async (seeded: boolean) => {
      const model = buildTinyNet(CLASSES, false, 0.5);
      const reference = buildTinyNet(CLASSES, false, 0.5);
      const dp = await DataParallel.create({
        model,
        optimizer: tf.train.sgd(0.5),
        build: { ...recipe(false), args: [CLASSES, false, 0.5] },
        loss: 'categoricalCrossentropy',
        workers: 2,
      });
      model.setWeights(reference.getWeights().map((w) => tf.fill(w.shape, 0.05)));
      const rng = new Rng(11);
      try {
        for (let s = 0; s < 2; s++) await dp.step({ ...batch(rng, 8), seed: seeded ? s : undefined });
      } finally {
        await dp.close();
      }
      return model;
    };
    const a = await run(true);
    const b = await run(true);
    const c = await run(false);
    expect(maxRelDiff(a, b)).toBe(0);
    expect(maxRelDiff(a, c)).toBeGreaterThan(1e-6); // dropout is active, so unseeded steps differ
  });

  it('rejects a builder that does not match the main model', async () => {
    const model = buildTinyNet(CLASSES, false);
    await expect(
      DataParallel.create({ model, optimizer: tf.train.sgd(0.1), build: recipe(true), loss: 'categoricalCrossentropy', workers: 1 }),
    ).rejects.toThrow(/does not match/);
  });
});
