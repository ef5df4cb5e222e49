// Cross-replica BatchNorm ("SyncBN", as in PyTorch's SyncBatchNorm) for the data-parallel adversarial step
// (adversarial-parallel.ts): every worker's replica of G normalises its share of the batch with the statistics of
// the whole batch, and its backward pass uses the whole batch's Σdy and Σdy·x̂, so two workers compute the
// one-thread step's gradients (to float rounding) instead of "ghost batches" of half the size.
//
// The replicas meet at a barrier in shared memory (Atomics) once per statistic: two per BatchNorm layer forward
// (the mean, then the variance around it, two passes as tf.moments computes them), one per layer backward. Every
// replica runs the same layers in the same order, so the k-th meeting of each is the same statistic. Sums are
// taken in rank order in float64, so every replica gets the same bits and the BatchNorm moving statistics stay
// identical on all of them.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { updateMovingStatistics, type BatchNormLayer } from '../backend/fused-batchnorm-training.ts';

const ARRIVED = 0;
const GENERATION = 1;
const ABORTED = 2;
const CONTROL_BYTES = 16;

/** The shared memory of a group: a control block, then two banks of `replicas` × `width` float64 slots. */
export function replicaGroupBuffer(replicas: number, width: number): SharedArrayBuffer {
  return new SharedArrayBuffer(CONTROL_BYTES + 2 * replicas * width * 8);
}

/** One replica's handle on a group of replicas that sum vectors together (an all-reduce over shared memory). */
export class ReplicaGroup {
  private readonly control: Int32Array;
  private readonly slots: Float64Array;
  private meetings = 0;

  constructor(
    buffer: SharedArrayBuffer,
    readonly rank: number,
    readonly replicas: number,
    /** The longest vector a replica may contribute. */
    readonly width: number,
    private readonly timeoutMs = 120_000,
  ) {
    if (buffer.byteLength < CONTROL_BYTES + 2 * replicas * width * 8) throw new Error('replica group: buffer too small');
    this.control = new Int32Array(buffer, 0, CONTROL_BYTES / 4);
    this.slots = new Float64Array(buffer, CONTROL_BYTES, 2 * replicas * width);
  }

  /**
   * The element-wise sum of every replica's `values` (the same length on each), in rank order. Blocks until all
   * replicas have contributed. Two banks alternate, so a fast replica writing its next contribution never
   * overwrites one a slow replica has still to read.
   */
  allSum(values: ArrayLike<number>): Float64Array {
    const n = values.length;
    if (n > this.width) throw new Error(`replica group: ${n} values, room for ${this.width}`);
    const bank = (this.meetings++ & 1) * this.replicas * this.width;
    this.slots.set(values, bank + this.rank * this.width);
    this.barrier();
    const out = new Float64Array(n);
    for (let r = 0; r < this.replicas; r++) {
      const from = bank + r * this.width;
      for (let i = 0; i < n; i++) out[i] += this.slots[from + i];
    }
    return out;
  }

  /** Wakes every waiting replica with an error (a replica failed mid-step; the group is not usable after). */
  abort(): void {
    Atomics.store(this.control, ABORTED, 1);
    Atomics.notify(this.control, GENERATION);
  }

  private barrier(): void {
    const c = this.control;
    const generation = Atomics.load(c, GENERATION);
    if (Atomics.add(c, ARRIVED, 1) === this.replicas - 1) {
      Atomics.store(c, ARRIVED, 0);
      Atomics.add(c, GENERATION, 1);
      Atomics.notify(c, GENERATION);
      return;
    }
    const deadline = Date.now() + this.timeoutMs;
    while (Atomics.load(c, GENERATION) === generation) {
      if (Atomics.load(c, ABORTED)) throw new Error('replica group: another replica failed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`replica group: replica ${this.rank} waited ${this.timeoutMs} ms for the others`);
      Atomics.wait(c, GENERATION, generation, Math.min(left, 1000));
    }
  }
}

const batchNormLayers = (model: tfl.LayersModel): tfl.layers.Layer[] => model.layers.filter((l) => l.getClassName() === 'BatchNormalization');

/** The group width {@link synchroniseBatchNorm} needs for `model`: 2 × its widest BatchNorm + 1. */
export function syncWidth(model: tfl.LayersModel): number {
  const channels = batchNormLayers(model).map((l) => (l.getWeights()[0]?.size ?? 0));
  return 2 * Math.max(0, ...channels) + 1;
}

/** x̂·γ + β with the whole group's batch statistics, and its gradient through them (the BatchNorm backward with group sums). */
function groupNormalise(layer: BatchNormLayer, x: tf.Tensor, group: ReplicaGroup): tf.Tensor {
  const c = x.shape[x.rank - 1];
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
  const count = x.size / c;
  const sums = group.allSum([count, ...tf.sum(x, axes).dataSync()]);
  const total = sums[0];
  const mean = tf.tensor1d(Float32Array.from(sums.subarray(1), (s) => s / total));
  const squares = group.allSum(tf.sum(tf.square(tf.sub(x, mean)), axes).dataSync());
  const variance = tf.tensor1d(Float32Array.from(squares, (s) => s / total));
  // This replica's loss is the mean over its share; the step averages the replicas' gradients by share, so the
  // group sums of the backward pass weigh each replica's Σdy by its share (count / total).
  const share = count / total;
  const normalise = tf.customGrad((input, gamma, beta, saveFn) => {
    const save = saveFn as tf.GradSaveFunc;
    const invStd = tf.rsqrt(tf.add(variance, layer.epsilon));
    const xHat = tf.mul(tf.sub(input as tf.Tensor, mean), invStd);
    save([xHat, invStd, gamma as tf.Tensor]);
    return {
      value: tf.add(tf.mul(xHat, gamma as tf.Tensor), beta as tf.Tensor),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const g = dy as tf.Tensor;
        const [xh, inv, gam] = saved;
        const dBeta = tf.sum(g, axes);
        const dGamma = tf.sum(tf.mul(g, xh), axes);
        const both = group.allSum([...tf.mul(dBeta, share).dataSync(), ...tf.mul(dGamma, share).dataSync()]);
        const meanDy = tf.tensor1d(Float32Array.from(both.subarray(0, c), (s) => s / count));
        const meanDyXHat = tf.tensor1d(Float32Array.from(both.subarray(c), (s) => s / count));
        const dx = tf.mul(tf.mul(gam, inv), tf.sub(tf.sub(g, meanDy), tf.mul(xh, meanDyXHat)));
        return [dx, dGamma, dBeta];
      },
    };
  });
  const out = normalise(x, layer.gamma.read(), layer.beta.read());
  updateMovingStatistics(layer, mean, variance);
  return out;
}

/**
 * Makes every BatchNormalization layer of `model` normalise with the group's statistics when training (inference
 * is unchanged). Every replica of the group must call this on its copy of the same model and then run the same
 * layers in the same order.
 */
export function synchroniseBatchNorm(model: tfl.LayersModel, group: ReplicaGroup): void {
  for (const l of batchNormLayers(model)) {
    const layer = l as unknown as BatchNormLayer;
    if (!layer.center || !layer.scale || layer.axis !== -1) {
      throw new Error(`synchroniseBatchNorm: ${l.name} is not a last-axis BatchNorm with centre and scale`);
    }
    const inference = layer.call.bind(layer);
    layer.call = (inputs, kwargs) => {
      if (kwargs?.training !== true) return inference(inputs, kwargs);
      return tf.tidy(() => groupNormalise(layer, Array.isArray(inputs) ? inputs[0] : inputs, group));
    };
  }
}
