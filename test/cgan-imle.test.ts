// The IMLE term (train/imle.ts): the latent vector chosen for each real image is the candidate whose sample is
// nearest on the coarse view, chosen on the backend exactly as a read-back would choose it; the pull brings that
// sample to its image; the step with the term trains, leaves the stream of the step without it unchanged, and refuses
// workers.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { CganConfig, Rng } from '@sig/shared';
import { adversarialStep, createGan, type GanData } from '../apps/trainer/src/train/adversarial.ts';
import { parallelSupport } from '../apps/trainer/src/train/adversarial-parallel.ts';
import { COARSE, imleLoss, nearestLatents } from '../apps/trainer/src/train/imle.ts';

await tf.setBackend('cpu');
const base = { numClasses: 3, latentDim: 4, imageSize: 16, seedSize: 8, genFilters: 8, discFilters: 4, discLayers: 2, auxWeight: 0, emaDecay: 0 };

function tinyData(): GanData {
  const rng = new Rng(5);
  const n = 9;
  const x = Float32Array.from({ length: n * 16 * 16 }, () => (rng.next() < 0.2 ? 1 : -1));
  return { x, labels: Int32Array.from({ length: n }, (_, i) => i % 3), n, size: 16 };
}

/** Mean of each COARSE × COARSE block of a 16 × 16 image (row-major). */
function coarseView(img: Float32Array | number[]): number[] {
  const out: number[] = [];
  for (let by = 0; by < 16 / COARSE; by++)
    for (let bx = 0; bx < 16 / COARSE; bx++) {
      let s = 0;
      for (let y = 0; y < COARSE; y++) for (let x = 0; x < COARSE; x++) s += img[(by * COARSE + y) * 16 + bx * COARSE + x];
      out.push(s / (COARSE * COARSE));
    }
  return out;
}

describe('IMLE term', () => {
  it("chooses, for each image, the candidate latent vector whose sample is nearest on the coarse view", () => {
    const cfg = CganConfig.parse({ ...base, imle: 1 });
    const s = createGan(cfg, 3);
    const data = tinyData();
    const n = 3, k = 5;
    const real = tf.tensor4d(data.x.slice(0, n * 256), [n, 16, 16, 1]);
    const label = tf.cast(tf.oneHot(tf.tensor1d([0, 1, 2], 'int32'), 3), 'float32') as tf.Tensor2D;
    const chosen = nearestLatents(s.generator, new Rng(11), real, label, k, cfg.latentDim).arraySync();

    // The same candidates drawn again from the same stream, scored here in JavaScript.
    const rng = new Rng(11);
    const z = Array.from({ length: n * k }, () => Array.from({ length: cfg.latentDim }, () => rng.normal()));
    const labels = Array.from({ length: n * k }, (_, r) => Math.floor(r / k));
    const drawn = s.generator.predict([tf.tensor2d(z), tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), 3), 'float32')]) as tf.Tensor;
    const images = tf.reshape(drawn, [n * k, 256]).arraySync() as number[][];
    let differs = 0;
    for (let i = 0; i < n; i++) {
      const target = coarseView(data.x.subarray(i * 256, (i + 1) * 256));
      const d = Array.from({ length: k }, (_, c) => coarseView(images[i * k + c]).reduce((a, v, j) => a + (v - target[j]) ** 2, 0));
      const best = d.indexOf(Math.min(...d));
      if (best !== 0) differs++;
      chosen[i].forEach((v, j) => expect(v).toBeCloseTo(z[i * k + best][j], 5));
    }
    // the choice is not simply the first candidate (the check above would pass for it)
    expect(differs).toBeGreaterThan(0);
  });

  it('pulls the chosen samples to their images: a few G updates with the term alone lower it', () => {
    const cfg = CganConfig.parse({ ...base, imle: 1 });
    const s = createGan(cfg, 3);
    const data = tinyData();
    const real = tf.tensor4d(data.x.slice(0, 3 * 256), [3, 16, 16, 1]);
    const label = tf.cast(tf.oneHot(tf.tensor1d([0, 1, 2], 'int32'), 3), 'float32') as tf.Tensor2D;
    const z = nearestLatents(s.generator, new Rng(2), real, label, 4, cfg.latentDim);
    const vars = s.generator.trainableWeights.map((w) => w.read() as tf.Variable);
    const before = imleLoss(s.generator, z, label, real).dataSync()[0];
    for (let i = 0; i < 20; i++) s.optG.minimize(() => imleLoss(s.generator, z, label, real), false, vars);
    expect(imleLoss(s.generator, z, label, real).dataSync()[0]).toBeLessThan(before * 0.9);
  });

  it('a step with the term trains with finite losses; without it, the step is the one before the option existed', async () => {
    const data = tinyData();
    const step = async (extra: object) => {
      const s = createGan(CganConfig.parse({ ...base, ...extra }), 4);
      const stats = await adversarialStep(s, data, 6);
      return { stats, weights: s.generator.getWeights().map((w) => Array.from(w.dataSync())) };
    };
    const plain = await step({});
    const off = await step({ imle: 0, imleSamples: 7, imleImages: 2 });
    expect(off).toEqual(plain);
    const on = await step({ imle: 10, imleSamples: 3, imleImages: 4 });
    expect(Number.isFinite(on.stats.gLoss)).toBe(true);
    // the term adds to G's loss (D's update, before it, is the same)
    expect(on.stats.dLoss).toBeCloseTo(plain.stats.dLoss, 6);
    expect(on.stats.gLoss).toBeGreaterThan(plain.stats.gLoss);
  });

  it('stays on one thread: the worker engine refuses it with a reason', () => {
    expect(parallelSupport(CganConfig.parse({ ...base, imle: 1 }))).toMatch(/IMLE/);
    expect(parallelSupport(CganConfig.parse({ ...base, imle: 0 }))).toBeNull();
  });
});
