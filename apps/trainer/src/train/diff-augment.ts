// Differentiable augmentation for a GAN's discriminator (Zhao et al. 2020, "DiffAugment"): the same kind of
// random transformation is applied to real and generated images before D sees them, built from differentiable
// ops so G's gradient flows through it. With few images per class D otherwise memorises the real set and its
// feedback to G collapses; augmenting only the real images would teach G to draw the augmentations.
// Images are in the generator's space ([-1, 1], paper -1), so everything moved in or cut out becomes paper.
// With adaptive augmentation (ADA, Karras et al. 2020) each transformation is applied to each image with a
// probability p (train/ada.ts tunes it); p = 1 is DiffAugment and draws exactly its random numbers.
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@sig/shared';

export type DiffAugmentPolicy = 'translation' | 'cutout';

/** Whether one image gets one transformation: always at p = 1 (no random number drawn), else with probability p. */
const picked = (rng: Rng, p: number): boolean => p >= 1 || (p > 0 && rng.next() < p);

/** Shift each image (each with probability p) by up to ±ratio·size pixels in each axis (DiffAugment: 1/8), paper filling the gap. */
export function translate(x: tf.Tensor4D, rng: Rng, ratio = 1 / 8, p = 1): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const sh = Math.round(h * ratio);
  const sw = Math.round(w * ratio);
  if ((sh === 0 && sw === 0) || p <= 0) return x;
  const padded = tf.pad(x, [[0, 0], [sh, sh], [sw, sw], [0, 0]], -1);
  const parts: tf.Tensor4D[] = [];
  for (let i = 0; i < n; i++) {
    const move = picked(rng, p);
    const dy = move ? rng.int(2 * sh + 1) : sh;
    const dx = move ? rng.int(2 * sw + 1) : sw;
    parts.push(tf.slice(padded, [i, dy, dx, 0], [1, h, w, c]));
  }
  return tf.concat(parts, 0);
}

/** The 0/1 mask of one square hole of side ratio·size per image (DiffAugment: half the side; each image with probability p), at a random place. */
export function cutoutMask(n: number, h: number, w: number, rng: Rng, ratio = 1 / 2, p = 1): Float32Array {
  const mh = Math.round(h * ratio);
  const mw = Math.round(w * ratio);
  const mask = new Float32Array(n * h * w).fill(1);
  for (let i = 0; i < n; i++) {
    if (!picked(rng, p)) continue;
    // The hole's centre anywhere in the image, as DiffAugment does (holes may be partly outside).
    const cy = rng.int(h + (1 - (mh % 2)));
    const cx = rng.int(w + (1 - (mw % 2)));
    for (let y = Math.max(0, cy - (mh >> 1)); y < Math.min(h, cy - (mh >> 1) + mh); y++) {
      for (let xx = Math.max(0, cx - (mw >> 1)); xx < Math.min(w, cx - (mw >> 1) + mw); xx++) mask[(i * h + y) * w + xx] = 0;
    }
  }
  return mask;
}

/** Paint a random square of each image paper: x·m + (m − 1), so the hole is −1 and the gradient there 0. */
export function cutout(x: tf.Tensor4D, rng: Rng, ratio = 1 / 2, p = 1): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  if (c !== 1) throw new Error('cutout: single-channel images only');
  if (p <= 0) return x;
  const m = tf.tensor4d(cutoutMask(n, h, w, rng, ratio, p), [n, h, w, 1]);
  return tf.add(tf.mul(x, m), tf.sub(m, 1));
}

/** Applies the policy's transformations in order, each with fresh randomness from `rng` and to each image with probability p. */
export function diffAugment(x: tf.Tensor4D, policy: readonly DiffAugmentPolicy[], rng: Rng, p = 1): tf.Tensor4D {
  let y = x;
  for (const t of policy) y = t === 'translation' ? translate(y, rng, 1 / 8, p) : cutout(y, rng, 1 / 2, p);
  return y;
}
