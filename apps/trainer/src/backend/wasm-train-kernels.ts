// Memory-bound training kernels for the wasm backend, written as single passes over the wasm heap.
// The profile of a classifier step showed these (not the convolutions) eating half the time: BatchNorm's
// gradient built from Tile/Multiply/Sum, reductions over the leading axes (bias and BatchNorm gradients)
// that the built-in Sum/Mean do through a full transpose, and a slow MaxPoolGrad.
import {
  backend_util,
  Cast,
  FusedBatchNorm,
  getKernel,
  Identity,
  MaxPoolGrad,
  Mean,
  Sum,
  util,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { callKernel, free, heapF32 } from './wasm-kernel-calls.ts';

/** Custom kernel names (registered for wasm only; the gradient overrides call them). */
export const RELU_GRAD = 'SigReluGrad';
export const BATCH_NORM_GRAD = 'SigBatchNormGrad';
export const BROADCAST_LEADING = 'SigBroadcastLeading';

type Args<I, A = Record<string, unknown>> = { inputs: I; backend: BackendWasm; attrs: A };

/** If `axes` are exactly the leading axes 0..k-1 (k < rank), the number of reduced rows; else 0. */
export function leadingReduceRows(shape: number[], axes: number[]): number {
  const sorted = [...axes].sort((a, b) => a - b);
  if (sorted.length === 0 || sorted.length >= shape.length) return 0;
  if (!sorted.every((a, i) => a === i)) return 0;
  return shape.slice(0, sorted.length).reduce((a, b) => a * b, 1);
}

/**
 * Per-column sums (or means) of x viewed as [rows, cols], via XNNPACK average pooling over one [rows × 1]
 * window: SIMD at memory speed, no copy. The built-in transposes first, a JS loop is ~10× slower, and a GEMM
 * with a ones vector repacks x as its weights on every call.
 */
export function columnReduce(backend: BackendWasm, x: TensorInfo, rows: number, kind: 'Sum' | 'Mean', outShape: number[]): TensorInfo {
  const cols = util.sizeFromShape(x.shape) / rows;
  const view: TensorInfo = { dataId: x.dataId, shape: [1, rows, 1, cols], dtype: 'float32' };
  const out = callKernel(backend, 'AvgPool', { x: view }, { filterSize: [rows, 1], strides: [rows, 1], pad: 'valid', dimRoundingMode: undefined });
  if (kind === 'Sum') {
    const v = heapF32(backend, out);
    for (let c = 0; c < cols; c++) v[c] *= rows;
  }
  return { dataId: out.dataId, shape: outShape, dtype: 'float32' };
}

/** Sum or mean over leading axes through {@link columnReduce}; other axes go to the built-in kernel. */
function leadingReduction(kind: 'Sum' | 'Mean', builtin: KernelFunc): KernelFunc {
  return ((args: Args<{ x: TensorInfo }, { axis: number | number[]; keepDims: boolean }>) => {
    const { inputs, backend, attrs } = args;
    const { x } = inputs;
    const axes = util.parseAxisParam(attrs.axis, x.shape);
    const rows = leadingReduceRows(x.shape, axes);
    if (x.dtype !== 'float32' || rows < 2) return builtin(args as never);
    const outShape = attrs.keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.slice(axes.length);
    return columnReduce(backend, x, rows, kind, outShape);
  }) as unknown as KernelFunc;
}

/**
 * A kernel that shares its input's data (reference count) instead of copying it when `shares(args)` holds, as
 * tfjs-backend-cpu does; otherwise the built-in runs.
 */
function sharingKernel<A>(builtin: KernelFunc, shares: (x: TensorInfo, attrs: A) => boolean): KernelFunc {
  return ((args: Args<{ x: TensorInfo }, A>) => {
    const { x } = args.inputs;
    if (x.dtype === 'string' || !shares(x, args.attrs)) return builtin(args as never);
    args.backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  }) as unknown as KernelFunc;
}

/**
 * Identity that shares the data. The engine clones every tensor it saves for the backward pass through Identity,
 * so the built-in copy cost a full pass over every saved activation per step.
 */
const identityShared = (builtin: KernelFunc): KernelFunc => sharingKernel(builtin, () => true);

/** Cast to the dtype a tensor already has (tf.moments casts its input to float32) shares the data too. */
const castShared = (builtin: KernelFunc): KernelFunc => sharingKernel<{ dtype: string }>(builtin, (x, attrs) => x.dtype === attrs.dtype);

/**
 * Per-channel batch normalisation as y = x·a + b with a = scale/√(var+ε), b = offset − mean·a: two SIMD passes
 * (broadcast Multiply, Add) where the built-in loops in scalar code at ~3× the time. Other shapes: the built-in.
 */
function batchNorm(builtin: KernelFunc): KernelFunc {
  return ((args: Args<
    { x: TensorInfo; mean: TensorInfo; variance: TensorInfo; offset?: TensorInfo; scale?: TensorInfo },
    { varianceEpsilon: number }
  >) => {
    const { inputs, backend, attrs } = args;
    const { x, mean, variance, offset, scale } = inputs;
    const ch = x.shape[x.shape.length - 1];
    const perChannel = [mean, variance, offset, scale].every((t) => t == null || (t.shape.length === 1 && t.shape[0] === ch && t.dtype === 'float32'));
    if (!perChannel || x.dtype !== 'float32') return builtin(args as never);
    const a = backend.makeOutput([ch], 'float32');
    const b = backend.makeOutput([ch], 'float32');
    const [av, bv, mv, vv] = [a, b, mean, variance].map((t) => heapF32(backend, t));
    const sv = scale ? heapF32(backend, scale) : null;
    const ov = offset ? heapF32(backend, offset) : null;
    for (let c = 0; c < ch; c++) {
      av[c] = (sv ? sv[c] : 1) / Math.sqrt(vv[c] + attrs.varianceEpsilon);
      bv[c] = (ov ? ov[c] : 0) - mv[c] * av[c];
    }
    const scaled = callKernel(backend, 'Multiply', { a: x, b: a });
    const out = callKernel(backend, 'Add', { a: scaled, b });
    free(backend, scaled, a, b);
    return out;
  }) as unknown as KernelFunc;
}

/** dx = dy · step(x): two SIMD passes, ~3× faster than one JS pass and than the stock mul(dy, cast(step(x))). */
function reluGrad({ inputs, backend }: Args<{ dy: TensorInfo; x: TensorInfo }>): TensorInfo {
  const mask = callKernel(backend, 'Step', { x: inputs.x }, { alpha: 0 });
  const dx = callKernel(backend, 'Multiply', { a: inputs.dy, b: mask });
  free(backend, mask);
  return dx;
}

/** out[r, c] = dy[c] · scale for `shape` = [...leading, ...dy.shape] (the gradient of a leading-axes mean). */
function broadcastLeading({ inputs, backend, attrs }: Args<{ dy: TensorInfo }, { shape: number[]; scale: number }>): TensorInfo {
  const out = backend.makeOutput(attrs.shape, 'float32');
  const dy = heapF32(backend, inputs.dy);
  const dst = heapF32(backend, out);
  const cols = dy.length;
  for (let c = 0; c < cols; c++) dst[c] = dy[c] * attrs.scale;
  // Doubling block copies run at memcpy speed, unlike one small set() per row.
  for (let filled = cols; filled < dst.length; filled *= 2) dst.copyWithin(filled, 0, Math.min(filled, dst.length - filled));
  return out;
}

/**
 * The per-channel sums every BatchNorm gradient needs, with x viewed as [rows, channels]: Σdy and Σdy·(x − mean),
 * and the centred x itself (the caller frees it). Two column reductions and two SIMD passes.
 */
export function batchNormGradSums(
  backend: BackendWasm,
  x: TensorInfo,
  mean: TensorInfo,
  dy: TensorInfo,
): { centered: TensorInfo; sumDy: TensorInfo; sumDyXc: TensorInfo } {
  const ch = mean.shape[0];
  const rows = util.sizeFromShape(x.shape) / ch;
  const centered = callKernel(backend, 'Sub', { a: x, b: mean });
  const prod = callKernel(backend, 'Multiply', { a: dy, b: centered });
  const sumDy = columnReduce(backend, dy, rows, 'Sum', [ch]);
  const sumDyXc = columnReduce(backend, prod, rows, 'Sum', [ch]);
  free(backend, prod);
  return { centered, sumDy, sumDyXc };
}

/**
 * All five FusedBatchNorm gradients for per-channel (rank-1) statistics, channels last, from SIMD kernels
 * (broadcast Sub/Multiply, column sums by pooling) instead of the stock Tile-heavy composite:
 * r = 1/√(var+ε), s = scale; dx = dy·s·r, dmean = −s·r·Σdy, dvar = −½·s·r³·Σdy(x−μ), dscale = r·Σdy(x−μ), doffset = Σdy.
 */
function batchNormGrad({ inputs, backend, attrs }: Args<
  { x: TensorInfo; mean: TensorInfo; variance: TensorInfo; scale?: TensorInfo; dy: TensorInfo },
  { varianceEpsilon: number }
>): TensorInfo[] {
  const { x, mean, variance, scale, dy } = inputs;
  const ch = mean.shape[0];
  const { centered, sumDy, sumDyXc } = batchNormGradSums(backend, x, mean, dy);
  free(backend, centered);
  const k = backend.makeOutput([ch], 'float32');
  const small = [ch, ch, ch].map(() => backend.makeOutput([ch], 'float32'));
  const [kV, dmV, dvV, dsV] = [k, ...small].map((t) => heapF32(backend, t));
  const [va, sd, sx] = [variance, sumDy, sumDyXc].map((t) => heapF32(backend, t));
  const sc = scale ? heapF32(backend, scale) : null;
  for (let c = 0; c < ch; c++) {
    const r = 1 / Math.sqrt(va[c] + attrs.varianceEpsilon);
    kV[c] = (sc ? sc[c] : 1) * r;
    dmV[c] = -kV[c] * sd[c];
    dvV[c] = -0.5 * kV[c] * r * r * sx[c];
    dsV[c] = r * sx[c];
  }
  const dx = callKernel(backend, 'Multiply', { a: dy, b: k });
  free(backend, k, sumDyXc);
  return [dx, small[0], small[1], small[2], sumDy];
}

/** Max-pool gradient: each output's dy goes to the first maximum of its window (as tfjs-backend-cpu does). */
function maxPoolGrad({ inputs, backend, attrs }: Args<
  { dy: TensorInfo; input: TensorInfo },
  { filterSize: number | [number, number]; strides: number | [number, number]; pad: 'valid' | 'same' | number; dimRoundingMode?: 'floor' | 'round' | 'ceil' }
>): TensorInfo {
  const { dy, input } = inputs;
  const info = backend_util.computePool2DInfo(input.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ch, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw } = info;
  const { top, left } = info.padInfo;
  const out = backend.makeOutput(input.shape, 'float32');
  const dx = heapF32(backend, out);
  const xv = heapF32(backend, input);
  const g = heapF32(backend, dy);
  dx.fill(0);
  if (fh === 2 && fw === 2 && sh === 2 && sw === 2 && top === 0 && left === 0) {
    maxPoolGrad2x2(xv, g, dx, n, h, w, ch, oh, ow);
    return out;
  }
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - top;
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - left;
        const gBase = ((b * oh + oy) * ow + ox) * ch;
        for (let c = 0; c < ch; c++) {
          let best = -Infinity;
          let at = -1;
          for (let ky = 0; ky < fh; ky++) {
            const y = y0 + ky;
            if (y < 0 || y >= h) continue;
            for (let kx = 0; kx < fw; kx++) {
              const xx = x0 + kx;
              if (xx < 0 || xx >= w) continue;
              const idx = ((b * h + y) * w + xx) * ch + c;
              if (xv[idx] > best || at < 0) {
                best = xv[idx];
                at = idx;
              }
            }
          }
          if (at >= 0) dx[at] += g[gBase + c];
        }
      }
    }
  }
  return out;
}

