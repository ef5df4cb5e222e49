// The CGAN's few-shot options (CganConfig: discCondition, auxWeight, loss, diffAugment, ada, emaDecay, modeSeeking, imle,
// twinAux, realAugment, transitionStart/End, spectralNorm; spectral normalisation's own checks are in cgan-spectral-norm.test.ts): each builds, trains a few
// steps with finite losses, resumes exactly, and does what it says.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { CganConfig, Rng } from '@sig/shared';
import { register as registerTrainCgan } from '../apps/trainer/src/commands/train-cgan.ts';
import { settingsFromCommand } from '../apps/trainer/src/cli-settings.ts';
import { subcommand } from './helpers/sig-cli.ts';
import { synthesizeDataset } from '../apps/trainer/src/data/index.ts';
import { buildDiscriminator } from '../apps/trainer/src/model/cgan.ts';
import { loadModel } from '../apps/trainer/src/model/io.ts';
import { trainCganRun } from '../apps/trainer/src/train/cgan-run.ts';
import { adversarialStep, augmentReal, createGan, discriminatorObjective, generatorObjective, latentBatch, loadCheckpoint, realBatch, samplingGenerator, saveCheckpoint, stepRng, trainAdversarial, type GanData } from '../apps/trainer/src/train/adversarial.ts';
import { ADA_INTERVAL, adaObserve, createAda, realSign } from '../apps/trainer/src/train/ada.ts';
import { cutoutMask, diffAugment, translate } from '../apps/trainer/src/train/diff-augment.ts';
import { classLoss, discriminatorLoss, generatorLoss, modeSeekingLoss } from '../apps/trainer/src/train/gan-losses.ts';
import { updateEma } from '../apps/trainer/src/train/generator-ema.ts';
import { imleLoss, imleTargets } from '../apps/trainer/src/train/imle.ts';
import { parallelSupport } from '../apps/trainer/src/train/adversarial-parallel.ts';
import { conditionScale } from '../apps/trainer/src/train/transition.ts';

await tf.setBackend('cpu');
// the reference design; each test switches on the options it checks
const base = { numClasses: 3, latentDim: 4, imageSize: 16, seedSize: 8, genFilters: 8, discFilters: 4, discLayers: 2, auxWeight: 0, emaDecay: 0 };

function tinyData(): GanData {
  const rng = new Rng(5);
  const n = 9;
  const x = Float32Array.from({ length: n * 16 * 16 }, () => (rng.next() < 0.2 ? 1 : -1));
  return { x, labels: Int32Array.from({ length: n }, (_, i) => i % 3), n, size: 16 };
}
const flat = (m: { getWeights(): tf.Tensor[] }) => m.getWeights().flatMap((w) => Array.from(w.dataSync()));

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('discriminator heads', () => {
  it('projection: no label plane, score = ψ(h) + ⟨embed(label), h⟩, and the label changes the score', () => {
    const d = buildDiscriminator({ ...base, discCondition: 'projection' });
    expect(d.layers.some((l) => l.name === 'd_concat')).toBe(false);
    expect(d.getLayer('d_label_embed').outputShape).toEqual([null, 4 * 2 * 4 * 4]);
    const img = tf.randomNormal([1, 16, 16, 1], 0, 1, 'float32', 3);
    const s0 = (d.predict([img, tf.tensor2d([[1, 0, 0]])]) as tf.Tensor).dataSync()[0];
    const s1 = (d.predict([img, tf.tensor2d([[0, 1, 0]])]) as tf.Tensor).dataSync()[0];
    expect(s0).not.toBeCloseTo(s1, 6);
  });
  it('auxiliary classifier: a second output of class logits; hinge: an unbounded score', () => {
    const d = buildDiscriminator({ ...base, auxWeight: 1, loss: 'hinge' });
    expect(d.outputs.map((o) => o.shape)).toEqual([[null, 1], [null, 3]]);
    expect(d.getLayer('d_out').getConfig().activation).toBe('linear');
    expect(buildDiscriminator(base).getLayer('d_out').getConfig().activation).toBe('sigmoid');
  });
});

describe('losses', () => {
  it('hinge: D pays max(0, 1 − s) on real and max(0, 1 + s) on fake; G pays −s', () => {
    const cfg = CganConfig.parse({ ...base, loss: 'hinge' });
    const d = discriminatorLoss(cfg, tf.tensor1d([2, 0]), tf.tensor1d([-3, 0.5])).dataSync()[0];
    expect(d).toBeCloseTo((0 + 1) / 2 + (0 + 1.5) / 2, 6);
    expect(generatorLoss(cfg, tf.tensor1d([1, 3])).dataSync()[0]).toBeCloseTo(-2, 6);
  });
  it('bce: the reference losses (real → 0.9 smoothing, non-saturating G)', () => {
    const cfg = CganConfig.parse(base);
    const d = discriminatorLoss(cfg, tf.tensor1d([0.5]), tf.tensor1d([0.5])).dataSync()[0];
    expect(d).toBeCloseTo(2 * Math.log(2), 5);
    expect(generatorLoss(cfg, tf.tensor1d([0.25])).dataSync()[0]).toBeCloseTo(Math.log(4), 5);
  });
});

