// Each gradient this project registers for the wasm backend, against the reference `cpu` backend on random
// inputs: max |wasm − cpu| / max |cpu| ≤ 1e-4 over several shapes, strides and paddings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { fixCpuResizeGradients } from '../apps/trainer/src/backend/resize-grad.ts';
import { CONV2D_BIAS_RELU, conv2dBiasRelu } from '../apps/trainer/src/backend/fused-conv-training.ts';
import { BATCH_NORM_TRAIN, batchNormTrain } from '../apps/trainer/src/backend/fused-batchnorm-training.ts';
import {
  nativeConvSessionCount,
  nchwcBlockSize,
  nchwcSessionCount,
  setNativeConvolutions,
  setNchwcConvolutions,
} from '../apps/trainer/src/backend/native-conv.ts';
import { usesNativeConvolutions, useTrainableWasm } from '../apps/trainer/src/backend/wasm-setup.ts';
import { wasmVsCpu, type WasmCpuFn } from './helpers/wasm-vs-cpu.ts';

const { randn, valueAndGrads, relErr, expectSameOnWasmAndCpu } = wasmVsCpu(2024);
type Fn = WasmCpuFn;

beforeAll(async () => {
  await useTrainableWasm();
});

// The convolutions run on onnxruntime-node's native kernels when it loads (native-conv.ts): NCHWc graphs where
// the channel counts allow, im2col/GEMM graphs elsewhere; without it on the wasm kernels (wasm-conv-grad.ts,
// XNNPACK). All three paths are checked against cpu.
for (const mode of ['nchwc', 'gemm', 'wasm'] as const) {
  const native = mode !== 'wasm';
  const kind = { nchwc: 'native NCHWc and GEMM kernels', gemm: 'native GEMM kernels only', wasm: 'wasm (XNNPACK) kernels' }[mode];
  describe(`convolutions on ${kind}`, () => {
    let sessionsBefore = 0;
    let nchwcBefore = 0;
    beforeAll(() => {
      setNativeConvolutions(native);
      setNchwcConvolutions(mode === 'nchwc');
      sessionsBefore = nativeConvSessionCount();
      nchwcBefore = nchwcSessionCount();
    });
    afterAll(() => {
      if (native) expect(nativeConvSessionCount(), 'native sessions created').toBeGreaterThan(sessionsBefore);
      else expect(nativeConvSessionCount(), 'no native session while switched off').toBe(sessionsBefore);
      // The NCHWc kernels exist on x86-64 with AVX2 or AVX-512 (this project's machines); elsewhere the GEMM graphs serve.
      if (mode === 'nchwc' && nchwcBlockSize() > 0) expect(nchwcSessionCount(), 'NCHWc sessions created').toBeGreaterThan(nchwcBefore);
      else expect(nchwcSessionCount(), 'no NCHWc session while switched off').toBe(nchwcBefore);
      setNativeConvolutions(true);
      setNchwcConvolutions(true);
    });
    if (native) {
      it('onnxruntime-node loads and its convolutions are registered', () => {
        expect(usesNativeConvolutions()).toBe(true);
      });
    }
    if (mode === 'nchwc') {
      it('the NCHWc block size is read from onnxruntime (16 with AVX-512, 8 with AVX2, 0 without)', () => {
        expect([0, 4, 8, 16]).toContain(nchwcBlockSize());
      });
    }
  describe(`Conv2D and its gradients on ${kind} match cpu`, () => {
    const cases: { x: number[]; f: number[]; s: number | [number, number]; p: 'same' | 'valid' | number }[] = [
      { x: [2, 9, 11, 3], f: [3, 3, 3, 4], s: 1, p: 'same' },
      { x: [2, 9, 11, 3], f: [3, 3, 3, 4], s: 1, p: 'valid' },
      { x: [3, 10, 12, 2], f: [3, 3, 2, 5], s: 2, p: 'same' },
      { x: [3, 11, 13, 2], f: [3, 3, 2, 5], s: 2, p: 'valid' },
      { x: [2, 8, 9, 4], f: [3, 5, 4, 3], s: [1, 2], p: 'same' },
      { x: [2, 8, 8, 3], f: [4, 4, 3, 2], s: 2, p: 1 },
      { x: [4, 7, 7, 6], f: [1, 1, 6, 8], s: 1, p: 'valid' },
      { x: [2, 16, 32, 1], f: [3, 3, 1, 8], s: 1, p: 'same' },
      { x: [2, 16, 16, 2], f: [4, 4, 2, 4], s: 2, p: 'same' }, // the CGAN discriminator's strided convolutions
      // stride 1 with ≥ 8 input channels: the native filter gradient's slab GEMMs
      { x: [2, 9, 11, 8], f: [3, 3, 8, 5], s: 1, p: 'same' },
      { x: [2, 7, 9, 10], f: [3, 3, 10, 4], s: 1, p: 'valid' },
      { x: [2, 8, 8, 8], f: [4, 4, 8, 3], s: 1, p: 'same' }, // even kernel: uneven padding
      { x: [3, 6, 9, 8], f: [1, 5, 8, 2], s: 1, p: 'same' },
      { x: [2, 5, 5, 9], f: [1, 1, 9, 4], s: 1, p: 'valid' },
      // whole channel blocks (8 and 16 both divide them): the NCHWc graphs, input gradient included
      { x: [2, 9, 11, 16], f: [3, 3, 16, 16], s: 1, p: 'same' },
      { x: [2, 8, 10, 16], f: [3, 3, 16, 20], s: 1, p: 'valid' }, // output channels padded to whole blocks
      { x: [2, 7, 9, 16], f: [3, 3, 16, 4], s: 1, p: 'same' }, // input gradient from fewer channels than a block
      { x: [2, 10, 12, 32], f: [3, 3, 32, 16], s: 2, p: 'same' }, // strided: NCHWc forward, ConvTranspose gradient
      { x: [1, 6, 7, 16], f: [2, 2, 16, 16], s: 1, p: 'same' }, // even kernel: uneven padding
    ];
    for (const c of cases) {
      it(`x ${c.x} filter ${c.f} stride ${c.s} pad ${c.p}`, () => {
        expectSameOnWasmAndCpu((x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.s, c.p), [c.x, c.f]);
      });
    }
  });

  describe(`fused convolution (bias, activation) on ${kind} matches cpu`, () => {
    const fused = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, activation: 'linear' | 'relu') =>
      tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, bias: b, strides: 1, pad: 'same', activation });
    for (const [x, f] of [
      [[2, 9, 11, 16], [3, 3, 16, 32]],
      [[2, 8, 8, 3], [3, 3, 3, 5]],
    ]) {
      // Under a gradient tfjs fuses only a linear activation: that runs FusedConv2D with a bias.
      it(`x ${x} filter ${f}, bias, linear, with gradients`, () => {
        expectSameOnWasmAndCpu((a, w, b) => fused(a, w, b, 'linear'), [x, f, [f[3]]]);
      });
      it(`x ${x} filter ${f}, bias, relu (inference)`, () => {
        const inputs = [x, f, [f[3]]].map(randn);
        const run = (backend: string) => {
          tf.setBackend(backend);
          return tf.tidy(() => fused(...(inputs.map((i) => tf.tensor(i.data, i.shape)) as [tf.Tensor, tf.Tensor, tf.Tensor]), 'relu').dataSync() as Float32Array);
        };
        const cpu = run('cpu');
        expect(cpu.some((v) => v === 0) && cpu.some((v) => v > 0), 'the ReLU clips some outputs').toBe(true);
        expect(relErr(run('wasm'), cpu)).toBeLessThanOrEqual(1e-4);
      });
    }
  });

  describe(`Conv2D + bias + ReLU trained as one kernel on ${kind} matches cpu`, () => {
    for (const [x, f, st, p] of [
      [[2, 9, 11, 16], [3, 3, 16, 16], 1, 'same'],
      [[2, 8, 10, 3], [3, 3, 3, 5], 2, 'valid'],
    ] as const) {
      it(`x ${x} filter ${f} stride ${st} ${p}`, () => {
        // cpu runs the three unfused ops; wasm the fused kernel and its registered gradient.
        const fn: Fn = (a, w, b) =>
          tf.getBackend() === 'wasm'
            ? conv2dBiasRelu(a as tf.Tensor4D, w as tf.Tensor4D, b, [st, st], p)
            : tf.relu(tf.add(tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, st, p), b));
        expectSameOnWasmAndCpu(fn, [[...x], [...f], [f[3]]]);
      });
    }
    it('a Conv2D layer with ReLU trains through the fused kernel, with the same gradients as cpu', async () => {
      const layer = tfl.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [6, 7, 16] });
      layer.build([null, 6, 7, 16]);
      const weights = layer.getWeights().map((w) => randn(w.shape));
      weights[1] = randn([16]); // a non-zero bias
      const x = randn([2, 6, 7, 16]);
      const r = randn([2 * 6 * 7 * 16]).data;
      const grads = (backend: string) => {
        tf.setBackend(backend);
        layer.setWeights(weights.map((w) => tf.tensor(w.data, w.shape)));
        return tf.tidy(() => {
          const xt = tf.tensor(x.data, x.shape);
          const { grads: g } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(xt) as tf.Tensor, tf.tensor(r, [2, 6, 7, 16]))) as tf.Scalar);
          return layer.trainableWeights.map((w) => g[(w.read() as tf.Variable).name].dataSync() as Float32Array);
        });
      };
      const cpu = grads('cpu');
      const wasm = grads('wasm');
      cpu.forEach((ref, i) => expect(relErr(wasm[i], ref), `weight ${i}`).toBeLessThanOrEqual(1e-4));
      const kernels = (await tf.profile(() => {
        tf.variableGrads(() => tf.sum(layer.apply(tf.tensor(x.data, x.shape)) as tf.Tensor) as tf.Scalar);
      })).kernels.map((k) => k.name);
      expect(kernels).toContain(CONV2D_BIAS_RELU);
      expect(kernels).not.toContain('Relu');
    });
  });

  describe(`transposed convolution (forward and gradients) on ${kind} matches cpu`, () => {
    for (const [dy, f, out, s, p] of [
      [[2, 5, 6, 4], [3, 3, 3, 4], [2, 10, 12, 3], 2, 'same'],
      [[2, 4, 5, 4], [4, 4, 2, 4], [2, 10, 12, 2], 2, 'valid'],
      [[2, 6, 6, 3], [3, 3, 2, 3], [2, 6, 6, 2], 1, 'same'],
    ] as const) {
      it(`dy ${dy} filter ${f} → ${out} stride ${s} ${p}`, () => {
        expectSameOnWasmAndCpu((a, w) => tf.conv2dTranspose(a as tf.Tensor4D, w as tf.Tensor4D, [...out] as [number, number, number, number], s, p), [[...dy], [...f]]);
      });
    }
  });
  });
}

