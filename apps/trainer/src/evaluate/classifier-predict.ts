// Batched inference of the classifier over an in-memory image set, optionally with test-time augmentation
// (mean of the probabilities over the original and augmented copies).
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { gatherBatch, mixSeed, type Augment, type ImageSet } from '../train/image-set.ts';

/** Class probabilities for every image of `set` (row-major [n, classes]); `model` outputs probabilities. */
export async function predictProbabilities(
  model: tfl.LayersModel,
  set: ImageSet,
  opts: { batchSize?: number; tta?: number; augment?: Augment; seed?: number } = {},
): Promise<Float32Array> {
  const bs = opts.batchSize ?? 64;
  const copies = opts.augment ? 1 + (opts.tta ?? 0) : 1;
  const classes = (model.outputs[0].shape as number[])[1];
  const out = new Float32Array(set.n * classes);
  for (let c = 0; c < copies; c++) {
    for (let start = 0; start < set.n; start += bs) {
      const idx = Array.from({ length: Math.min(bs, set.n - start) }, (_, j) => start + j);
      // Copy 0 is the image itself; copies 1.. are augmented with RNGs seeded from (seed, copy, batch).
      const aug = c === 0 ? undefined : opts.augment;
      const batch = gatherBatch(set, idx, aug, mixSeed(opts.seed ?? 0, c), start);
      const p = tf.tidy(() => model.predict(tf.tensor4d(batch.x, [batch.n, set.height, set.width, 1])) as tf.Tensor);
      const data = (await p.data()) as Float32Array;
      p.dispose();
      for (let k = 0; k < data.length; k++) out[start * classes + k] += data[k] / copies;
    }
  }
  return out;
}

/** Mean cross-entropy of probabilities against labels. */
export function crossEntropy(probs: Float32Array, labels: Int32Array, classes: number): number {
  let s = 0;
  for (let i = 0; i < labels.length; i++) s -= Math.log(Math.max(probs[i * classes + labels[i]], 1e-7));
  return labels.length ? s / labels.length : 0;
}