describe('mode-seeking term', () => {
  it('1 / (mean|x₁ − x₂| / mean|z₁ − z₂| + 1e-5) over the two halves of the batch', () => {
    // pairs (row 0, row 2) and (row 1, row 3); row 4 (an odd batch's last) takes no part
    const gen = tf.tensor4d([0, 0, 1, 1, 0, 1, 1, 3, 9, 9], [5, 1, 2, 1]);
    const z = tf.tensor2d([0, 0, 1, 1, 2, 0, 1, 3, 7, 7], [5, 2]);
    const dImage = (0 + 1 + 0 + 2) / 4;
    const dLatent = (2 + 0 + 0 + 2) / 4;
    expect(modeSeekingLoss(gen, z, 2).dataSync()[0]).toBeCloseTo(1 / (dImage / dLatent + 1e-5), 5);
    // identical images for different latent vectors: the term is 1e5, the mode collapse it punishes
    const same = tf.tensor4d([1, 1, 1, 1], [4, 1, 1, 1]);
    expect(modeSeekingLoss(same, tf.tensor2d([0, 1, 2, 3], [4, 1]), 2).dataSync()[0]).toBeCloseTo(1e5, 0);
  });
  it('pairs share their labels; with no pairs the batch is the reference stream', () => {
    const labels = (t: tf.Tensor2D) => tf.argMax(t, 1).arraySync() as number[];
    const paired = latentBatch(stepRng(1, 7), 7, 3, 50, 3);
    const l = labels(paired.label);
    expect(l.slice(3, 6)).toEqual(l.slice(0, 3));
    const plain = latentBatch(stepRng(1, 7), 7, 3, 50);
    const rng = stepRng(1, 7);
    for (let i = 0; i < 21; i++) rng.normal();
    expect(labels(plain.label)).toEqual(Array.from({ length: 7 }, () => rng.int(50)));
    expect(paired.z.dataSync()).toEqual(plain.z.dataSync());
  });
  it('pulls two samples of one label apart: one G update with the term alone raises their distance', async () => {
    const cfg = CganConfig.parse({ ...base, modeSeeking: 1 });
    const s = createGan(cfg, 3);
    const g = latentBatch(stepRng(9, 0), 8, cfg.latentDim, cfg.numClasses, 4);
    const distance = () => tf.tidy(() => 1 / modeSeekingLoss(s.generator.apply([g.z, g.label], { training: true }) as tf.Tensor, g.z, 4).dataSync()[0]);
    const before = distance();
    const vars = s.generator.trainableWeights.map((w) => w.read() as tf.Variable);
    for (let i = 0; i < 3; i++) s.optG.minimize(() => modeSeekingLoss(s.generator.apply([g.z, g.label], { training: true }) as tf.Tensor, g.z, 4), false, vars);
    expect(distance()).toBeGreaterThan(before);
  });
});

/** Mean of each pool × pool block of a 16 × 16 image (row-major). */
function pooledView(img: Float32Array | number[], pool: number): number[] {
  const out: number[] = [];
  for (let by = 0; by < 16 / pool; by++)
    for (let bx = 0; bx < 16 / pool; bx++) {
      let s = 0;
      for (let y = 0; y < pool; y++) for (let x = 0; x < pool; x++) s += img[(by * pool + y) * 16 + bx * pool + x];
      out.push(s / (pool * pool));
    }
  return out;
}

describe('IMLE term', () => {
  it.each([4, 2, 1])("chooses, for each image, the candidate latent vector whose sample is nearest on the view pooled by %i", (pool) => {
    const cfg = CganConfig.parse({ ...base, imle: 1, imlePool: pool });
    const s = createGan(cfg, 3);
    const data = tinyData();
    const n = 3, k = 5;
    const real = tf.tensor4d(data.x.slice(0, n * 256), [n, 16, 16, 1]);
    const label = tf.cast(tf.oneHot(tf.tensor1d([0, 1, 2], 'int32'), 3), 'float32') as tf.Tensor2D;
    const chosen = imleTargets(s.generator, new Rng(11), real, label, k, cfg.latentDim, pool).z.arraySync();

    // The same candidates drawn again from the same stream, scored here in JavaScript.
    const rng = new Rng(11);
    const z = Array.from({ length: n * k }, () => Array.from({ length: cfg.latentDim }, () => rng.normal()));
    const labels = Array.from({ length: n * k }, (_, r) => Math.floor(r / k));
    const drawn = s.generator.predict([tf.tensor2d(z), tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), 3), 'float32')]) as tf.Tensor;
    const images = tf.reshape(drawn, [n * k, 256]).arraySync() as number[][];
    let differs = 0;
    for (let i = 0; i < n; i++) {
      const target = pooledView(data.x.subarray(i * 256, (i + 1) * 256), pool);
      const d = Array.from({ length: k }, (_, c) => pooledView(images[i * k + c], pool).reduce((a, v, j) => a + (v - target[j]) ** 2, 0));
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
    const t = imleTargets(s.generator, new Rng(2), real, label, 4, cfg.latentDim, cfg.imlePool);
    const vars = s.generator.trainableWeights.map((w) => w.read() as tf.Variable);
    const before = imleLoss(s.generator, t, cfg.imlePool).dataSync()[0];
    for (let i = 0; i < 20; i++) s.optG.minimize(() => imleLoss(s.generator, t, cfg.imlePool), false, vars);
    expect(imleLoss(s.generator, t, cfg.imlePool).dataSync()[0]).toBeLessThan(before * 0.9);
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

  it('stays on one thread (the worker engine refuses it with a reason); a pool that does not divide the side is refused', () => {
    expect(parallelSupport(CganConfig.parse({ ...base, imle: 1 }))).toMatch(/IMLE/);
    expect(parallelSupport(CganConfig.parse({ ...base, imle: 0 }))).toBeNull();
    expect(() => createGan(CganConfig.parse({ ...base, imle: 1, imlePool: 3 }), 1)).toThrow(/--imle-pool 3 must divide the image side 16/);
  });
});

