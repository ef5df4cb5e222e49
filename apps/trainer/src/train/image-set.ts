// Labelled grayscale images held in memory as one NHWC float array, the unit the supervised loop works on.
import type { FloatImage } from '@sig/shared';
import type { Batch } from '../data/load-batch.ts';
import { Rng } from '@sig/shared';

/**
 * n images of height × width (one channel), labels 0..classes-1, and the original sample each came from
 * (images of one group never cross splits): the batch that `loadPreprocessed` returns.
 */
export type ImageSet = Batch;

/** An identity-keeping augmentation of one image (paper 0, ink high), drawing only from `rng`. */
export type Augment = (img: FloatImage, rng: Rng) => FloatImage;

/** The images at `indices` (copied). */
export function subset(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const px = set.height * set.width;
  const x = new Float32Array(indices.length * px);
  const y = new Int32Array(indices.length);
  const groups = new Int32Array(indices.length);
  for (let j = 0; j < indices.length; j++) {
    const i = indices[j];
    x.set(set.x.subarray(i * px, (i + 1) * px), j * px);
    y[j] = set.y[i];
    groups[j] = set.groups[i];
  }
  return { x, y, groups, n: indices.length, height: set.height, width: set.width };
}

/** Image `i` as a FloatImage view (no copy). */
export function imageAt(set: ImageSet, i: number): FloatImage {
  const px = set.height * set.width;
  return { width: set.width, height: set.height, data: set.x.subarray(i * px, (i + 1) * px) };
}

/** A deterministic seed from several integers (splitmix-style mixing), for per-step and per-sample RNGs. */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p | 0), 0x01000193);
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
    h ^= h >>> 13;
  }
  return h | 0;
}

/**
 * Gathers a batch: images at `indices`, each augmented with its own RNG seeded from (seed, step, position)
 * when `augment` is given, so a batch depends only on the seed and the step (resumable, reproducible).
 */
export function gatherBatch(set: ImageSet, indices: ArrayLike<number>, augment: Augment | undefined, seed: number, step: number): { x: Float32Array; y: Int32Array; n: number } {
  const px = set.height * set.width;
  const x = new Float32Array(indices.length * px);
  const y = new Int32Array(indices.length);
  for (let j = 0; j < indices.length; j++) {
    const i = indices[j];
    const img = imageAt(set, i);
    const out = augment ? augment(img, new Rng(mixSeed(seed, step, j, 17))) : img;
    if (out.width !== set.width || out.height !== set.height) throw new Error('augment changed the image size');
    x.set(out.data, j * px);
    y[j] = set.y[i];
  }
  return { x, y, n: indices.length };
}
