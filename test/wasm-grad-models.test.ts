// End to end: the gradients of every trainable weight of the project's models (classifier, CGAN generator with
// both up-sampling modes, discriminator with and without spectral normalisation, real/fake detector) on the trainable wasm backend against `cpu`, in
// training mode, so every gradient path these models use on wasm is covered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '@sig/shared';
import { useTrainableWasm } from '../apps/trainer/src/backend/wasm-setup.ts';
import { buildClassifier } from '../apps/trainer/src/model/classifier.ts';
import { buildDiscriminator, buildGenerator } from '../apps/trainer/src/model/cgan.ts';
import { buildRealFake } from '../apps/trainer/src/model/realfake.ts';
import { createSpectralNorm, powerIterate, withSpectralNorm } from '../apps/trainer/src/train/spectral-norm.ts';

const rng = new Rng(99);
const random = (shape: number[]) => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.next() * 2 - 1);

/**
 * Gradients of sum(output · R) w.r.t. all trainable weights, with the weights and inputs given; `spectral`: with the
 * kernels spectrally normalised (u from a fixed seed, three power iterations on this backend).
 */
function weightGrads(backend: string, build: () => tfl.LayersModel, weights: Float32Array[], inputs: { data: Float32Array; shape: number[] }[], r: Float32Array, spectral = false): Float32Array[] {
  tf.setBackend(backend);
  const model = build();
  model.setWeights(model.getWeights().map((w, i) => tf.tensor(weights[i], w.shape)));
  const sn = spectral ? createSpectralNorm(model, 7) : null;
  for (let i = 0; sn && i < 3; i++) powerIterate(sn);
  const out = tf.tidy(() => {
    const xs = inputs.map((i) => tf.tensor(i.data, i.shape));
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { grads } = tf.variableGrads(() => {
      const out = withSpectralNorm(sn, () => model.apply(xs.length === 1 ? xs[0] : xs, { training: true }) as tf.Tensor | tf.Tensor[]);
      // a random linear function of every output (several outputs: consecutive slices of r)
      let offset = 0;
      const terms = (Array.isArray(out) ? out : [out]).map((y) => {
        const t = tf.sum(tf.mul(y, tf.tensor(r.subarray(offset, offset + y.size), y.shape)));
        offset += y.size;
        return t;
      });
      return tf.addN(terms) as tf.Scalar;
    }, vars);
    return vars.map((v) => grads[v.name].dataSync() as Float32Array);
  });
  model.dispose();
  sn?.kernels.forEach((k) => k.u.dispose());
  return out;
}

function expectModelGradsMatch(build: () => tfl.LayersModel, inputShapes: number[][], outSize: number, spectral = false): void {
  tf.setBackend('cpu');
  const probe = build();
  const weights = probe.getWeights().map((w) => random(w.shape));
  probe.dispose();
  const inputs = inputShapes.map((shape) => ({ data: random(shape), shape }));
  const r = random([outSize]);
  const onWasm = weightGrads('wasm', build, weights, inputs, r, spectral);
  const onCpu = weightGrads('cpu', build, weights, inputs, r, spectral);
  onCpu.forEach((ref, i) => {
    let num = 0;
    let den = 1e-12;
    for (let j = 0; j < ref.length; j++) {
      num = Math.max(num, Math.abs(onWasm[i][j] - ref[j]));
      den = Math.max(den, Math.abs(ref[j]));
    }
    expect(num / den, `trainable weight ${i}`).toBeLessThanOrEqual(1e-4);
  });
}

/**
 * tfjs-backend-cpu's ResizeNearestNeighborGrad is wrong for batch > 1 (batch offsets taken from the image, not
 * dy; test/wasm-grad.test.ts checks ours against the exact transpose). For the reference runs, replace it on cpu
 * with what an integer k× nearest up-sampling's gradient is: a k×k sum pool (average pool × k²).
 */
