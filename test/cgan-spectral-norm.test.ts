// Spectral normalisation of the CGAN's discriminator (train/spectral-norm.ts): the power iteration finds the
// largest singular value, D applies W / σ(W) with the gradient through σ, the raw weights stay in the layers, and a
// run saves D as it scored.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { CganConfig, Rng } from '@sig/shared';
import { synthesizeDataset } from '../apps/trainer/src/data/index.ts';
import { buildDiscriminator } from '../apps/trainer/src/model/cgan.ts';
import { loadModel } from '../apps/trainer/src/model/io.ts';
import { createGan, effectiveDiscriminator, loadCheckpoint, trainAdversarial, type GanData } from '../apps/trainer/src/train/adversarial.ts';
import { trainCganRun } from '../apps/trainer/src/train/cgan-run.ts';
import { createSpectralNorm, normalisedWeights, powerIterate, sigma, withSpectralNorm } from '../apps/trainer/src/train/spectral-norm.ts';

await tf.setBackend('cpu');
const base = { numClasses: 3, latentDim: 4, imageSize: 16, seedSize: 8, genFilters: 8, discFilters: 4, discLayers: 2, auxWeight: 1, emaDecay: 0, spectralNorm: true };

/** A one-layer Dense model with the given kernel (in × out) and no bias. */
function denseModel(kernel: number[][]): tfl.LayersModel {
  const x = tfl.input({ shape: [kernel.length] });
  const y = tfl.layers.dense({ units: kernel[0].length, useBias: false }).apply(x) as tfl.SymbolicTensor;
  const m = tfl.model({ inputs: x, outputs: y });
  m.setWeights([tf.tensor2d(kernel)]);
  return m;
}

