// The IMLE term (Li & Malik 2018, "Implicit Maximum Likelihood Estimation"; for few-shot generation, Aghabozorgi
// et al. 2023, "Adaptive IMLE"): an adversarial G may draw each label as one shape (mode collapse), and nothing in
// its loss objects, since D only asks that each sample look real. IMLE turns that around: for every real training
// image x of label c, draw K latent vectors, find the one whose sample G(z, c) is nearest to x, and pull that sample
// towards x. Every training signature then has a region of the latent space that draws it, so a student's three
// signatures are three regions rather than one shape, and the latent space between them varies.
//
// Distances and the pull are measured on a coarse view (average-pooled by `pool`, 4 by default: 64 × 64 → 16 × 16):
// the layout of the signature, which is what the samples of one student must cover; the strokes' sharpness stays
// the adversarial loss's job (a pixel loss on thin strokes would pull towards blur).
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Rng } from '@sig/shared';

/** The view distances and the pull are measured on: `x` average-pooled by `pool` (1 = the pixels). */
function coarse(x: tf.Tensor4D, pool: number): tf.Tensor4D {
  return pool > 1 ? tf.avgPool(x, pool, pool, 'valid') : x;
}

/** What the IMLE term pulls, chosen before G's update: latent vectors, their labels, and the images on the compared view. */
export interface ImleTargets {
  z: tf.Tensor2D;
  label: tf.Tensor2D;
  /** The real images, average-pooled by the view's factor. */
  target: tf.Tensor4D;
}

/**
 * For each of the `real` images (NHWC, [-1, 1]) with one-hot `label`s, the nearest of `samples` latent vectors
 * drawn from `rng` (standard normal): the rows of z whose samples G (in inference mode: no BatchNorm statistics
 * move, no gradient) draws nearest to the image on the view pooled by `pool`. Selection stays on the backend (a
 * one-hot mask of the argmin, no read-back).
 */
export function imleTargets(G: tfl.LayersModel, rng: Rng, real: tf.Tensor4D, label: tf.Tensor2D, samples: number, latentDim: number, pool: number): ImleTargets {
  return tf.tidy(() => {
    const n = real.shape[0];
    const zs = new Float32Array(n * samples * latentDim);
    for (let i = 0; i < zs.length; i++) zs[i] = rng.normal();
    const z = tf.tensor3d(zs, [n, samples, latentDim]);
    // Row i·K + k: image i's k-th candidate.
    const labels = tf.reshape(tf.tile(tf.expandDims(label, 1), [1, samples, 1]), [n * samples, label.shape[1]]);
    const drawn = G.apply([tf.reshape(z, [n * samples, latentDim]), labels], { training: false }) as tf.Tensor4D;
    const c = coarse(drawn, pool);
    const target = coarse(real, pool);
    const per = c.shape[1] * c.shape[2] * c.shape[3];
    const diff = tf.sub(tf.reshape(c, [n, samples, per]), tf.reshape(target, [n, 1, per]));
    const distance = tf.sum(tf.square(diff), 2);
    const pick = tf.cast(tf.oneHot(tf.argMin(distance, 1), samples), 'float32');
    return { z: tf.sum(tf.mul(z, tf.expandDims(pick, 2)), 1) as tf.Tensor2D, label, target };
  });
}

/** The pull: mean squared distance, on the view pooled by `pool`, between G's samples for the chosen latent vectors and their images. */
export function imleLoss(G: tfl.LayersModel, t: ImleTargets, pool: number): tf.Scalar {
  const drawn = G.apply([t.z, t.label], { training: true }) as tf.Tensor4D;
  return tf.mean(tf.square(tf.sub(coarse(drawn, pool), t.target))) as tf.Scalar;
}