describe('DiffAugment', () => {
  const img = (): tf.Tensor4D => {
    const x = new Float32Array(2 * 16 * 16).fill(-1);
    x[8 * 16 + 8] = 1; // one ink pixel per image
    x[256 + 3 * 16 + 5] = 1;
    return tf.tensor4d(x, [2, 16, 16, 1]);
  };
  it('translation moves each image by at most 2 px (1/8 of 16), fills with paper, keeps the ink', () => {
    const y = translate(img(), new Rng(1)).dataSync();
    for (let i = 0; i < 2; i++) {
      const im = Array.from(y.subarray(i * 256, (i + 1) * 256));
      expect(im.filter((v) => v === 1)).toHaveLength(1);
      expect(im.every((v) => v === 1 || v === -1)).toBe(true);
      const at = im.indexOf(1);
      const [y0, x0] = i === 0 ? [8, 8] : [3, 5];
      expect(Math.abs(Math.floor(at / 16) - y0)).toBeLessThanOrEqual(2);
      expect(Math.abs((at % 16) - x0)).toBeLessThanOrEqual(2);
    }
  });
  it('cutout paints a square of half the side paper (values −1) and passes no gradient there', () => {
    const m = cutoutMask(1, 16, 16, new Rng(3));
    const zeros = m.reduce((a, v) => a + (v === 0 ? 1 : 0), 0);
    expect(zeros).toBeGreaterThan(0);
    expect(zeros).toBeLessThanOrEqual(64);
    const x = tf.fill([1, 16, 16, 1], 0.5) as tf.Tensor4D;
    const g = tf.grad((t: tf.Tensor) => tf.sum(diffAugment(t as tf.Tensor4D, ['cutout'], new Rng(3))))(x).dataSync();
    const y = diffAugment(x, ['cutout'], new Rng(3)).dataSync();
    m.forEach((v, i) => {
      expect(y[i]).toBe(v === 0 ? -1 : 0.5);
      expect(g[i]).toBe(v);
    });
  });
  it('is differentiable: the gradient reaches every image pixel that stays in view', () => {
    const g = tf.grad((t: tf.Tensor) => tf.sum(translate(t as tf.Tensor4D, new Rng(2))))(img()).dataSync();
    const kept = Array.from(g).filter((v) => v === 1).length;
    expect(kept).toBeGreaterThanOrEqual(2 * 14 * 14);
  });
});

