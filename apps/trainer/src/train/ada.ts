// Adaptive discriminator augmentation (ADA, Karras et al. 2020, "Training generative adversarial networks with
// limited data"). D's overfitting is read from its outputs on the real images it trains on (augmented, as it sees
// them): r = E[sign(D(x) − ½)] (the raw score's sign with the hinge loss), near 0 while D cannot tell, near 1 once it
// has memorised them. Every ADA_INTERVAL steps p, the probability with which each DiffAugment transformation is
// applied to each image (with --real-augment, with which each real image is an augmented copy), moves by
// ±(images seen since)/speed towards keeping r at the target (0.6 in the paper), clamped to [0, 1]; p starts at 0.
// The state is plain numbers, saved in the checkpoint.
import * as tf from '@tensorflow/tfjs-core';
import type { CganConfig } from '@sig/shared';

/** Steps between two adjustments of p (the paper's 4 minibatches). */
export const ADA_INTERVAL = 4;

export interface AdaState {
  /** Probability of each augmentation, for the next step. */
  p: number;
  /** Σ over the images seen since the last adjustment of sign(D(x) − ½). */
  signSum: number;
  /** Real images seen since the last adjustment. */
  images: number;
  /** Steps seen since the last adjustment. */
  steps: number;
}

/** r of one batch: E[sign(D(x) − ½)] over D's outputs on real images (p(real) with bce; the raw score with hinge). */
export function realSign(loss: CganConfig['loss'], score: tf.Tensor): tf.Scalar {
  return tf.mean(tf.sign(loss === 'hinge' ? score : tf.sub(score, 0.5))) as tf.Scalar;
}

export function createAda(): AdaState {
  return { p: 0, signSum: 0, images: 0, steps: 0 };
}

/**
 * Records one step's mean sign over `batch` real images; after every ADA_INTERVAL steps p moves by
 * sign(r − target)·images/speed, r being the mean sign over those steps. Returns the new p.
 */
export function adaObserve(a: AdaState, meanSign: number, batch: number, target: number, speed: number): number {
  a.signSum += meanSign * batch;
  a.images += batch;
  a.steps++;
  if (a.steps >= ADA_INTERVAL) {
    const r = a.signSum / a.images;
    a.p = Math.min(1, Math.max(0, a.p + (Math.sign(r - target) * a.images) / speed));
    a.signSum = 0;
    a.images = 0;
    a.steps = 0;
  }
  return a.p;
}
