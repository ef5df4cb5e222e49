// Kernels the CGAN's layers need fast on the trainable wasm backend, found by profiling one adversarial step:
// the discriminator's image ⊕ label-plane Concat on the channel axis and its gradient (SplitV), which the
// built-ins copy with one subarray per pixel (20 ms each at batch 16); LeakyReLU's gradient, built from
// Greater + Select + Multiply; and the ×k nearest up-sampling gradient, a scalar scatter-add where a k×k
// average pool (XNNPACK, SIMD) times k² is the same sum.
import * as tf from '@tensorflow/tfjs-core';
import {
  backend_util,
  Concat,
  getKernel,
  LeakyRelu,
  ResizeNearestNeighborGrad,
  SplitV,
  util,
  type GradConfig,
  type KernelConfig,
  type KernelFunc,
  type Tensor,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { withoutTfjsWarnings } from './settings.ts';
import { callKernel, free, heapF32, runOp } from './wasm-kernel-calls.ts';

/** dx = dy · (x > 0 ? 1 : alpha) (inputs dy, x; attr alpha). */
export const LEAKY_RELU_GRAD = 'SigLeakyReluGrad';

type Args<I, A> = { inputs: I; backend: BackendWasm; attrs: A };

/**
 * Copies rows of `chunks[i]` elements from each source into `dst`, interleaved: for each of `outer` rows, source
 * 0's chunk, then source 1's, ... (Concat when the sources are the inputs, SplitV when reversed by the caller).
 */
export function interleave(dst: Float32Array, srcs: Float32Array[], chunks: number[], outer: number): void {
  let o = 0;
  for (let r = 0; r < outer; r++) {
    for (let i = 0; i < srcs.length; i++) {
      const c = chunks[i];
      const src = srcs[i];
      const s0 = r * c;
      // Short runs (a channel or two) by hand: a subarray per run costs more than the copy.
      if (c < 16) for (let j = 0; j < c; j++) dst[o++] = src[s0 + j];
      else {
        dst.set(src.subarray(s0, s0 + c), o);
        o += c;
      }
    }
  }
}

/** The inverse of {@link interleave}: splits `src`'s rows into the chunks of each destination. */
export function deinterleave(src: Float32Array, dsts: Float32Array[], chunks: number[], outer: number): void {
  let o = 0;
  for (let r = 0; r < outer; r++) {
    for (let i = 0; i < dsts.length; i++) {
      const c = chunks[i];
      const dst = dsts[i];
      const d0 = r * c;
      if (c < 16) for (let j = 0; j < c; j++) dst[d0 + j] = src[o++];
      else {
        dst.set(src.subarray(o, o + c), d0);
        o += c;
      }
    }
  }
}

function concat(builtin: KernelFunc): KernelFunc {
  return ((args: Args<TensorInfo[], { axis: number }>) => {
    const { inputs, backend } = args;
    const axis = util.parseAxisParam(args.attrs.axis, inputs[0].shape)[0];
    if (axis === 0 || inputs.length < 2 || inputs.some((t) => t.dtype !== 'float32' || util.sizeFromShape(t.shape) === 0)) return builtin(args as never);
    const outShape = backend_util.computeOutShape(inputs.map((t) => t.shape), axis);
    const out = backend.makeOutput(outShape, 'float32');
    const outer = util.sizeFromShape(inputs[0].shape.slice(0, axis));
    interleave(heapF32(backend, out), inputs.map((t) => heapF32(backend, t)), inputs.map((t) => util.sizeFromShape(t.shape.slice(axis))), outer);
    return out;
  }) as unknown as KernelFunc;
}

function splitV(builtin: KernelFunc): KernelFunc {
  return ((args: Args<{ x: TensorInfo }, { numOrSizeSplits: number | number[]; axis: number }>) => {
    const { inputs, backend, attrs } = args;
    const { x } = inputs;
    const axis = util.parseAxisParam(attrs.axis, x.shape)[0];
    if (axis === 0 || x.dtype !== 'float32' || util.sizeFromShape(x.shape) === 0) return builtin(args as never);
    const sizes = backend_util.prepareSplitSize(x as unknown as Tensor, attrs.numOrSizeSplits, axis);
    const outs = sizes.map((s) => backend.makeOutput(x.shape.map((d, i) => (i === axis ? s : d)), 'float32'));
    const inner = util.sizeFromShape(x.shape.slice(axis + 1));
    deinterleave(heapF32(backend, x), outs.map((t) => heapF32(backend, t)), sizes.map((s) => s * inner), util.sizeFromShape(x.shape.slice(0, axis)));
    return outs;
  }) as unknown as KernelFunc;
}

/** Two SIMD passes (Step with alpha, Multiply) like ReLU's gradient, instead of Greater + Multiply + Select. */
function leakyReluGrad({ inputs, backend, attrs }: Args<{ dy: TensorInfo; x: TensorInfo }, { alpha: number }>): TensorInfo {
  const slope = callKernel(backend, 'Step', { x: inputs.x }, { alpha: attrs.alpha });
  const dx = callKernel(backend, 'Multiply', { a: inputs.dy, b: slope });
  free(backend, slope);
  return dx;
}

/** Integer ×k nearest up-sampling's gradient as a k×k sum pool; other cases to `fallback`. */
function nearestGrad(fallback: KernelFunc): KernelFunc {
  return ((args: Args<{ images: TensorInfo; dy: TensorInfo }, { alignCorners: boolean; halfPixelCenters?: boolean }>) => {
    const { inputs, backend, attrs } = args;
    const { images, dy } = inputs;
    const kh = dy.shape[1] / images.shape[1];
    const kw = dy.shape[2] / images.shape[2];
    // With an integer factor, source index = floor(dst / k) with or without half-pixel centres; align-corners differs.
    if (!Number.isInteger(kh) || !Number.isInteger(kw) || attrs.alignCorners || dy.dtype !== 'float32') return fallback(args as never);
    const pooled = callKernel(backend, 'AvgPool', { x: dy }, { filterSize: [kh, kw], strides: [kh, kw], pad: 'valid', dimRoundingMode: undefined });
    const v = heapF32(backend, pooled);
    const k2 = kh * kw;
    for (let i = 0; i < v.length; i++) v[i] *= k2;
    return { dataId: pooled.dataId, shape: images.shape, dtype: 'float32' };
  }) as unknown as KernelFunc;
}

/**
 * The kernels above as configs, wrapping the built-ins they fall back to; call after the other wasm kernels are
 * registered (the nearest-gradient fallback is the scatter-add registered by resize-grad.ts).
 */
export function wasmGanKernels(): KernelConfig[] {
  const c = getKernel(Concat, 'wasm')!;
  const s = getKernel(SplitV, 'wasm')!;
  const r = getKernel(ResizeNearestNeighborGrad, 'wasm')!;
  return [
    { ...c, kernelFunc: concat(c.kernelFunc) },
    { ...s, kernelFunc: splitV(s.kernelFunc) },
    { ...r, kernelFunc: nearestGrad(r.kernelFunc) },
    { kernelName: LEAKY_RELU_GRAD, backendName: 'wasm', kernelFunc: leakyReluGrad as unknown as KernelFunc },
  ];
}

/** LeakyReLU's gradient through {@link LEAKY_RELU_GRAD} on wasm; the original elsewhere (idempotent). */
export function registerLeakyReluGradient(): void {
  const original = tf.getGradient(LeakyRelu);
  if (!original || (original as { sigFast?: boolean }).sigFast) return;
  const config = {
    ...original,
    sigFast: true,
    gradFunc: (dy, saved, attrs) => {
      if (tf.getBackend() !== 'wasm') return original.gradFunc(dy, saved, attrs);
      const [x] = saved;
      return { x: () => runOp(LEAKY_RELU_GRAD, { dy: dy as Tensor, x }, { alpha: (attrs as { alpha: number }).alpha }) as Tensor };
    },
  } as GradConfig;
  // Replacing a registered gradient logs a warning in tfjs; this replacement is intended.
  withoutTfjsWarnings(() => tf.registerGradient(config));
}
