// Gradient overrides that route Relu, Mean and FusedBatchNorm gradients to the one-pass wasm kernels in
// wasm-train-kernels.ts. The gradient registry is global, so each override keeps the original and falls back
// to it on any other backend or for shapes the fast kernels do not cover.
import * as tf from '@tensorflow/tfjs-core';
import { FusedBatchNorm, Mean, Relu, type GradConfig, type Tensor } from '@tensorflow/tfjs-core';
import { withoutTfjsWarnings } from './settings.ts';
import { runOp } from './wasm-kernel-calls.ts';
import { BATCH_NORM_GRAD, BROADCAST_LEADING, RELU_GRAD, leadingReduceRows } from './wasm-train-kernels.ts';

const onWasm = (): boolean => tf.getBackend() === 'wasm';

function override(kernelName: string, make: (original: GradConfig) => GradConfig['gradFunc']): void {
  const original = tf.getGradient(kernelName);
  if (!original) throw new Error(`no gradient registered for ${kernelName} (import @tensorflow/tfjs-layers first)`);
  if ((original as { sigFast?: boolean }).sigFast) return; // already ours
  const config = { ...original, gradFunc: make(original), sigFast: true } as GradConfig;
  tf.registerGradient(config);
}

/** Registers the fast-path gradient overrides (idempotent). */
export function registerWasmGradients(): void {
  // Replacing a registered gradient logs a warning in tfjs; these replacements are intended.
  withoutTfjsWarnings(() => {
    override(Relu, (orig) => (dy, saved, attrs) => {
      if (!onWasm()) return orig.gradFunc(dy, saved, attrs);
      const [x] = saved;
      return { x: () => runOp(RELU_GRAD, { dy: dy as Tensor, x }) as Tensor };
    });
    override(Mean, (orig) => (dy, saved, attrs) => {
      const [x] = saved;
      const axes = tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, x.shape);
      const rows = leadingReduceRows(x.shape, axes);
      if (!onWasm() || rows === 0) return orig.gradFunc(dy, saved, attrs);
      return { x: () => runOp(BROADCAST_LEADING, { dy: dy as Tensor }, { shape: x.shape, scale: 1 / rows }) as Tensor };
    });
    override(FusedBatchNorm, (orig) => (dy, saved, attrs) => {
      const [x, mean, variance, scale] = saved;
      const perChannel = mean.rank === 1 && variance.rank === 1 && (scale == null || scale.rank === 1);
      if (!onWasm() || !perChannel || x.shape[x.rank - 1] !== mean.shape[0]) return orig.gradFunc(dy, saved, attrs);
      const inputs: Record<string, Tensor> = { x, mean, variance, dy: dy as Tensor };
      if (scale != null) inputs.scale = scale;
      const [dx, dmean, dvar, dscale, doffset] = runOp(BATCH_NORM_GRAD, inputs, { varianceEpsilon: (attrs as { varianceEpsilon: number }).varianceEpsilon }) as Tensor[];
      return { x: () => dx, mean: () => dmean, variance: () => dvar, scale: () => dscale, offset: () => doffset };
    });
  });
}