describe('adaptive augmentation (ADA)', () => {
  const images = (n: number): tf.Tensor4D => {
    const rng = new Rng(8);
    return tf.tensor4d(Float32Array.from({ length: n * 16 * 16 }, () => (rng.next() < 0.3 ? 1 : -1)), [n, 16, 16, 1]);
  };
  const changed = (a: tf.Tensor, b: tf.Tensor, n: number): number => {
    const [x, y] = [a.dataSync(), b.dataSync()];
    let c = 0;
    for (let i = 0; i < n; i++) if (x.subarray(i * 256, (i + 1) * 256).some((v, k) => v !== y[i * 256 + k])) c++;
    return c;
  };
  it('p = 1 is DiffAugment exactly (same random numbers); p = 0 leaves every image as it is', () => {
    const x = images(6);
    expect(Array.from(diffAugment(x, ['translation', 'cutout'], new Rng(4), 1).dataSync())).toEqual(Array.from(diffAugment(x, ['translation', 'cutout'], new Rng(4)).dataSync()));
    expect(Array.from(diffAugment(x, ['translation', 'cutout'], new Rng(4), 0).dataSync())).toEqual(Array.from(x.dataSync()));
  });
  it('each transformation reaches each image with probability p', () => {
    const n = 400;
    const x = images(n);
    for (const p of [0.2, 0.5]) {
      const cut = changed(x, diffAugment(x, ['cutout'], new Rng(11), p), n);
      // binomial(400, p): ±4 standard deviations
      const sd = Math.sqrt(n * p * (1 - p));
      expect(Math.abs(cut - n * p)).toBeLessThan(4 * sd);
      const mask = cutoutMask(n, 16, 16, new Rng(12), 1 / 2, p);
      const holes = Array.from({ length: n }, (_, i) => mask.subarray(i * 256, (i + 1) * 256).includes(0)).filter(Boolean).length;
      expect(Math.abs(holes - n * p)).toBeLessThan(4 * sd);
    }
    // translation at p = 0.5: no image of a picked half moves by more than 2 px, the rest are untouched
    const moved = changed(x, translate(x, new Rng(13), 1 / 8, 0.5), n);
    expect(moved).toBeGreaterThan(n * 0.5 - 4 * 10);
    expect(moved).toBeLessThan(n * 0.5);
  });
  it('p moves every 4 steps by ±(images)/speed towards the target sign, clamped to [0, 1]', () => {
    const a = createAda();
    expect(a.p).toBe(0);
    for (let i = 0; i < ADA_INTERVAL - 1; i++) expect(adaObserve(a, 1, 16, 0.6, 640)).toBe(0);
    expect(adaObserve(a, 1, 16, 0.6, 640)).toBeCloseTo(0.1, 12); // r = 1 > 0.6: up by 64/640
    for (let i = 0; i < ADA_INTERVAL; i++) adaObserve(a, 0.2, 16, 0.6, 640); // r = 0.2 < 0.6: down
    expect(a.p).toBeCloseTo(0, 12);
    for (let i = 0; i < ADA_INTERVAL; i++) adaObserve(a, -1, 16, 0.6, 640);
    expect(a.p).toBe(0);
    for (let i = 0; i < 20 * ADA_INTERVAL; i++) adaObserve(a, 0.9, 16, 0.6, 640);
    expect(a.p).toBe(1);
    // the mean is over images, not steps: 3 steps at +1 and one at −1 make r = 0.5 < 0.6
    const b = createAda();
    b.p = 0.5;
    for (const s of [1, 1, 1, -1]) adaObserve(b, s, 16, 0.6, 640);
    expect(b.p).toBeCloseTo(0.4, 12);
  });
  it("D's sign statistic is E[sign(D(real) − ½)] with bce and E[sign(D(real))] with hinge", () => {
    for (const loss of ['bce', 'hinge'] as const) {
      const cfg = CganConfig.parse({ ...base, loss });
      const D = buildDiscriminator(cfg, 3);
      const x = images(5);
      const label = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1], 'int32'), 3);
      const o = discriminatorObjective(cfg, D, x, label, x, label);
      const s = (D.apply([x, label]) as tf.Tensor).dataSync();
      const want = Array.from(s).reduce((acc, v) => acc + Math.sign(loss === 'bce' ? v - 0.5 : v), 0) / 5;
      expect(realSign(loss, o.realScore).dataSync()[0]).toBeCloseTo(want, 6);
    }
  });
  it('needs --diff-augment; a run uses p from the signs D gave the steps before, and records both', async () => {
    expect(() => createGan(CganConfig.parse({ ...base, ada: 0.6 }), 1)).toThrow(/--ada tunes how often the --diff-augment or --real-augment transformations apply/);
    // a fast D learning rate, so that D soon tells these few images apart and p must move
    const s = createGan(CganConfig.parse({ ...base, ada: 0.3, adaImages: 32, diffAugment: ['translation', 'cutout'], learningRate: 0.01 }), 1);
    const h = await trainAdversarial(s, tinyData(), 16, 4);
    const replay = createAda();
    for (const st of h) {
      expect(st.augmentP).toBe(replay.p);
      expect(Math.abs(st.realSign!)).toBeLessThanOrEqual(1);
      adaObserve(replay, st.realSign!, 4, 0.3, 32);
    }
    expect(s.ada).toEqual(replay);
    expect(new Set(h.map((st) => st.augmentP)).size).toBeGreaterThan(1);
  });
});

describe('--aux-view clean', () => {
  const cfgOf = (auxView: 'augmented' | 'clean') => CganConfig.parse({ ...base, auxWeight: 0.5, diffAugment: ['cutout'], auxView });
  const D = buildDiscriminator(cfgOf('clean'));
  const out = (x: tf.Tensor, l: tf.Tensor) => D.apply([x, l], { training: true }) as tf.Tensor[];
  const real = tf.randomNormal([4, 16, 16, 1], 0, 1, 'float32', 1);
  const cut = diffAugment(real as tf.Tensor4D, ['cutout'], new Rng(9));
  const fake = tf.randomNormal([4, 16, 16, 1], 0, 1, 'float32', 2);
  const label = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
  it("D: the score from the augmented images, the head's loss from the clean ones", () => {
    for (const view of ['augmented', 'clean'] as const) {
      const cfg = cfgOf(view);
      const got = discriminatorObjective(cfg, D, cut, label, fake, label, real).loss.dataSync()[0];
      const [sr, lr] = out(cut, label);
      const head = view === 'clean' ? out(real, label)[1] : lr;
      const want = tf.add(discriminatorLoss(cfg, sr, out(fake, label)[0]), tf.mul(0.5, classLoss(head, label))).dataSync()[0];
      expect(got).toBeCloseTo(want, 5);
    }
    const clean = discriminatorObjective(cfgOf('clean'), D, cut, label, fake, label, real).loss.dataSync()[0];
    const augmented = discriminatorObjective(cfgOf('augmented'), D, cut, label, fake, label, real).loss.dataSync()[0];
    expect(Math.abs(clean - augmented)).toBeGreaterThan(1e-4);
  });
  it("G: the head judges the sample as drawn, D's score the augmented sample", () => {
    const cfg = cfgOf('clean');
    const s = createGan(cfg, 3);
    const { z, label: l } = latentBatch(new Rng(4), 4, 4, 3);
    const augment = (x: tf.Tensor4D) => diffAugment(x, ['cutout'], new Rng(9));
    const got = generatorObjective(cfg, s.generator, s.discriminator, z, l, augment).dataSync()[0];
    const drawn = s.generator.apply([z, l], { training: true }) as tf.Tensor4D;
    const score = (s.discriminator.apply([augment(drawn), l], { training: true }) as tf.Tensor[])[0];
    const head = (s.discriminator.apply([drawn, l], { training: true }) as tf.Tensor[])[1];
    const want = tf.add(generatorLoss(cfg, score), tf.mul(0.5, classLoss(head, l))).dataSync()[0];
    expect(got).toBeCloseTo(want, 5);
  });
});