function useCorrectCpuNearestGrad(): () => void {
  const original = tf.getKernel('ResizeNearestNeighborGrad', 'cpu')!;
  const avgPool = tf.getKernel('AvgPool', 'cpu')!.kernelFunc;
  const multiply = tf.getKernel('Multiply', 'cpu')!.kernelFunc;
  tf.unregisterKernel('ResizeNearestNeighborGrad', 'cpu');
  tf.registerKernel({
    kernelName: 'ResizeNearestNeighborGrad',
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { images, dy } = inputs as { images: tf.TensorInfo; dy: tf.TensorInfo };
      const kh = dy.shape[1] / images.shape[1];
      const kw = dy.shape[2] / images.shape[2];
      if (!Number.isInteger(kh) || !Number.isInteger(kw) || (attrs as { alignCorners: boolean }).alignCorners) throw new Error('test kernel: integer up-sampling only');
      const pooled = avgPool({ inputs: { x: dy }, backend, attrs: { filterSize: [kh, kw], strides: [kh, kw], pad: 'valid' } }) as tf.TensorInfo;
      const cpu = backend as unknown as { makeTensorInfo(s: number[], d: string, v: Float32Array): tf.TensorInfo; disposeIntermediateTensorInfo(t: tf.TensorInfo): void };
      const factor = cpu.makeTensorInfo([], 'float32', new Float32Array([kh * kw]));
      const out = multiply({ inputs: { a: pooled, b: factor }, backend, attrs: {} }) as tf.TensorInfo;
      cpu.disposeIntermediateTensorInfo(pooled);
      cpu.disposeIntermediateTensorInfo(factor);
      return out;
    },
  });
  return () => {
    tf.unregisterKernel('ResizeNearestNeighborGrad', 'cpu');
    tf.registerKernel(original);
  };
}

let restoreCpu: () => void;
beforeAll(async () => {
  await useTrainableWasm();
  restoreCpu = useCorrectCpuNearestGrad();
});
afterAll(() => restoreCpu());

describe('model gradients on trainable wasm match cpu', () => {
  it('classifier (width 0.125, 16×32)', () => {
    const cfg = { classes: 5, inputHeight: 16, inputWidth: 32, widthMultiplier: 0.125, dropout: 0 };
    expectModelGradsMatch(() => buildClassifier(cfg), [[2, 16, 32, 1]], 2 * 5);
  });
  for (const upsample of ['resize', 'transpose'] as const) {
    it(`CGAN generator (${upsample} up-sampling)`, () => {
      const cfg = { numClasses: 4, latentDim: 8, imageSize: 16, seedSize: 4, genFilters: 8, upsample };
      expectModelGradsMatch(() => buildGenerator(cfg), [[3, 8], [3, 4]], 3 * 16 * 16);
    });
  }
  it('CGAN discriminator', () => {
    const cfg = { numClasses: 4, imageSize: 16, seedSize: 4, discFilters: 4, discLayers: 2, auxWeight: 0 };
    expectModelGradsMatch(() => buildDiscriminator(cfg), [[3, 16, 16, 1], [3, 4]], 3);
  });
  it('CGAN discriminator with the auxiliary classifier head (the default: score and class logits)', () => {
    const cfg = { numClasses: 4, imageSize: 16, seedSize: 4, discFilters: 4, discLayers: 2, auxWeight: 1 };
    expectModelGradsMatch(() => buildDiscriminator(cfg), [[3, 16, 16, 1], [3, 4]], 3 + 3 * 4);
  });
  it('CGAN discriminator with the head and spectral normalisation (--spectral-norm: gradients through σ)', () => {
    const cfg = { numClasses: 4, imageSize: 16, seedSize: 4, discFilters: 4, discLayers: 2, auxWeight: 1 };
    expectModelGradsMatch(() => buildDiscriminator(cfg), [[3, 16, 16, 1], [3, 4]], 3 + 3 * 4, true);
  });
  it('CGAN discriminator with the projection head and a hinge score (Dot, embedding Dense)', () => {
    const cfg = { numClasses: 4, imageSize: 16, seedSize: 4, discFilters: 4, discLayers: 2, discCondition: 'projection', loss: 'hinge', auxWeight: 0 } as const;
    expectModelGradsMatch(() => buildDiscriminator(cfg), [[3, 16, 16, 1], [3, 4]], 3);
  });
  it('real/fake detector', () => {
    const cfg = { imageSize: 16, filters: 4, blocks: 2, dense: 8 };
    expectModelGradsMatch(() => buildRealFake(cfg), [[3, 16, 16, 1]], 3);
  });
});
