// Memory-bound training kernels for the wasm backend, written as single passes over the wasm heap.
// The profile of a classifier step showed these (not the convolutions) eating half the time: BatchNorm's
// gradient built from Tile/Multiply/Sum, reductions over the leading axes (bias and BatchNorm gradients)
// that the built-in Sum/Mean do through a full transpose, and a slow MaxPoolGrad.
import { backend_util, getKernel, MaxPoolGrad, Mean, Sum, util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapF32 } from './wasm-kernel-calls.ts';

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

/** Sum or mean over leading axes as a column sum of a [rows, cols] matrix; other cases go to the built-in. */
function leadingReduction(kind: 'Sum' | 'Mean', builtin: KernelFunc): KernelFunc {
  return ((args: Args<{ x: TensorInfo }, { axis: number | number[]; keepDims: boolean }>) => {
    const { inputs, backend, attrs } = args;
    const { x } = inputs;
    const axes = util.parseAxisParam(attrs.axis, x.shape);
    const rows = leadingReduceRows(x.shape, axes);
    if (x.dtype !== 'float32' || rows === 0) return builtin(args as never);
    const cols = util.sizeFromShape(x.shape) / rows;
    const outShape = attrs.keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.slice(axes.length);
    const out = backend.makeOutput(outShape, 'float32');
    const src = heapF32(backend, x);
    const dst = heapF32(backend, out);
    // Accumulate in float64 per column for accuracy over millions of rows.
    const acc = new Float64Array(cols);
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      for (let c = 0; c < cols; c++) acc[c] += src[base + c];
    }
    const f = kind === 'Mean' ? 1 / rows : 1;
    for (let c = 0; c < cols; c++) dst[c] = acc[c] * f;
    return out;
  }) as unknown as KernelFunc;
}

/** dx = dy where x > 0, else 0 (one pass instead of Step, Cast and Multiply). */
function reluGrad({ inputs, backend }: Args<{ dy: TensorInfo; x: TensorInfo }>): TensorInfo {
  const out = backend.makeOutput(inputs.x.shape, 'float32');
  const dy = heapF32(backend, inputs.dy);
  const x = heapF32(backend, inputs.x);
  const dx = heapF32(backend, out);
  // Branch-free: on real activations the sign is unpredictable and a branch costs 3× more.
  const n = dx.length;
  for (let i = 0; i < n; i++) dx[i] = dy[i] * +(x[i] > 0);
  return out;
}

/** out[r, c] = dy[c] · scale for `shape` = [...leading, ...dy.shape] (the gradient of a leading-axes mean). */
function broadcastLeading({ inputs, backend, attrs }: Args<{ dy: TensorInfo }, { shape: number[]; scale: number }>): TensorInfo {
  const out = backend.makeOutput(attrs.shape, 'float32');
  const dy = heapF32(backend, inputs.dy);
  const dst = heapF32(backend, out);
  const cols = dy.length;
  const row = new Float32Array(cols);
  for (let c = 0; c < cols; c++) row[c] = dy[c] * attrs.scale;
  for (let off = 0; off < dst.length; off += cols) dst.set(row, off);
  return out;
}

/**
 * All five FusedBatchNorm gradients for per-channel (rank-1) statistics, channels last, in one pass:
 * r = 1/√(var+ε), s = scale; dx = dy·s·r, dmean = −s·r·Σdy, dvar = −½·s·r³·Σdy(x−μ), dscale = r·Σdy(x−μ), doffset = Σdy.
 */
function batchNormGrad({ inputs, backend, attrs }: Args<
  { x: TensorInfo; mean: TensorInfo; variance: TensorInfo; scale?: TensorInfo; dy: TensorInfo },
  { varianceEpsilon: number }
>): TensorInfo[] {
  const { x, mean, variance, scale, dy } = inputs;
  const ch = mean.shape[0];
  const outs = [x.shape, [ch], [ch], [ch], [ch]].map((s) => backend.makeOutput(s, 'float32'));
  const [dxV, dmV, dvV, dsV, doV] = outs.map((o) => heapF32(backend, o));
  const xv = heapF32(backend, x);
  const dyv = heapF32(backend, dy);
  const mu = heapF32(backend, mean);
  const va = heapF32(backend, variance);
  const sc = scale ? heapF32(backend, scale) : null;
  const r = new Float32Array(ch);
  const k = new Float32Array(ch);
  for (let c = 0; c < ch; c++) {
    r[c] = 1 / Math.sqrt(va[c] + attrs.varianceEpsilon);
    k[c] = (sc ? sc[c] : 1) * r[c];
  }
  const sumDy = new Float64Array(ch);
  const sumDyXc = new Float64Array(ch);
  for (let off = 0; off < xv.length; off += ch) {
    for (let c = 0; c < ch; c++) {
      const g = dyv[off + c];
      sumDy[c] += g;
      sumDyXc[c] += g * (xv[off + c] - mu[c]);
      dxV[off + c] = g * k[c];
    }
  }
  for (let c = 0; c < ch; c++) {
    dmV[c] = -k[c] * sumDy[c];
    dvV[c] = -0.5 * k[c] * r[c] * r[c] * sumDyXc[c];
    dsV[c] = r[c] * sumDyXc[c];
    doV[c] = sumDy[c];
  }
  return outs;
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

/** The kernels above as configs; Sum and Mean wrap the built-ins they replace (call after wasm is imported). */
export function wasmTrainKernels(): KernelConfig[] {
  const sum = getKernel(Sum, 'wasm')!;
  const mean = getKernel(Mean, 'wasm')!;
  return [
    // The built-ins' setupFunc binds their wasm functions; keep it so the fallback path works.
    { kernelName: Sum, backendName: 'wasm', setupFunc: sum.setupFunc, kernelFunc: leadingReduction('Sum', sum.kernelFunc) },
    { kernelName: Mean, backendName: 'wasm', setupFunc: mean.setupFunc, kernelFunc: leadingReduction('Mean', mean.kernelFunc) },
    { kernelName: MaxPoolGrad, backendName: 'wasm', kernelFunc: maxPoolGrad as unknown as KernelFunc },
    { kernelName: RELU_GRAD, backendName: 'wasm', kernelFunc: reluGrad as unknown as KernelFunc },
    { kernelName: BROADCAST_LEADING, backendName: 'wasm', kernelFunc: broadcastLeading as unknown as KernelFunc },
    { kernelName: BATCH_NORM_GRAD, backendName: 'wasm', kernelFunc: batchNormGrad as unknown as KernelFunc },
  ];
}
