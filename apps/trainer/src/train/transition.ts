// Transitional conditioning (Shahbazi et al. 2023, "Collapse by Conditioning: Training Class-conditional GANs with
// Limited Data"): with a few images per class a conditional GAN collapses to one shape per class where an
// unconditional one keeps its variety. So the label first reaches neither network (λ = 0: one distribution of all
// signatures), then is blended in linearly (λ: 0 → 1 between two steps) and stays. Here λ scales the one-hot label
// that G and D take as input and weights the auxiliary (and twin) head's terms; the heads' targets stay the labels.
import * as tf from '@tensorflow/tfjs-core';
import { UserError, type CganConfig } from '@sig/shared';

/** λ for step `step` (the 0-based index of the step about to run): 1 throughout when the transition is off. */
export function conditionScale(cfg: Pick<CganConfig, 'transitionStart' | 'transitionEnd'>, step: number): number {
  if (cfg.transitionEnd === 0) return 1;
  return Math.min(1, Math.max(0, (step - cfg.transitionStart) / (cfg.transitionEnd - cfg.transitionStart)));
}

/** A UserError unless the transition is off or ends after it starts. */
export function checkTransition(cfg: Pick<CganConfig, 'transitionStart' | 'transitionEnd'>): void {
  if (cfg.transitionEnd > 0 && cfg.transitionEnd <= cfg.transitionStart) {
    throw new UserError(`cgan: --transition-end ${cfg.transitionEnd} must come after --transition-start ${cfg.transitionStart}`);
  }
  if (cfg.transitionEnd === 0 && cfg.transitionStart > 0) throw new UserError('cgan: --transition-start needs --transition-end (the step the label reaches G and D in full)');
}

/** The label as the networks take it at λ (the tensor itself at 1). */
export function conditioned(label: tf.Tensor, scale: number): tf.Tensor {
  return scale === 1 ? label : tf.mul(label, scale);
}