describe('wasm pooling, BatchNorm, ReLU, mean and up-sampling gradients match cpu', () => {
  for (const [size, stride, pad] of [[2, 2, 'valid'], [3, 2, 'same'], [3, 1, 'same'], [2, 1, 'valid']] as const) {
    it(`max pool ${size}×${size} stride ${stride} ${pad}`, () => {
      expectSameOnWasmAndCpu((x) => tf.maxPool(x as tf.Tensor4D, size, stride, pad), [[2, 9, 10, 3]]);
    });
  }
  it('max pool 2×2 stride 2 on even sizes (the windows tile the input: the one-write path)', () => {
    expectSameOnWasmAndCpu((x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid'), [[2, 8, 10, 5]]);
  });
  it('max-pool gradient with ties goes to the first maximum, as on cpu', () => {
    const values = randn([2, 6, 8, 3]).data.map((v) => Math.round(v)); // -1, 0, 1: many ties
    const dyValues = randn([2, 3, 4, 3]).data;
    const run = (backend: string) => {
      tf.setBackend(backend);
      return tf.tidy(() => {
        const input = tf.tensor4d(values, [2, 6, 8, 3]);
        const output = tf.maxPool(input, 2, 2, 'valid');
        const dy = tf.tensor4d(dyValues, [2, 3, 4, 3]);
        const attrs = { filterSize: 2, strides: 2, pad: 'valid' };
        return (tf.engine().runKernel('MaxPoolGrad', { dy, input, output }, attrs) as tf.Tensor).dataSync() as Float32Array;
      });
    };
    expect(relErr(run('wasm'), run('cpu'))).toBe(0);
  });
  it('average pool 2×2 stride 2', () => {
    expectSameOnWasmAndCpu((x) => tf.avgPool(x as tf.Tensor4D, 2, 2, 'valid'), [[2, 8, 10, 3]]);
  });
  it('batchNorm with per-channel statistics: all five inputs', () => {
    expectSameOnWasmAndCpu(
      (x, m, v, o, s) => tf.batchNorm(x, m as tf.Tensor1D, tf.add(tf.abs(v), 0.5) as tf.Tensor1D, o as tf.Tensor1D, s as tf.Tensor1D, 1e-3),
      [[3, 5, 6, 4], [4], [4], [4], [4]],
    );
  });
  it('batchNorm on a large-mean input', () => {
    expectSameOnWasmAndCpu(
      (x, m, v, o, s) => tf.batchNorm(tf.add(x, 3), m as tf.Tensor1D, tf.add(tf.abs(v), 0.5) as tf.Tensor1D, o as tf.Tensor1D, s as tf.Tensor1D, 1e-3),
      [[2, 4, 5, 6], [6], [6], [6], [6]],
    );
  });
  it('batchNorm without offset and scale (forward; tfjs has no gradient for absent inputs)', () => {
    const [x, m, v] = [[2, 4, 5, 6], [6], [6]].map(randn);
    const run = (backend: string) => {
      tf.setBackend(backend);
      return tf.tidy(() => {
        const bn = tf.batchNorm(tf.tensor(x.data, x.shape), tf.tensor1d(m.data), tf.add(tf.abs(tf.tensor1d(v.data)), 0.5) as tf.Tensor1D, undefined, undefined, 1e-3);
        return bn.dataSync() as Float32Array;
      });
    };
    expect(relErr(run('wasm'), run('cpu'))).toBeLessThanOrEqual(1e-4);
  });
  it('training-mode BatchNormalization layer (moments + batchNorm) w.r.t. its input', () => {
    const layer = tfl.layers.batchNormalization({ gammaInitializer: 'randomNormal', betaInitializer: 'randomNormal' });
    layer.build([null, 6, 7, 5]);
    const weights = layer.getWeights().map((w) => ({ data: w.dataSync().slice() as Float32Array, shape: w.shape }));
    expectSameOnWasmAndCpu((x) => {
      layer.setWeights(weights.map((w) => tf.tensor(w.data, w.shape)));
      return layer.apply(x, { training: true }) as tf.Tensor;
    }, [[4, 6, 7, 5]]);
  });
  it('fused training BatchNorm: output, batch mean and variance, and all their gradients match moments + batchNorm', () => {
    // The loss uses the mean and variance outputs too, so the gradient's terms for them are exercised.
    const fn: Fn = (x, g, b, r1, r2) => {
      const [y, mean, variance] =
        tf.getBackend() === 'wasm'
          ? batchNormTrain(tf.add(x, 0.7), g, b, 1e-3)
          : (() => {
              const m = tf.moments(tf.add(x, 0.7), [0, 1, 2]);
              return [tf.batchNorm(tf.add(x, 0.7), m.mean, m.variance, b as tf.Tensor1D, g as tf.Tensor1D, 1e-3), m.mean, m.variance];
            })();
      return tf.concat([tf.reshape(y, [-1]), tf.mul(mean, r1), tf.mul(variance, r2)]);
    };
    expectSameOnWasmAndCpu(fn, [[3, 5, 6, 4], [4], [4], [4], [4]]);
  });
  it('a BatchNormalization layer trains through the fused kernel: same gradients and moving statistics as cpu', async () => {
    const layer = tfl.layers.batchNormalization({ momentum: 0.9, gammaInitializer: 'randomNormal', betaInitializer: 'randomNormal' });
    layer.build([null, 5, 6, 8]);
    const weights = layer.getWeights().map((w) => ({ data: w.dataSync().slice() as Float32Array, shape: w.shape }));
    const x = randn([3, 5, 6, 8]);
    const r = randn([3 * 5 * 6 * 8]).data;
    const train = (backend: string) => {
      tf.setBackend(backend);
      layer.setWeights(weights.map((w) => tf.tensor(w.data, w.shape)));
      const grads = tf.tidy(() => {
        const xt = tf.tensor(x.data, x.shape);
        const { grads: g } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(xt, { training: true }) as tf.Tensor, tf.tensor(r, x.shape))) as tf.Scalar);
        return layer.trainableWeights.map((w) => g[(w.read() as tf.Variable).name].dataSync() as Float32Array);
      });
      return [...grads, ...layer.getWeights().map((w) => w.dataSync() as Float32Array)];
    };
    const cpu = train('cpu');
    const wasm = train('wasm');
    expect(cpu.length).toBe(6); // dγ, dβ, then γ, β, moving mean, moving variance
    cpu.forEach((ref, i) => expect(relErr(wasm[i], ref), `tensor ${i}`).toBeLessThanOrEqual(1e-4));
    const kernels = (await tf.profile(() => {
      tf.variableGrads(() => tf.sum(layer.apply(tf.tensor(x.data, x.shape), { training: true }) as tf.Tensor) as tf.Scalar);
    })).kernels.map((k) => k.name);
    expect(kernels).toContain(BATCH_NORM_TRAIN);
    expect(kernels).not.toContain('FusedBatchNorm');
  });
  it('a clone (shared data) outlives its original and keeps its values', () => {
    tf.setBackend('wasm');
    const x = tf.tensor([1, 2, 3, 4], [2, 2]);
    const c = tf.clone(x);
    x.dispose();
    const y = tf.add(c, 1);
    expect(Array.from(c.dataSync())).toEqual([1, 2, 3, 4]);
    expect(Array.from(y.dataSync())).toEqual([2, 3, 4, 5]);
    tf.dispose([c, y]);
  });
  it('a cast to its own dtype (shared data) outlives its original; a real cast converts', () => {
    tf.setBackend('wasm');
    const x = tf.tensor([1.5, -2, 3, 4], [2, 2]);
    const same = tf.cast(x, 'float32');
    const ints = tf.cast(x, 'int32');
    x.dispose();
    expect(Array.from(same.dataSync())).toEqual([1.5, -2, 3, 4]);
    expect(ints.dtype).toBe('int32');
    expect(Array.from(ints.dataSync())).toEqual([1, -2, 3, 4]);
    tf.dispose([same, ints]);
  });
  it('relu', () => {
    expectSameOnWasmAndCpu((x) => tf.relu(x), [[3, 7, 5, 4]]);
  });
  for (const [axes, keep] of [[[0, 1, 2], false], [[0], true], [[1, 2], false], [[0, 2], false]] as const) {
    it(`mean and sum over axes ${axes}${keep ? ' (keepDims)' : ''}`, () => {
      expectSameOnWasmAndCpu((x) => tf.add(tf.mean(x, [...axes], keep), tf.sum(tf.square(x), [...axes], keep)), [[3, 4, 5, 6]]);
    });
  }
  // tfjs-backend-cpu's resize gradients are themselves wrong (bilinear returns a transposed shape on non-square
  // images; nearest mixes up batch offsets when batch > 1), so the reference here is the exact transpose of the
  // forward op, built from the cpu forward pass.
  for (const [name, alignCorners, halfPixelCenters] of [['nearest', false, false], ['nearest', true, false], ['nearest', false, true], ['bilinear', false, false], ['bilinear', true, false], ['bilinear', false, true]] as const) {
    it(`${name} up-sampling 5×6 → 10×12 (alignCorners ${alignCorners}, halfPixelCenters ${halfPixelCenters})`, () => {
      const resize = (x: tf.Tensor) =>
        name === 'nearest'
          ? tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [10, 12], alignCorners, halfPixelCenters)
          : tf.image.resizeBilinear(x as tf.Tensor4D, [10, 12], alignCorners, halfPixelCenters);
      expectLinearGradMatches(resize, [2, 5, 6, 2], [2, 10, 12, 2]);
    });
  }
});