/** Largest singular value of a 3 × 2 matrix, in closed form: √ of the larger eigenvalue of MᵀM. */
function sigmaMax(m: number[][]): number {
  const [a, b, d] = [m.reduce((s, r) => s + r[0] * r[0], 0), m.reduce((s, r) => s + r[0] * r[1], 0), m.reduce((s, r) => s + r[1] * r[1], 0)];
  return Math.sqrt((a + d) / 2 + Math.sqrt(((a - d) / 2) ** 2 + b * b));
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('power iteration', () => {
  it('σ converges to the largest singular value of the kernel as a matrix', () => {
    const k = [[3, 1], [0.5, -2], [1, 1]];
    const sn = createSpectralNorm(denseModel(k), 1);
    for (let i = 0; i < 30; i++) powerIterate(sn);
    const [w] = sn.kernels;
    expect(sigma(w.weight.read(), w.u).dataSync()[0]).toBeCloseTo(sigmaMax(k), 4);
  });
  it('a conv kernel is a (kh·kw·in) × filters matrix: a kernel with one non-zero tap has σ = its value', () => {
    const d = buildDiscriminator(base);
    const sn = createSpectralNorm(d, 2);
    expect(sn.kernels.map((k) => k.weight.name)).toEqual(d.trainableWeights.filter((w) => w.shape.length >= 2).map((w) => w.name));
    const conv = sn.kernels.find((k) => k.weight.name.includes('d_conv0'))!;
    const shape = conv.weight.shape;
    const taps = new Float32Array(shape.reduce((a, b) => a * b, 1));
    taps[5 * shape[3]] = -4; // one input tap, first filter
    (d.getLayer('d_conv0') as tfl.layers.Layer).setWeights([tf.tensor(taps, shape), ...d.getLayer('d_conv0').getWeights().slice(1)]);
    for (let i = 0; i < 5; i++) powerIterate(sn);
    expect(sigma(conv.weight.read(), conv.u).dataSync()[0]).toBeCloseTo(4, 4);
  });
});

describe('withSpectralNorm', () => {
  it('applies W / σ(W) inside, the raw W outside; the normalised kernel has σ ≈ 1', () => {
    const k = [[3, 1], [0.5, -2], [1, 1]];
    const m = denseModel(k);
    const sn = createSpectralNorm(m, 3);
    for (let i = 0; i < 30; i++) powerIterate(sn);
    const x = tf.tensor2d([[1, 2, 3]]);
    const raw = (m.apply(x) as tf.Tensor).arraySync() as number[][];
    const inside = withSpectralNorm(sn, () => (m.apply(x) as tf.Tensor).arraySync() as number[][]);
    const s = sigmaMax(k);
    expect(inside[0][0]).toBeCloseTo(raw[0][0] / s, 4);
    expect(inside[0][1]).toBeCloseTo(raw[0][1] / s, 4);
    expect((m.apply(x) as tf.Tensor).arraySync()).toEqual(raw);
    const [w] = normalisedWeights(m, sn);
    expect(sigmaMax(w.arraySync() as number[][])).toBeCloseTo(1, 4);
    expect(withSpectralNorm(null, () => 7)).toBe(7);
  });
  it('the gradient reaches the raw weights through σ (against central finite differences)', () => {
    const k = [[0.3, -1.2], [0.8, 0.4], [-0.5, 0.9]];
    const m = denseModel(k);
    const sn = createSpectralNorm(m, 4);
    for (let i = 0; i < 40; i++) powerIterate(sn);
    const x = tf.tensor2d([[1, -2, 0.5], [0.3, 0.7, -1]]);
    const f = (): tf.Scalar => withSpectralNorm(sn, () => tf.sum(tf.square(m.apply(x) as tf.Tensor)) as tf.Scalar);
    const v = m.trainableWeights[0].read() as tf.Variable;
    const g = tf.variableGrads(f, [v]).grads[v.name].arraySync() as number[][];
    const eps = 1e-3;
    for (const [i, j] of [[0, 0], [1, 1], [2, 0]]) {
      const at = (d: number) => {
        const kk = k.map((r) => r.slice());
        kk[i][j] += d;
        v.assign(tf.tensor2d(kk));
        return f().dataSync()[0];
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      v.assign(tf.tensor2d(k));
      // u is held fixed (a stop-gradient, as in the paper), and near the top singular vector after 40 iterations.
      expect(g[i][j]).toBeCloseTo(numeric, 2);
    }
  });
});

describe('training with spectral normalisation', () => {
  const data = (): GanData => {
    const rng = new Rng(5);
    const n = 9;
    return { x: Float32Array.from({ length: n * 16 * 16 }, () => (rng.next() < 0.2 ? 1 : -1)), labels: Int32Array.from({ length: n }, (_, i) => i % 3), n, size: 16 };
  };
  it('changes the raw weights and u; σ of every kernel D applies stays near 1', async () => {
    const s = createGan(CganConfig.parse(base), 1);
    const u0 = s.spectralNorm!.kernels.map((k) => Array.from(k.u.dataSync()));
    const d0 = s.discriminator.getWeights().map((w) => Array.from(w.dataSync()));
    const h = await trainAdversarial(s, data(), 4, 4);
    for (const st of h) expect(Number.isFinite(st.dLoss) && Number.isFinite(st.gLoss)).toBe(true);
    expect(s.spectralNorm!.kernels.map((k) => Array.from(k.u.dataSync()))).not.toEqual(u0);
    expect(s.discriminator.getWeights().map((w) => Array.from(w.dataSync()))).not.toEqual(d0);
    for (let i = 0; i < 30; i++) powerIterate(s.spectralNorm!);
    const eff = effectiveDiscriminator(s);
    expect(eff).not.toBe(s.discriminator);
    const effSn = createSpectralNorm(eff, 9);
    for (let i = 0; i < 60; i++) powerIterate(effSn);
    for (const k of effSn.kernels) expect(sigma(k.weight.read(), k.u).dataSync()[0]).toBeCloseTo(1, 2);
  });
  it('without the option there is no normalisation and the saved D is D itself', () => {
    const s = createGan(CganConfig.parse({ ...base, spectralNorm: false }), 1);
    expect(s.spectralNorm).toBeNull();
    expect(effectiveDiscriminator(s)).toBe(s.discriminator);
  });
  it('sig train cgan --spectral-norm: model/discriminator holds the normalised kernels, the checkpoint the raw ones and u', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cgan-sn-'));
    dirs.push(dir);
    await synthesizeDataset({ writers: 2, perWriter: 4, seed: 3, out: join(dir, 'data') });
    const out = join(dir, 'gan');
    await trainCganRun({
      data: join(dir, 'data'), out, backend: 'wasm', model: { genFilters: 8, discFilters: 4, emaDecay: 0, spectralNorm: true },
      train: { steps: 2, batch: 4, seed: 1, sampleEvery: 2, checkpointEvery: 2, snapshotEvery: 2, holdout: 0, gridLabels: 2 },
    });
    const saved = (await loadModel(join(out, 'model', 'discriminator'))).getWeights().map((t) => Array.from(t.dataSync()));
    const ck = await loadCheckpoint(join(out, 'checkpoint'));
    const raw = ck.discriminator.getWeights().map((t) => Array.from(t.dataSync()));
    const expected = normalisedWeights(ck.discriminator, ck.spectralNorm!).map((t) => Array.from(t.dataSync()));
    expect(saved.length).toBe(expected.length);
    saved.forEach((w, i) => w.forEach((v, j) => expect(v).toBeCloseTo(expected[i][j], 6)));
    expect(saved).not.toEqual(raw);
  });
});