/** The common 2×2, stride-2, unpadded case: windows do not overlap, four loads and three compares each. */
function maxPoolGrad2x2(xv: Float32Array, g: Float32Array, dx: Float32Array, n: number, h: number, w: number, ch: number, oh: number, ow: number): void {
  const row = w * ch;
  let gi = 0;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const p00 = ((b * h + 2 * oy) * w + 2 * ox) * ch;
        for (let c = 0; c < ch; c++, gi++) {
          // First maximum in row-major window order, as the generic loop and tfjs-backend-cpu pick it.
          const i0 = p00 + c;
          let at = i0;
          let m = xv[i0];
          if (xv[i0 + ch] > m) { at = i0 + ch; m = xv[at]; }
          if (xv[i0 + row] > m) { at = i0 + row; m = xv[at]; }
          if (xv[i0 + row + ch] > m) at = i0 + row + ch;
          dx[at] = g[gi];
        }
      }
    }
  }
}

/** The kernels above as configs; Sum and Mean wrap the built-ins they replace (call after wasm is imported). */
export function wasmTrainKernels(): KernelConfig[] {
  const sum = getKernel(Sum, 'wasm')!;
  const mean = getKernel(Mean, 'wasm')!;
  const identity = getKernel(Identity, 'wasm')!;
  const cast = getKernel(Cast, 'wasm')!;
  const fusedBatchNorm = getKernel(FusedBatchNorm, 'wasm')!;
  return [
    { kernelName: Identity, backendName: 'wasm', setupFunc: identity.setupFunc, kernelFunc: identityShared(identity.kernelFunc) },
    // The built-ins' setupFunc binds their wasm functions; keep it so the fallback path works.
    { kernelName: Sum, backendName: 'wasm', setupFunc: sum.setupFunc, kernelFunc: leadingReduction('Sum', sum.kernelFunc) },
    { kernelName: Mean, backendName: 'wasm', setupFunc: mean.setupFunc, kernelFunc: leadingReduction('Mean', mean.kernelFunc) },
    { kernelName: Cast, backendName: 'wasm', setupFunc: cast.setupFunc, kernelFunc: castShared(cast.kernelFunc) },
    { kernelName: FusedBatchNorm, backendName: 'wasm', setupFunc: fusedBatchNorm.setupFunc, kernelFunc: batchNorm(fusedBatchNorm.kernelFunc) },
    { kernelName: MaxPoolGrad, backendName: 'wasm', kernelFunc: maxPoolGrad as unknown as KernelFunc },
    { kernelName: RELU_GRAD, backendName: 'wasm', kernelFunc: reluGrad as unknown as KernelFunc },
    { kernelName: BROADCAST_LEADING, backendName: 'wasm', kernelFunc: broadcastLeading as unknown as KernelFunc },
    { kernelName: BATCH_NORM_GRAD, backendName: 'wasm', kernelFunc: batchNormGrad as unknown as KernelFunc },
  ];
}
