// Comparing an op's value and gradients on the trainable wasm backend against the reference `cpu` backend:
// max |wasm − cpu| / max |cpu| ≤ 1e-4, on random inputs from a seeded stream.
import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@sig/shared';

export type WasmCpuFn = (...xs: tf.Tensor[]) => tf.Tensor;
type Input = { data: Float32Array; shape: number[] };

/** Helpers sharing one random stream seeded with `seed`. */
export function wasmVsCpu(seed: number) {
  const rng = new Rng(seed);
  function randn(shape: number[]): Input {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = rng.next() * 2 - 1;
    return { data, shape };
  }

  /** Value and gradients of sum(f(xs) · R) (R random, so dy is not constant) on one backend. */
  function valueAndGrads(backend: string, f: WasmCpuFn, inputs: Input[], r: Float32Array): Float32Array[] {
    tf.setBackend(backend);
    return tf.tidy(() => {
      const xs = inputs.map((i) => tf.tensor(i.data, i.shape));
      const y = f(...xs);
      const rt = tf.tensor(r.subarray(0, y.size), y.shape);
      const g = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(f(...a), rt)))(xs);
      return [y.dataSync() as Float32Array, ...g.map((t) => t.dataSync() as Float32Array)];
    });
  }

  function relErr(a: Float32Array, b: Float32Array): number {
    let num = 0;
    let den = 1e-12;
    for (let i = 0; i < b.length; i++) {
      num = Math.max(num, Math.abs(a[i] - b[i]));
      den = Math.max(den, Math.abs(b[i]));
    }
    return num / den;
  }

  function expectSameOnWasmAndCpu(f: WasmCpuFn, shapes: number[][]): void {
    const inputs = shapes.map(randn);
    const r = randn([1 << 20]).data;
    const onWasm = valueAndGrads('wasm', f, inputs, r);
    const onCpu = valueAndGrads('cpu', f, inputs, r);
    expect(onWasm.length).toBe(onCpu.length);
    onCpu.forEach((ref, i) => {
      expect(onWasm[i].length).toBe(ref.length);
      expect(relErr(onWasm[i], ref), `output ${i}`).toBeLessThanOrEqual(1e-4);
    });
  }
  return { randn, valueAndGrads, relErr, expectSameOnWasmAndCpu };
}
