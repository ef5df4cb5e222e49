// A model's weights as one flat float32 array, the form in which the data-parallel engines (data-parallel.ts for
// supervised models, adversarial-parallel.ts for the CGAN) share them with worker threads: all weights in
// model.weights order (published), the trainable ones (gradients), the others (BatchNorm moving statistics).
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { copyTensorData, overwriteVariable } from '../backend/wasm-kernel-calls.ts';

export const sizeOf = (shape: readonly (number | null)[]): number => shape.reduce((a: number, b) => a * (b as number), 1);

/** Float counts of a model's weights: all of them, the trainable ones, the rest. */
export interface WeightLayout {
  all: number;
  trainable: number;
  state: number;
}

export function weightLayout(model: tfl.LayersModel): WeightLayout {
  let all = 0, trainable = 0;
  for (const w of model.weights) {
    all += sizeOf(w.shape);
    if (w.trainable) trainable += sizeOf(w.shape);
  }
  return { all, trainable, state: all - trainable };
}

/** Each of `parts` workers' rows of a batch of `n`: [first row, rows], workers without rows left out. */
export function shardRanges(n: number, parts: number): [number, number][] {
  const out: [number, number][] = [];
  let start = 0;
  for (let k = 0; k < parts; k++) {
    const m = Math.floor(n / parts) + (k < n % parts ? 1 : 0);
    if (m > 0) out.push([start, m]);
    start += m;
  }
  return out;
}

/**
 * dst = Σ_k share_k · src_k, the partial sums rounded to float32 as they are stored (two parts: one pass over both
 * buffers, the same values). A small function of its own, which V8 optimises, unlike the loop inline in an async
 * method (5× slower there).
 */
export function averageInto(dst: Float32Array, parts: { share: number; src: Float32Array }[]): void {
  if (parts.length === 2) {
    const sa = parts[0].share, sb = parts[1].share, xa = parts[0].src, xb = parts[1].src;
    for (let i = 0; i < dst.length; i++) dst[i] = Math.fround(sa * xa[i]) + sb * xb[i];
    return;
  }
  parts.forEach(({ share, src }, k) => {
    if (k === 0) for (let i = 0; i < dst.length; i++) dst[i] = share * src[i];
    else for (let i = 0; i < dst.length; i++) dst[i] += share * src[i];
  });
}

/** Copies `model`'s weights (only the non-trainable ones with `stateOnly`) into `view`, laid out in model.weights order. */
export function publishWeights(model: tfl.LayersModel, view: Float32Array, stateOnly = false): void {
  let off = 0;
  for (const w of model.weights) {
    if (stateOnly && w.trainable) off += sizeOf(w.shape);
    else off += copyTensorData(w.read(), view, off);
  }
}

/** A replica's side of {@link publishWeights}: loads the published weights in place (only the non-trainable ones with `stateOnly`). */
export function loadWeights(model: tfl.LayersModel, flat: Float32Array, stateOnly = false): void {
  let off = 0;
  for (const w of model.weights) {
    const len = sizeOf(w.shape);
    if (!(stateOnly && w.trainable)) overwriteVariable(w.read() as tf.Variable, flat.subarray(off, off + len));
    off += len;
  }
}

/** A replica's gradients of `loss` with respect to `model`'s trainable weights, written to `out` in model.weights order; returns the loss. */
export function gradientsInto(model: tfl.LayersModel, out: Float32Array, loss: () => tf.Scalar): number {
  return tf.tidy(() => {
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(loss, vars);
    let off = 0;
    for (const v of vars) off += copyTensorData(grads[v.name], out, off);
    return value.dataSync()[0];
  });
}

/** Copies `model`'s non-trainable weights into `out` (a replica's BatchNorm statistics, going back). */
export function copyStateOut(model: tfl.LayersModel, out: Float32Array): void {
  let off = 0;
  for (const w of model.weights) if (!w.trainable) off += copyTensorData(w.read(), out, off);
}

/** Applies flat gradients (the trainable weights, model.weights order) with `optimizer`. */
export function applyFlatGradients(optimizer: tf.Optimizer, model: tfl.LayersModel, flat: Float32Array): void {
  tf.tidy(() => {
    const named: tf.NamedTensorMap = {};
    let off = 0;
    for (const w of model.weights) {
      if (!w.trainable) continue;
      const len = sizeOf(w.shape);
      named[(w.read() as tf.Variable).name] = tf.tensor(flat.subarray(off, off + len), w.shape as number[]);
      off += len;
    }
    optimizer.applyGradients(named);
  });
}

/** Writes flat non-trainable weights (model.weights order) into `model`. */
export function writeFlatState(model: tfl.LayersModel, flat: Float32Array): void {
  tf.tidy(() => {
    let off = 0;
    for (const w of model.weights) {
      if (w.trainable) continue;
      const len = sizeOf(w.shape);
      w.write(tf.tensor(flat.subarray(off, off + len), w.shape as number[]));
      off += len;
    }
  });
}