describe('twin auxiliary classifier (TAC-GAN)', () => {
  const cfg = CganConfig.parse({ ...base, auxWeight: 0.5, twinAux: true });
  const D = buildDiscriminator(cfg);
  const out = (x: tf.Tensor, l: tf.Tensor) => D.apply([x, l], { training: true }) as tf.Tensor[];
  const real = tf.randomNormal([4, 16, 16, 1], 0, 1, 'float32', 1);
  const fake = tf.randomNormal([4, 16, 16, 1], 0, 1, 'float32', 2);
  const realLabel = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
  const fakeLabel = tf.oneHot(tf.tensor1d([2, 2, 0, 1], 'int32'), 3);
  it('D gets a third output, the twin class logits; it needs the head', () => {
    expect(D.outputs.map((o) => o.shape)).toEqual([[null, 1], [null, 3], [null, 3]]);
    expect(D.getLayer('d_twin')).toBeDefined();
    expect(() => buildDiscriminator({ ...base, auxWeight: 0, twinAux: true })).toThrow(/--twin-aux needs the auxiliary head/);
  });
  it("D: the head learns the real labels, the twin the generated images' labels", () => {
    const got = discriminatorObjective(cfg, D, real, realLabel, fake, fakeLabel).loss.dataSync()[0];
    const [sr, head] = out(real, realLabel);
    const [sf, , twin] = out(fake, fakeLabel);
    const want = tf.addN([discriminatorLoss(cfg, sr, sf), tf.mul(0.5, classLoss(head, realLabel)), tf.mul(0.5, classLoss(twin, fakeLabel))]).dataSync()[0];
    expect(got).toBeCloseTo(want, 5);
  });
  it("G: the head's cross-entropy minus the twin's", () => {
    const s = createGan(cfg, 3);
    const { z, label } = latentBatch(new Rng(4), 4, 4, 3);
    const got = generatorObjective(cfg, s.generator, s.discriminator, z, label).dataSync()[0];
    const drawn = s.generator.apply([z, label], { training: true }) as tf.Tensor4D;
    const [score, head, twin] = s.discriminator.apply([drawn, label], { training: true }) as tf.Tensor[];
    const want = tf.sub(tf.add(generatorLoss(cfg, score), tf.mul(0.5, classLoss(head, label))), tf.mul(0.5, classLoss(twin, label))).dataSync()[0];
    expect(got).toBeCloseTo(want, 5);
  });
});

