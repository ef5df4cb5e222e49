// BatchNormalization layers train through one recorded kernel on the wasm backend. tfjs-layers builds training
// BatchNorm from tf.moments (mean, subtract, square, mean) and tf.batchNorm, and its gradient flows back through
// every one of those ops, adding three full-size gradients together: ~12 passes over the activation for the
// backward pass alone. Here the forward pass is 6 SIMD passes and the backward pass 8, with the textbook fused
// gradient (xc = x − μ, r = 1/√(σ²+ε), a = γr, N rows per channel):
//   dx = a·dy − (a·r²·Σdy·xc / N)·xc − a·Σdy / N,   dγ = r·Σdy·xc,   dβ = Σdy
// plus the terms for gradients arriving at the batch mean and variance outputs (zero in a model, kept exact).
// Like fused-conv-training.ts, the layer class is patched only while the wasm backend records a gradient.
import * as tf from '@tensorflow/tfjs-core';
import { getKernel, util, type GradConfig, type KernelConfig, type KernelFunc, type Tensor, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { callKernel, free, heapF32, recordingGradientOnWasm, runOp } from './wasm-kernel-calls.ts';
import { batchNormGradSums, columnReduce } from './wasm-train-kernels.ts';

/** Training BatchNorm over all axes but the last: inputs x, gamma, beta; attrs epsilon; outputs y, mean, variance. */
export const BATCH_NORM_TRAIN = 'SigBatchNormTrain';
/** Its gradient kernel: inputs x, gamma, mean, variance, dy, dmean, dvar; outputs dx, dgamma, dbeta. */
export const BATCH_NORM_TRAIN_GRAD = 'SigBatchNormTrainGrad';

type Args<I> = { inputs: I; backend: BackendWasm; attrs: { epsilon: number } };

/** A [ch] float32 tensor filled by `f(c)`. */
function perChannel(backend: BackendWasm, ch: number, f: (c: number) => number): TensorInfo {
  const t = backend.makeOutput([ch], 'float32');
  const v = heapF32(backend, t);
  for (let c = 0; c < ch; c++) v[c] = f(c);
  return t;
}

function batchNormTrainKernel({ inputs, backend, attrs }: Args<{ x: TensorInfo; gamma: TensorInfo; beta: TensorInfo }>): TensorInfo[] {
  const { x, gamma, beta } = inputs;
  const ch = x.shape[x.shape.length - 1];
  const rows = util.sizeFromShape(x.shape) / ch;
  const mean = columnReduce(backend, x, rows, 'Mean', [ch]);
  const xc = callKernel(backend, 'Sub', { a: x, b: mean });
  const sq = callKernel(backend, 'Multiply', { a: xc, b: xc });
  const variance = columnReduce(backend, sq, rows, 'Mean', [ch]);
  free(backend, sq);
  const [g, v] = [gamma, variance].map((t) => heapF32(backend, t));
  const a = perChannel(backend, ch, (c) => g[c] / Math.sqrt(v[c] + attrs.epsilon));
  const scaled = callKernel(backend, 'Multiply', { a: xc, b: a });
  const y = callKernel(backend, 'Add', { a: scaled, b: beta });
  free(backend, xc, a, scaled);
  return [y, mean, variance];
}

function batchNormTrainGradKernel({ inputs, backend, attrs }: Args<Record<'x' | 'gamma' | 'mean' | 'variance' | 'dy' | 'dmean' | 'dvar', TensorInfo>>): TensorInfo[] {
  const { x, gamma, mean, variance, dy, dmean, dvar } = inputs;
  const ch = x.shape[x.shape.length - 1];
  const rows = util.sizeFromShape(x.shape) / ch;
  const { centered: xc, sumDy, sumDyXc } = batchNormGradSums(backend, x, mean, dy);
  const [g, v, s1, s2, gm, gv] = [gamma, variance, sumDy, sumDyXc, dmean, dvar].map((t) => heapF32(backend, t));
  const r = Array.from({ length: ch }, (_, c) => 1 / Math.sqrt(v[c] + attrs.epsilon));
  const a = perChannel(backend, ch, (c) => g[c] * r[c]);
  const av = heapF32(backend, a);
  const b = perChannel(backend, ch, (c) => (-av[c] * r[c] * r[c] * s2[c] + 2 * gv[c]) / rows);
  const k = perChannel(backend, ch, (c) => (-av[c] * s1[c] + gm[c]) / rows);
  const dgamma = perChannel(backend, ch, (c) => r[c] * s2[c]);
  const t1 = callKernel(backend, 'Multiply', { a: dy, b: a });
  const t2 = callKernel(backend, 'Multiply', { a: xc, b });
  const t3 = callKernel(backend, 'Add', { a: t1, b: t2 });
  const dx = callKernel(backend, 'Add', { a: t3, b: k });
  free(backend, xc, sumDyXc, a, b, k, t1, t2, t3);
  return [dx, dgamma, sumDy];
}

/** The forward and gradient kernels (wasm). */
export function batchNormTrainKernels(): KernelConfig[] {
  return [
    { kernelName: BATCH_NORM_TRAIN, backendName: 'wasm', kernelFunc: batchNormTrainKernel as unknown as KernelFunc },
    { kernelName: BATCH_NORM_TRAIN_GRAD, backendName: 'wasm', kernelFunc: batchNormTrainGradKernel as unknown as KernelFunc },
  ];
}

const run = (name: string, inputs: Record<string, Tensor>, attrs: Record<string, unknown>) => runOp(name, inputs, attrs) as Tensor[];

const batchNormTrainGradConfig: GradConfig = {
  kernelName: BATCH_NORM_TRAIN,
  inputsToSave: ['x', 'gamma'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved, attrs) => {
    const [dy, dmean, dvar] = dys as Tensor[];
    const [x, gamma, mean, variance] = saved;
    const [dx, dgamma, dbeta] = run(BATCH_NORM_TRAIN_GRAD, { x, gamma, mean, variance, dy, dmean, dvar }, attrs);
    return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
  },
};

/** Training BatchNorm over every axis but the last, as one recorded kernel: [y, batch mean, batch variance]. */
export function batchNormTrain(x: Tensor, gamma: Tensor, beta: Tensor, epsilon: number): [Tensor, Tensor, Tensor] {
  const [y, mean, variance] = run(BATCH_NORM_TRAIN, { x, gamma, beta }, { epsilon });
  return [y, mean, variance];
}

/** The fields of tfjs-layers' BatchNormalization read here and in train/sync-batch-norm.ts (not in its public typings). */
export interface BatchNormLayer {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: { read(): Tensor };
  beta: { read(): Tensor };
  movingMean: { read(): Tensor; write(t: Tensor): void };
  movingVariance: { read(): Tensor; write(t: Tensor): void };
  call(inputs: Tensor | Tensor[], kwargs: { training?: boolean }): Tensor | Tensor[];
}

function fusable(layer: BatchNormLayer, x: Tensor, training: boolean): boolean {
  const axis = layer.axis >= 0 ? layer.axis : layer.axis + x.rank;
  return (
    training &&
    recordingGradientOnWasm() &&
    x.rank >= 2 &&
    x.dtype === 'float32' &&
    axis === x.rank - 1 &&
    layer.center &&
    layer.scale
  );
}

/** The moving averages exactly as tfjs-layers updates them in training: v ← v − (v − batch value)·(1 − momentum). */
export function updateMovingStatistics(layer: BatchNormLayer, mean: Tensor, variance: Tensor): void {
  tf.tidy(() => {
    for (const [variable, value] of [[layer.movingMean, mean], [layer.movingVariance, variance]] as const) {
      const current = variable.read();
      variable.write(tf.sub(current, tf.mul(tf.sub(current, value), 1 - layer.momentum)));
    }
  });
}

let installed = false;

/** Registers the kernels' gradient and patches tfjs-layers' BatchNormalization to use them in training (idempotent). */
export function installFusedBatchNormTraining(): void {
  if (installed) return;
  installed = true;
  for (const k of batchNormTrainKernels()) if (!getKernel(k.kernelName, 'wasm')) tf.registerKernel(k);
  tf.registerGradient(batchNormTrainGradConfig);
  const proto = Object.getPrototypeOf(tfl.layers.batchNormalization({})) as BatchNormLayer;
  const original = proto.call;
  proto.call = function (this: BatchNormLayer, inputs: Tensor | Tensor[], kwargs: { training?: boolean }) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!fusable(this, x, kwargs?.training === true)) return original.call(this, inputs, kwargs);
    return tf.tidy(() => {
      const [y, mean, variance] = batchNormTrain(x, this.gamma.read(), this.beta.read(), this.epsilon);
      updateMovingStatistics(this, mean, variance);
      return y;
    });
  };
}
