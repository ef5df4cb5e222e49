// When onnxruntime-node's native binding cannot load, training still works on the wasm convolutions and the
// failure is reported in the backend line (not swallowed). Its own file: the binding is loaded once per process.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { nativeConvSessionCount, nativeConvStatus } from '../apps/trainer/src/backend/native-conv.ts';
import { selectBackend } from '../apps/trainer/src/backend/select.ts';
import { backendSettingsFromEnv, configureBackend } from '../apps/trainer/src/backend/settings.ts';
import { usesNativeConvolutions } from '../apps/trainer/src/backend/wasm-setup.ts';

describe('native convolutions that cannot load', () => {
  it('reads the switches from the environment only when asked, with the documented meanings', () => {
    expect(backendSettingsFromEnv({})).toEqual({ nativeConv: 'nchwc', nativeBinding: 'onnxruntime-node/dist/binding.js', concurrentMarking: false });
    expect(backendSettingsFromEnv({ SIG_NATIVE_CONV: '0', SIG_CONCURRENT_MARKING: '1' })).toMatchObject({ nativeConv: 'off', concurrentMarking: true });
    expect(backendSettingsFromEnv({ SIG_NATIVE_CONV: 'gemm' }).nativeConv).toBe('gemm');
  });

  it('reports why, and a convolutional model still trains on the wasm kernels', async () => {
    configureBackend({ nativeBinding: 'onnxruntime-node/dist/no-such-binding.js' });
    const lines: string[] = [];
    expect(await selectBackend('wasm', { log: (l) => lines.push(l) })).toBe('wasm');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^backend: wasm \(convolutions: wasm; native ones unavailable: onnxruntime-node's native binding did not load \(.*no-such-binding/);
    expect(nativeConvStatus().available).toBe(false);
    expect(usesNativeConvolutions()).toBe(false);

    const input = tfl.input({ shape: [8, 8, 1] });
    let x = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(input) as tfl.SymbolicTensor;
    x = tfl.layers.flatten().apply(x) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 2, activation: 'softmax' }).apply(x) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: out });
    const xs = tf.tensor4d(Float32Array.from({ length: 8 * 64 }, (_, i) => ((i * 7) % 13) / 13), [8, 8, 8, 1]);
    const ys = tf.oneHot(tf.tensor1d([0, 1, 0, 1, 0, 1, 0, 1], 'int32'), 2);
    const optimizer = tf.train.adam(0.05);
    const loss = () => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar;
    const first = (optimizer.minimize(loss, true) as tf.Scalar).dataSync()[0];
    let last = first;
    for (let i = 0; i < 30; i++) last = (optimizer.minimize(loss, true) as tf.Scalar).dataSync()[0];
    expect(Number.isFinite(last)).toBe(true);
    expect(last).toBeLessThan(first * 0.9);
    expect(nativeConvSessionCount(), 'no native session was created').toBe(0);
  });
});