describe('transitional conditioning (--transition-start, --transition-end)', () => {
  const cfg = CganConfig.parse({ ...base, auxWeight: 0.5, twinAux: true, transitionStart: 10, transitionEnd: 20 });
  const real = tf.randomNormal([4, 16, 16, 1], 0, 1, 'float32', 1);
  const fake = tf.randomNormal([4, 16, 16, 1], 0, 1, 'float32', 2);
  const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
  const others = tf.oneHot(tf.tensor1d([2, 0, 1, 0], 'int32'), 3);
  it('λ is 0 up to the start, rises linearly to 1 at the end and stays; off, it is 1 from the first step', () => {
    expect([0, 5, 10, 11, 15, 19, 20, 7000].map((t) => conditionScale(cfg, t))).toEqual([0, 0, 0, 0.1, 0.5, 0.9, 1, 1]);
    expect(conditionScale(CganConfig.parse(base), 0)).toBe(1);
    expect(() => createGan({ ...cfg, transitionEnd: 10 }, 1)).toThrow(/--transition-end 10 must come after --transition-start 10/);
    expect(() => createGan({ ...cfg, transitionEnd: 0 }, 1)).toThrow(/--transition-start needs --transition-end/);
  });
  it('at λ = 0 neither objective depends on the labels (unconditional); at λ = 1 both are the plain objectives', () => {
    const s = createGan(cfg, 3);
    const z = tf.randomNormal([4, 4], 0, 1, 'float32', 3);
    const d = (a: tf.Tensor, b: tf.Tensor, l: number) => discriminatorObjective(cfg, s.discriminator, real, a, fake, b, undefined, l).loss.dataSync()[0];
    const g = (a: tf.Tensor, l: number) => generatorObjective(cfg, s.generator, s.discriminator, z, a, undefined, 0, l).dataSync()[0];
    expect(d(labels, labels, 0)).toBeCloseTo(d(others, tf.zerosLike(labels), 0), 6);
    expect(g(labels, 0)).toBeCloseTo(g(others, 0), 6);
    // In between the labels count, and at 1 the objectives are those without the option.
    expect(Math.abs(d(labels, labels, 0.5) - d(others, labels, 0.5))).toBeGreaterThan(1e-4);
    expect(Math.abs(g(labels, 0.5) - g(others, 0.5))).toBeGreaterThan(1e-4);
    expect(d(labels, others, 1)).toBe(discriminatorObjective(cfg, s.discriminator, real, labels, fake, others).loss.dataSync()[0]);
    expect(g(labels, 1)).toBe(generatorObjective(cfg, s.generator, s.discriminator, z, labels).dataSync()[0]);
  });
  it("at λ: the labels D and G take are λ · one-hot and the heads' terms are weighted by λ (against the hand-made sum)", () => {
    const s = createGan(cfg, 5);
    const D = s.discriminator;
    const got = discriminatorObjective(cfg, D, real, labels, fake, others, undefined, 0.3).loss.dataSync()[0];
    const [sr, head] = D.apply([real, tf.mul(labels, 0.3)], { training: true }) as tf.Tensor[];
    const [sf, , twin] = D.apply([fake, tf.mul(others, 0.3)], { training: true }) as tf.Tensor[];
    const want = tf.addN([discriminatorLoss(cfg, sr, sf), tf.mul(0.15, classLoss(head, labels)), tf.mul(0.15, classLoss(twin, others))]).dataSync()[0];
    expect(got).toBeCloseTo(want, 5);
  });
  it('a run with the transition starts unconditional: two steps at λ = 0 train the same whatever labels the data has', async () => {
    const early = CganConfig.parse({ ...base, auxWeight: 1, transitionStart: 2, transitionEnd: 4 });
    const data = tinyData();
    const relabelled = { ...data, labels: data.labels.map((c) => (c + 1) % 3) };
    const a = createGan(early, 6);
    const b = createGan(early, 6);
    await trainAdversarial(a, data, 2, 4);
    await trainAdversarial(b, relabelled, 2, 4);
    expect(flat(b.generator)).toEqual(flat(a.generator));
    // From the start step on the labels count.
    await trainAdversarial(a, data, 4, 4);
    await trainAdversarial(b, relabelled, 4, 4);
    expect(flat(b.generator)).not.toEqual(flat(a.generator));
  });
});

describe('generator EMA', () => {
  it('ema ← d·ema + (1 − d)·w for every weight, moving statistics included', () => {
    const cfg = CganConfig.parse({ ...base, emaDecay: 0.9 });
    const s = createGan(cfg, 1);
    const e0 = flat(s.generatorEma!);
    expect(e0).toEqual(flat(s.generator));
    s.generator.setWeights(s.generator.getWeights().map((w) => tf.add(w, 1)));
    updateEma(s.generatorEma!, s.generator, 0.9);
    const e1 = flat(s.generatorEma!);
    e1.forEach((v, i) => expect(v).toBeCloseTo(e0[i] + 0.1, 5));
    expect(samplingGenerator(s)).toBe(s.generatorEma);
    const plain = createGan(CganConfig.parse(base), 1);
    expect(plain.generatorEma).toBeNull();
    expect(samplingGenerator(plain)).toBe(plain.generator);
  });
});

