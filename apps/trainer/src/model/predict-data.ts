// A model's predictions read back asynchronously. On WebGPU a synchronous read (dataSync) is not possible in
// Node (it needs OffscreenCanvas) and would stall the GPU queue anyway; every backend supports `await data()`.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** `model.predict(inputs())` as a Float32Array; the inputs are built and disposed here. */
export async function predictData(model: tfl.LayersModel, inputs: () => tf.Tensor | tf.Tensor[], batchSize?: number): Promise<Float32Array> {
  const y = tf.tidy(() => model.predict(inputs(), batchSize ? { batchSize } : {}) as tf.Tensor);
  try {
    return (await y.data()) as Float32Array;
  } finally {
    y.dispose();
  }
}
