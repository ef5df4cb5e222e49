// The one-kernel Adam update on wasm (apps/trainer/src/backend/fused-adam.ts) against tfjs-core's own Adam on
// the cpu backend: same variables, same optimizer state (names and values) after several steps.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '@sig/shared';
import { ADAM_UPDATE } from '../apps/trainer/src/backend/fused-adam.ts';
import { useTrainableWasm } from '../apps/trainer/src/backend/wasm-setup.ts';

const rng = new Rng(7);
const rand = (n: number) => Float32Array.from({ length: n }, () => rng.next() * 2 - 1);

beforeAll(async () => {
  await useTrainableWasm();
});

/** Three Adam steps on two variables with fixed gradients; returns the variables and the optimizer's weights. */
async function train(backend: string, init: Float32Array[], grads: Float32Array[][]) {
  tf.setBackend(backend);
  const vars = init.map((v, i) => tf.variable(tf.tensor(v, [v.length]), true, `adam_test_${backend}_${i}`));
  const opt = tf.train.adam(0.01, 0.9, 0.999, 1e-7);
  for (const step of grads) opt.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: tf.tensor(step[i], [step[i].length]) })));
  const state = await opt.getWeights();
  const result = {
    values: vars.map((v) => v.dataSync() as Float32Array),
    stateNames: state.map((s) => s.name.replace(`_${backend}_`, '_')),
    state: state.map((s) => s.tensor.dataSync() as Float32Array),
  };
  opt.dispose();
  tf.dispose(vars);
  return result;
}

describe('fused Adam on wasm', () => {
  it('matches tfjs-core Adam on cpu over three steps (values, moment names and values)', async () => {
    const init = [rand(37), rand(5)];
    const grads = [0, 1, 2].map(() => [rand(37), rand(5)]);
    const cpu = await train('cpu', init, grads);
    const wasm = await train('wasm', init, grads);
    expect(wasm.stateNames).toEqual(cpu.stateNames);
    for (const [a, b] of [...cpu.values.map((v, i) => [wasm.values[i], v]), ...cpu.state.map((s, i) => [wasm.state[i], s])]) {
      expect(a.length).toBe(b.length);
      let err = 0;
      for (let i = 0; i < b.length; i++) err = Math.max(err, Math.abs(a[i] - b[i]) / Math.max(1e-3, Math.abs(b[i])));
      expect(err).toBeLessThanOrEqual(1e-5);
    }
    // The values did move (three steps of lr 0.01).
    expect(Math.max(...cpu.values[0].map((v, i) => Math.abs(v - init[0][i])))).toBeGreaterThan(0.01);
  });
  it('runs as one kernel per variable', async () => {
    tf.setBackend('wasm');
    const v = tf.variable(tf.ones([4]), true, 'adam_test_profile');
    const opt = tf.train.adam(0.01);
    const kernels = (await tf.profile(() => opt.applyGradients([{ name: v.name, tensor: tf.ones([4]) }]))).kernels.map((k) => k.name);
    expect(kernels).toContain(ADAM_UPDATE);
    expect(kernels).not.toContain('Sqrt');
    opt.dispose();
    v.dispose();
  });
});
