// The CGAN's fast wasm kernels against cpu (values and gradients): native Gemm for every Dense product and its
// gradients (native-matmul.ts), the channel Concat / SplitV, LeakyReLU's gradient and the ×k nearest
// up-sampling gradient (wasm-gan-kernels.ts); and that the fast paths really ran.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { nativeConvSessionCount, nativeRuntime } from '../apps/trainer/src/backend/native-conv.ts';
import { setNativeMatMul } from '../apps/trainer/src/backend/native-matmul.ts';
import { deinterleave, interleave } from '../apps/trainer/src/backend/wasm-gan-kernels.ts';
import { useTrainableWasm } from '../apps/trainer/src/backend/wasm-setup.ts';
import { wasmVsCpu } from './helpers/wasm-vs-cpu.ts';

const { expectSameOnWasmAndCpu } = wasmVsCpu(77);

beforeAll(async () => {
  await useTrainableWasm();
});

/** Kernel names a function ran on wasm. */
async function kernelsRun(f: () => tf.Tensor): Promise<string[]> {
  tf.setBackend('wasm');
  const p = await tf.profile(() => f());
  return p.kernels.map((k) => k.name);
}

describe('Dense products on native Gemm match cpu', () => {
  for (const native of [true, false]) {
    const cases: [number[], number[], boolean, boolean][] = [
      [[5, 7], [7, 300], false, false],
      [[7, 5], [7, 300], true, false],
      [[5, 7], [300, 7], false, true],
      [[7, 5], [300, 7], true, true],
    ];
    for (const [a, b, ta, tb] of cases) {
      it(`${native ? 'native' : 'wasm'}: matMul ${a}${ta ? 'ᵀ' : ''} · ${b}${tb ? 'ᵀ' : ''} and its gradients`, () => {
        setNativeMatMul(native);
        try {
          expectSameOnWasmAndCpu((x, y) => tf.matMul(x, y, ta, tb), [a, b]);
        } finally {
          setNativeMatMul(true);
        }
      });
    }
  }
  for (const activation of ['linear', 'relu', 'leakyrelu'] as const) {
    it(`fused matMul + bias + ${activation} and its gradients`, () => {
      expectSameOnWasmAndCpu((x, w, b) => tf.fused.matMul({ a: x, b: w, bias: b, activation, leakyreluAlpha: 0.2 }), [[6, 9], [9, 40], [40]]);
    });
  }
  it('batched products fall back to the wasm kernel and still match', () => {
    expectSameOnWasmAndCpu((x, y) => tf.matMul(x, y), [[3, 4, 5], [3, 5, 6]]);
  });
  it.runIf(nativeRuntime() !== null)('a Dense product creates a native session', async () => {
    const before = nativeConvSessionCount();
    const names = await kernelsRun(() => tf.matMul(tf.ones([3, 11]), tf.ones([11, 13])));
    expect(names).toContain('BatchMatMul');
    expect(nativeConvSessionCount()).toBeGreaterThan(before);
  });
});

describe('discriminator kernels on wasm match cpu', () => {
  it('image ⊕ label plane on the channel axis (Concat) and its gradient (SplitV)', () => {
    expectSameOnWasmAndCpu((x, m) => tf.concat([x, m], -1), [[3, 8, 8, 1], [3, 8, 8, 1]]);
  });
  it('Concat / SplitV of long runs and on a middle axis', () => {
    expectSameOnWasmAndCpu((x, m) => tf.concat([x, m], 3), [[2, 3, 4, 20], [2, 3, 4, 17]]);
    expectSameOnWasmAndCpu((x, m) => tf.concat([x, m], 1), [[2, 3, 4, 2], [2, 5, 4, 2]]);
    expectSameOnWasmAndCpu((x) => tf.split(x, [1, 3, 2], 2)[1], [[2, 3, 6, 2]]);
  });
  it('interleave and deinterleave are inverse', () => {
    const a = Float32Array.from({ length: 6 }, (_, i) => i);
    const b = Float32Array.from({ length: 12 }, (_, i) => 100 + i);
    const out = new Float32Array(18);
    interleave(out, [a, b], [2, 4], 3);
    expect(Array.from(out.subarray(0, 6))).toEqual([0, 1, 100, 101, 102, 103]);
    const [a2, b2] = [new Float32Array(6), new Float32Array(12)];
    deinterleave(out, [a2, b2], [2, 4], 3);
    expect(a2).toEqual(a);
    expect(b2).toEqual(b);
  });
  it('LeakyReLU (α 0.2) and its gradient, through the one fast kernel', async () => {
    expectSameOnWasmAndCpu((x) => tf.leakyRelu(x, 0.2), [[3, 6, 6, 4]]);
    const names = await kernelsRun(() => tf.grad((x: tf.Tensor) => tf.sum(tf.leakyRelu(x, 0.2)))(tf.ones([2, 3])));
    expect(names).toContain('SigLeakyReluGrad');
    expect(names).not.toContain('Select');
  });
  // The sum-pool path (integer factors, no align-corners) at batch 2 is also checked against the exact transpose
  // in test/wasm-grad.test.ts; tfjs-backend-cpu's own nearest gradient is right only at batch 1.
  it('×2 nearest up-sampling gradient (a sum pool) matches cpu', () => {
    expectSameOnWasmAndCpu((x) => tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [8, 12]), [[1, 4, 6, 3]]);
    expectSameOnWasmAndCpu((x) => tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [8, 12], false, true), [[1, 4, 6, 3]]);
  });
});