/** For a linear per-image op: wasm forward == cpu forward, and wasm gradient == Jᵀ·R with J from cpu forwards. */
function expectLinearGradMatches(f: Fn, shape: number[], outShape: number[]): void {
  const x = randn(shape);
  const r = randn(outShape).data;
  const [yWasm, gWasm] = valueAndGrads('wasm', f, [x], r);
  tf.setBackend('cpu');
  const [yCpu, gRef] = tf.tidy(() => {
    const size = x.data.length;
    // Row i = f(e_i); the op is per image, so the basis batch is flattened into the image batch.
    const basis = tf.reshape(tf.oneHot(tf.range(0, size, 1, 'int32'), size), [size * shape[0], ...shape.slice(1)]);
    const cols = tf.reshape(f(basis), [size, -1]);
    const g = tf.matMul(cols, tf.reshape(tf.tensor(r), [-1, 1]));
    return [f(tf.tensor(x.data, x.shape)).dataSync() as Float32Array, g.dataSync() as Float32Array];
  });
  expect(relErr(yWasm, yCpu), 'forward').toBeLessThanOrEqual(1e-4);
  expect(relErr(gWasm, gRef), 'gradient').toBeLessThanOrEqual(1e-4);
  // The cpu backend as selectBackend leaves it (its built-in resize gradients replaced) is right too.
  fixCpuResizeGradients();
  const [, gCpu] = valueAndGrads('cpu', f, [x], r);
  expect(relErr(gCpu, gRef), 'cpu gradient').toBeLessThanOrEqual(1e-4);
}
