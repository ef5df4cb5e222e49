// Prototype (nearest-centroid) scoring on the classifier's embedding layer: each class is the mean of its
// training signatures' L2-normalised embeddings, and a query scores by cosine similarity to every class
// mean. With 3 signatures per student this uses the training images directly at test time, which the
// softmax layer (fit to them with label smoothing and dropout) does only indirectly.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { embeddingModel } from '../model/classifier.ts';
import { gatherBatch, mixSeed, type Augment, type ImageSet } from '../train/image-set.ts';

/** L2-normalised embeddings of every image of `set` ([n, dim]), averaged over `tta` augmented copies + the original. */
export async function embed(classifier: tfl.LayersModel, set: ImageSet, opts: { tta?: number; augment?: Augment; seed?: number } = {}): Promise<{ data: Float32Array; dim: number }> {
  const net = embeddingModel(classifier);
  const dim = (net.outputs[0].shape as number[])[1];
  const copies = opts.augment ? 1 + (opts.tta ?? 0) : 1;
  const out = new Float32Array(set.n * dim);
  for (let c = 0; c < copies; c++) {
    for (let start = 0; start < set.n; start += 64) {
      const idx = Array.from({ length: Math.min(64, set.n - start) }, (_, j) => start + j);
      const batch = gatherBatch(set, idx, c === 0 ? undefined : opts.augment, mixSeed(opts.seed ?? 0, c, 3), start);
      const e = tf.tidy(() => {
        const v = net.predict(tf.tensor4d(batch.x, [batch.n, set.height, set.width, 1])) as tf.Tensor2D;
        return tf.div(v, tf.add(tf.norm(v, 2, 1, true), 1e-8));
      });
      const d = (await e.data()) as Float32Array;
      e.dispose();
      for (let k = 0; k < d.length; k++) out[start * dim + k] += d[k];
    }
  }
  normalizeRows(out, dim);
  return { data: out, dim };
}

function normalizeRows(a: Float32Array, dim: number): void {
  for (let i = 0; i < a.length / dim; i++) {
    let s = 0;
    for (let k = 0; k < dim; k++) s += a[i * dim + k] ** 2;
    const inv = 1 / Math.max(Math.sqrt(s), 1e-8);
    for (let k = 0; k < dim; k++) a[i * dim + k] *= inv;
  }
}

/** Per-class unit-length mean of the reference embeddings ([classes, dim]; a class without references is 0). */
export function classPrototypes(ref: { data: Float32Array; dim: number }, labels: Int32Array, classes: number): Float32Array {
  const { data, dim } = ref;
  const protos = new Float32Array(classes * dim);
  for (let i = 0; i < labels.length; i++) for (let k = 0; k < dim; k++) protos[labels[i] * dim + k] += data[i * dim + k];
  normalizeRows(protos, dim);
  return protos;
}

/** Cosine similarity of every query to every prototype ([n, classes], row-major). */
export function prototypeScores(query: { data: Float32Array; dim: number }, protos: Float32Array, classes: number): Float32Array {
  const { data, dim } = query;
  const n = data.length / dim;
  const out = new Float32Array(n * classes);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < classes; c++) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += data[i * dim + k] * protos[c * dim + k];
      out[i * classes + c] = s;
    }
  }
  return out;
}
