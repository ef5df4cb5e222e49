// Spectral normalisation of the discriminator (Miyato et al. 2018): every kernel W of D is applied as W / σ(W),
// σ its largest singular value, so each layer is 1-Lipschitz and D cannot sharpen without bound on a few real
// images. σ comes from one power iteration per adversarial step with a persistent vector u (a stop-gradient):
// with the kernel seen as a matrix M (fan-in × filters), u ← normalise(Mᵀ normalise(M u)), then σ = ‖M u‖, whose
// gradient is v uᵀ as in the paper. The layers keep the raw weights; while D is applied inside
// {@link withSpectralNorm} each kernel reads as the normalised tensor, so the optimiser's gradient flows through
// the division to the raw variable.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { Rng } from '@sig/shared';

/** A layer weight as tfjs-layers holds it (`read()` is what Conv2D and Dense call). */
interface KernelWeight {
  name: string;
  shape: number[];
  read(): tf.Tensor;
}

/** One normalised kernel: the weight and its power-iteration vector u (filters × 1). */
export interface SpectralKernel {
  weight: KernelWeight;
  u: tf.Variable;
}

/** The normalised kernels of one model, in weight order. */
export interface SpectralNorm {
  kernels: SpectralKernel[];
}

const normalise = (x: tf.Tensor): tf.Tensor => tf.div(x, tf.add(tf.norm(x), 1e-12));
/** The kernel as a matrix: every axis but the last (the filters / units) flattened into rows. */
const asMatrix = (w: tf.Tensor): tf.Tensor2D => tf.reshape(w, [-1, w.shape[w.shape.length - 1]]);

/** Every Conv2D / Dense kernel of `model` (rank ≥ 2; biases stay as they are), with u drawn from `seed`. */
export function createSpectralNorm(model: tfl.LayersModel, seed: number): SpectralNorm {
  const rng = new Rng(seed);
  const kernels = (model.trainableWeights as unknown as KernelWeight[])
    .filter((w) => w.shape.length >= 2)
    .map((weight) => {
      const filters = weight.shape[weight.shape.length - 1];
      const u0 = Float32Array.from({ length: filters }, () => rng.normal());
      return { weight, u: tf.tidy(() => tf.variable(normalise(tf.tensor2d(u0, [filters, 1])), false)) };
    });
  return { kernels };
}

/** One power-iteration step for every kernel, from its current raw weights (no gradient). */
export function powerIterate(sn: SpectralNorm): void {
  tf.tidy(() => {
    for (const k of sn.kernels) {
      const m = asMatrix(k.weight.read());
      const v = normalise(tf.matMul(m, k.u));
      k.u.assign(normalise(tf.matMul(m, v, true, false)) as tf.Tensor2D);
    }
  });
}

/** σ(W) ≈ ‖M u‖ with the current u, differentiable in W. */
export function sigma(w: tf.Tensor, u: tf.Tensor): tf.Scalar {
  return tf.norm(tf.matMul(asMatrix(w), u)) as tf.Scalar;
}

/** W / σ(W): the kernel as the normalised layer applies it. */
const normalisedKernel = (raw: tf.Tensor, u: tf.Tensor): tf.Tensor => tf.div(raw, sigma(raw, u));

/**
 * Runs `fn` with each kernel of `sn` reading as W / σ(W) (computed here, so inside an optimiser's closure the
 * gradient reaches W through the division). `null`: `fn` as it is.
 */
export function withSpectralNorm<T>(sn: SpectralNorm | null, fn: () => T): T {
  if (!sn) return fn();
  const patched = sn.kernels.map((k) => {
    const normalised = normalisedKernel(k.weight.read(), k.u);
    Object.defineProperty(k.weight, 'read', { value: () => normalised, configurable: true, writable: true });
    return k.weight;
  });
  try {
    return fn();
  } finally {
    // The instance property shadowed the class's read(); removing it restores the raw weight.
    for (const w of patched) delete (w as Partial<KernelWeight>).read;
  }
}

/** The model's weights as D applies them: each normalised kernel divided by its σ, everything else as it is. */
export function normalisedWeights(model: tfl.LayersModel, sn: SpectralNorm): tf.Tensor[] {
  const byWeight = new Map<unknown, SpectralKernel>(sn.kernels.map((k) => [k.weight, k]));
  return tf.tidy(() =>
    (model.weights as unknown as KernelWeight[]).map((w) => {
      const k = byWeight.get(w);
      return k ? normalisedKernel(w.read(), k.u) : tf.clone(w.read());
    }),
  );
}

/** The u vectors, to checkpoint beside the raw weights (named by kernel position: layer names change between builds). */
export function spectralVectors(sn: SpectralNorm): { name: string; tensor: tf.Tensor }[] {
  return sn.kernels.map((k, i) => ({ name: `u${i}`, tensor: k.u }));
}

/** Restores u vectors written by {@link spectralVectors} into the same architecture's kernels. */
export function setSpectralVectors(sn: SpectralNorm, saved: tf.NamedTensorMap): void {
  sn.kernels.forEach((k, i) => {
    const t = saved[`u${i}`];
    if (!t || t.size !== k.u.size) throw new Error(`spectral norm: the checkpoint has no vector for kernel ${i} (${k.weight.name})`);
    k.u.assign(t as tf.Tensor2D);
  });
}