describe('--real-augment: the classifier\'s augmentation on the real images D sees', () => {
  // A 32 × 32 image with a thick diagonal stroke in the generator's range (paper −1, ink 1).
  const stroke = (): GanData => {
    const size = 32, x = new Float32Array(2 * size * size).fill(-1);
    for (let k = 0; k < 2; k++) for (let y = 6; y < 26; y++) for (let dx = -1; dx <= 1; dx++) x[k * size * size + y * size + y + dx + (k ? 2 : 0)] = 1;
    return { x, labels: Int32Array.from([0, 1]), n: 2, size };
  };
  const ink = (a: Float32Array) => a.reduce((t, v) => t + (v + 1) / 2, 0);
  it('at 0 the batch is the reference draw: copies of the training images, and the stream is left where the reference leaves it', () => {
    const data = stroke();
    const [a, b] = [stepRng(3, 7), stepRng(3, 7)];
    const plain = realBatch(a, data, 4, 2);
    const off = realBatch(b, data, 4, 2, 0);
    expect(off).toEqual(plain);
    expect(b.next()).toBe(a.next());
    const px = 32 * 32;
    for (let i = 0; i < 4; i++) {
      const k = off.label[i * 2 + 1] === 1 ? 1 : 0;
      expect(off.x.subarray(i * px, (i + 1) * px)).toEqual(data.x.subarray(k * px, (k + 1) * px));
    }
  });
  it('above 0 the same images and labels are drawn, each an augmented copy: changed, in range, the ink kept, reproducible from the step', () => {
    const data = stroke();
    const px = 32 * 32;
    const plain = realBatch(stepRng(3, 7), data, 4, 2);
    const on = realBatch(stepRng(3, 7), data, 4, 2, 1);
    expect(on.label).toEqual(plain.label);
    expect(realBatch(stepRng(3, 7), data, 4, 2, 1)).toEqual(on);
    for (let i = 0; i < 4; i++) {
      const [p, q] = [plain.x.subarray(i * px, (i + 1) * px), on.x.subarray(i * px, (i + 1) * px)];
      expect(q).not.toEqual(p);
      for (const v of q) expect(v >= -1 && v <= 1).toBe(true);
      // thicker or thinner strokes and resampling move the ink, but a signature is neither erased nor smeared over the page
      expect(ink(q) / ink(p)).toBeGreaterThan(0.4);
      expect(ink(q) / ink(p)).toBeLessThan(2.5);
    }
  });
  it('with a probability p (ADA) each image is augmented only when its draw falls under p: p = 0 copies, p = 1 the plain option, between a binomial share', () => {
    const data = stroke();
    const px = 32 * 32;
    const plain = realBatch(stepRng(3, 7), data, 4, 2);
    expect(realBatch(stepRng(3, 7), data, 4, 2, 1, 1)).toEqual(realBatch(stepRng(3, 7), data, 4, 2, 1));
    const none = realBatch(stepRng(3, 7), data, 4, 2, 1, 0);
    expect(none).toEqual(plain);
    const n = 400;
    for (const p of [0.25, 0.6]) {
      const plainMany = realBatch(stepRng(4, 1), data, n, 2);
      const some = realBatch(stepRng(4, 1), data, n, 2, 1, p);
      expect(some.label).toEqual(plainMany.label);
      let changed = 0;
      for (let i = 0; i < n; i++) if (some.x.subarray(i * px, (i + 1) * px).some((v, k) => v !== plainMany.x[i * px + k])) changed++;
      // binomial(400, p): ±4 standard deviations
      expect(Math.abs(changed - n * p)).toBeLessThan(4 * Math.sqrt(n * p * (1 - p)));
    }
  });
  it('with --ada, p starts at 0 and follows the signs D gives the real images, one thread or two workers alike', async () => {
    const cfg = CganConfig.parse({ ...base, ada: 0.3, adaImages: 32, realAugment: 1, learningRate: 0.01 });
    const s = createGan(cfg, 1);
    const h = await trainAdversarial(s, tinyData(), 16, 4);
    const replay = createAda();
    for (const st of h) {
      expect(st.augmentP).toBe(replay.p);
      adaObserve(replay, st.realSign!, 4, 0.3, 32);
    }
    expect(new Set(h.map((st) => st.augmentP)).size).toBeGreaterThan(1);
    expect(parallelSupport(cfg)).toBeNull();
  });
  it('the strength scales the change, and no noise is added to the paper', () => {
    const img = { width: 32, height: 32, data: stroke().x.slice(0, 32 * 32) };
    const moved = (s: number) => augmentReal(img, new Rng(9), s).data.reduce((t, v, i) => t + Math.abs(v - img.data[i]), 0);
    expect(moved(0.1)).toBeLessThan(moved(1));
    const corner = augmentReal(img, new Rng(9), 1).data.subarray(0, 4);
    for (const v of corner) expect(v).toBe(-1);
  });
});

describe('training with every option on', () => {
  const all = CganConfig.parse({ ...base, discCondition: 'projection', auxWeight: 0.5, loss: 'hinge', diffAugment: ['translation', 'cutout'], ada: 0.6, adaImages: 32, auxView: 'clean', emaDecay: 0.9, modeSeeking: 1, imle: 2, imleSamples: 3, imleImages: 2, spectralNorm: true, twinAux: true, realAugment: 1, transitionStart: 1, transitionEnd: 3 });
  it('a few steps change G, D and the average; losses finite', async () => {
    const s = createGan(all, 2);
    const [g0, d0, e0] = [flat(s.generator), flat(s.discriminator), flat(s.generatorEma!)];
    const h = await trainAdversarial(s, tinyData(), 3, 4);
    for (const st of h) expect(Number.isFinite(st.dLoss) && Number.isFinite(st.gLoss)).toBe(true);
    expect(flat(s.generator)).not.toEqual(g0);
    expect(flat(s.discriminator)).not.toEqual(d0);
    expect(flat(s.generatorEma!)).not.toEqual(e0);
    expect(flat(s.generatorEma!)).not.toEqual(flat(s.generator));
  });
  it('resumes from a checkpoint exactly as an uninterrupted run (EMA, the power-iteration vectors and ADA included)', async () => {
    const data = tinyData();
    const a = createGan(all, 4);
    await trainAdversarial(a, data, 4, 4);
    const b = createGan(all, 4);
    await trainAdversarial(b, data, 2, 4);
    const dir = await mkdtemp(join(tmpdir(), 'cgan-fewshot-'));
    dirs.push(dir);
    await saveCheckpoint(b, join(dir, 'ck'));
    const r = await loadCheckpoint(join(dir, 'ck'));
    expect(r.cfg).toEqual(all);
    await trainAdversarial(r, data, 4, 4);
    for (const [x, y] of [[flat(r.generator), flat(a.generator)], [flat(r.generatorEma!), flat(a.generatorEma!)], [flat(r.discriminator), flat(a.discriminator)]]) {
      expect(Math.max(...x.map((v, i) => Math.abs(v - y[i])))).toBeLessThan(1e-5);
    }
    expect(r.ada).toEqual(a.ada);
  });
});

