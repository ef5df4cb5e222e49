// The adversarial losses of train/adversarial.ts, given the discriminator's outputs (p(real) with the sigmoid
// head, a raw score with the hinge head) and, with an auxiliary classifier, its class logits.
import * as tf from '@tensorflow/tfjs-core';
import type { CganConfig } from '@sig/shared';

/** Binary cross-entropy of probabilities `p` against a constant target (clipped: D ends in a sigmoid). */
export function bce(p: tf.Tensor, target: number): tf.Scalar {
  const eps = 1e-7;
  const q = tf.clipByValue(p, eps, 1 - eps);
  const pos = tf.mul(target, tf.log(q));
  const neg = tf.mul(1 - target, tf.log(tf.sub(1, q)));
  return tf.neg(tf.mean(tf.add(pos, neg))) as tf.Scalar;
}

/** Mean softmax cross-entropy of class logits against one-hot labels. */
export function classLoss(logits: tf.Tensor, oneHot: tf.Tensor): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(oneHot, logits) as tf.Scalar;
}

/** D's loss on its outputs for real and generated images. bce: real → cfg.realLabel, fake → 0; hinge: max(0, 1 ∓ s). */
export function discriminatorLoss(cfg: CganConfig, real: tf.Tensor, fake: tf.Tensor): tf.Scalar {
  if (cfg.loss === 'hinge') return tf.add(tf.mean(tf.relu(tf.sub(1, real))), tf.mean(tf.relu(tf.add(1, fake)))) as tf.Scalar;
  return tf.add(bce(real, cfg.realLabel), bce(fake, 0)) as tf.Scalar;
}

/** G's loss on D's outputs for its samples: non-saturating −log D(G(z)) (bce) or −D(G(z)) (hinge). */
export function generatorLoss(cfg: CganConfig, fake: tf.Tensor): tf.Scalar {
  return cfg.loss === 'hinge' ? (tf.neg(tf.mean(fake)) as tf.Scalar) : bce(fake, 1);
}

/**
 * The mode-seeking term (Mao et al. 2019): images `gen` and latent vectors `z` whose first `pairs` rows and next
 * `pairs` rows share labels row by row; returns 1 / (mean|x₁ − x₂| / mean|z₁ − z₂| + 1e-5), as the MSGAN
 * reference code does (means over the whole half-batch). Small when one label's samples differ.
 */
export function modeSeekingLoss(gen: tf.Tensor, z: tf.Tensor, pairs: number): tf.Scalar {
  const half = (t: tf.Tensor, k: number): tf.Tensor => tf.slice(t, [k * pairs], [pairs]);
  const dImage = tf.mean(tf.abs(tf.sub(half(gen, 0), half(gen, 1))));
  const dLatent = tf.mean(tf.abs(tf.sub(half(z, 0), half(z, 1))));
  return tf.div(1, tf.add(tf.div(dImage, dLatent), 1e-5)) as tf.Scalar;
}