describe('sig train cgan flags', () => {
  const ModelOptions = CganConfig.omit({ numClasses: true });
  const trainCgan = (argv: string[] = []): Command => subcommand(registerTrainCgan, ['train', 'cgan'], argv);
  const parse = (argv: string[]) => settingsFromCommand(ModelOptions, trainCgan(argv), {});
  it('every few-shot option is a flag whose help shows the reference default', () => {
    const help = trainCgan().helpInformation();
    for (const f of ['--disc-condition <kind>', '--aux-weight <w>', '--aux-view <view>', '--loss <kind>', '--diff-augment <list>', '--ada <target>', '--ada-images <n>', '--ema <decay>', '--mode-seeking <w>', '--imle <w>', '--imle-samples <k>', '--imle-images <n>', '--imle-pool <f>', '--spectral-norm', '--twin-aux', '--real-augment <s>']) expect(help).toContain(f);
    expect(help).toMatch(/--diff-augment <list>[^]*default none\)/);
  });
  it('no flags: the reference design plus the auxiliary head and the average; --aux-weight 0 --ema 0 the reference design; flags reach the typed config; bad values are one readable error', () => {
    expect(parse([])).toMatchObject({ discCondition: 'plane', auxWeight: 1, auxView: 'augmented', loss: 'bce', diffAugment: [], ada: 0, adaImages: 20_000, emaDecay: 0.99, modeSeeking: 0, imle: 0, spectralNorm: false, twinAux: false, realAugment: 0 });
    expect(parse(['--aux-weight', '0', '--ema', '0'])).toMatchObject({ discCondition: 'plane', auxWeight: 0, loss: 'bce', diffAugment: [], emaDecay: 0 });
    const typed = parse(['--disc-condition', 'projection', '--aux-weight', '0.5', '--loss', 'hinge', '--diff-augment', 'translation, cutout', '--ema', '0.999', '--mode-seeking', '2', '--aux-view', 'clean', '--spectral-norm', '--twin-aux']);
    expect(typed).toMatchObject({ discCondition: 'projection', auxWeight: 0.5, loss: 'hinge', diffAugment: ['translation', 'cutout'], emaDecay: 0.999, modeSeeking: 2, auxView: 'clean', spectralNorm: true, twinAux: true });
    expect(() => parse(['--loss', 'wasserstein'])).toThrow(/^--loss: /);
    expect(() => parse(['--diff-augment', 'colour'])).toThrow(/^--diff-augment: /);
    expect(() => parse(['--ema', '1'])).toThrow(/--ema must be a number/);
    expect(() => parse(['--aux-view', 'raw'])).toThrow(/^--aux-view: /);
    expect(() => parse(['--mode-seeking', '-1'])).toThrow(/--mode-seeking must be a number ≥ 0/);
    expect(parse(['--imle', '10', '--imle-samples', '6', '--imle-images', '12', '--imle-pool', '2'])).toMatchObject({ imle: 10, imleSamples: 6, imleImages: 12, imlePool: 2 });
    expect(() => parse(['--imle-samples', '0'])).toThrow(/--imle-samples/);
    expect(parse(['--diff-augment', 'translation', '--ada', '0.6', '--ada-images', '5000'])).toMatchObject({ diffAugment: ['translation'], ada: 0.6, adaImages: 5000 });
    expect(() => parse(['--ada', '1.5'])).toThrow(/^--ada /);
    expect(parse(['--real-augment', '0.5'])).toMatchObject({ realAugment: 0.5 });
    expect(() => parse(['--real-augment', '-1'])).toThrow(/^--real-augment /);
  });
});

describe('sig train cgan run with an EMA', () => {
  it('saves the averaged generator as model/generator, checkpoints both, and records the options in run.json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cgan-fewshot-run-'));
    dirs.push(dir);
    const data = join(dir, 'data');
    await synthesizeDataset({ writers: 2, perWriter: 4, seed: 3, out: data });
    const out = join(dir, 'gan');
    await trainCganRun({
      data, out, backend: 'wasm', model: { genFilters: 8, discFilters: 4, emaDecay: 0.5, loss: 'hinge', discCondition: 'projection', modeSeeking: 1 },
      train: { steps: 2, batch: 4, seed: 1, sampleEvery: 2, checkpointEvery: 2, snapshotEvery: 2, holdout: 0, gridLabels: 2 },
    });
    const saved = flat(await loadModel(join(out, 'model', 'generator')));
    expect(saved).toEqual(flat(await loadModel(join(out, 'checkpoint', 'generator-ema'))));
    expect(saved).not.toEqual(flat(await loadModel(join(out, 'checkpoint', 'generator'))));
    const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8'));
    expect(run.config).toMatchObject({ emaDecay: 0.5, loss: 'hinge', discCondition: 'projection', auxWeight: 1, diffAugment: [], modeSeeking: 1 });
  });
});
