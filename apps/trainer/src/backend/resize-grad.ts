// Up-sampling gradients for the wasm backend (the CGAN's UpSampling2D and any resize layer). The built-in wasm
// ResizeNearestNeighborGrad and ResizeBilinearGrad give wrong results on non-square images (height and width
// swapped; test/wasm-grad.test.ts shows it), so these replace them: each is the exact transpose of the forward
// kernel's sampling (tfjs-backend-cpu's formulas, alignCorners and halfPixelCenters included), a scatter-add.
import { ResizeBilinearGrad, ResizeNearestNeighborGrad, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapF32 } from './wasm-kernel-calls.ts';

interface ResizeGradArgs {
  inputs: { images: TensorInfo; dy: TensorInfo };
  backend: BackendWasm;
  attrs: { alignCorners: boolean; halfPixelCenters?: boolean };
}

/** Source/destination size ratio along one axis, as the forward kernels compute it. */
function ratio(inSize: number, outSize: number, alignCorners: boolean): number {
  const corners = alignCorners && outSize > 1;
  return (corners ? inSize - 1 : inSize) / (corners ? outSize - 1 : outSize);
}

function resizeNearestNeighborGrad({ inputs, backend, attrs }: ResizeGradArgs): TensorInfo {
  const { images, dy } = inputs;
  const [n, h, w, ch] = images.shape;
  const [, oh, ow] = dy.shape;
  const { alignCorners, halfPixelCenters = false } = attrs;
  const rr = ratio(h, oh, alignCorners);
  const cr = ratio(w, ow, alignCorners);
  const nearest = (dst: number, r: number, size: number): number => {
    const frac = halfPixelCenters ? r * (dst + 0.5) : r * dst;
    const idx = Math.min(size - 1, alignCorners ? Math.round(frac) : Math.floor(frac));
    return halfPixelCenters ? Math.max(0, idx) : idx;
  };
  const rows = Int32Array.from({ length: oh }, (_, r) => nearest(r, rr, h));
  const cols = Int32Array.from({ length: ow }, (_, c) => nearest(c, cr, w));
  const out = backend.makeOutput(images.shape, 'float32');
  const dx = heapF32(backend, out);
  const g = heapF32(backend, dy);
  dx.fill(0);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < oh; r++) {
      const rowBase = (b * h + rows[r]) * w;
      for (let c = 0; c < ow; c++) {
        const base = (rowBase + cols[c]) * ch;
        for (let d = 0; d < ch; d++) dx[base + d] += g[o++];
      }
    }
  }
  return out;
}

function resizeBilinearGrad({ inputs, backend, attrs }: ResizeGradArgs): TensorInfo {
  const { images, dy } = inputs;
  const [n, h, w, ch] = images.shape;
  const [, oh, ow] = dy.shape;
  const { alignCorners, halfPixelCenters = false } = attrs;
  const rr = ratio(h, oh, alignCorners);
  const cr = ratio(w, ow, alignCorners);
  // Per output row/column: the two source indices and the weight of the second.
  const taps = (count: number, r: number, size: number) =>
    Array.from({ length: count }, (_, i) => {
      const frac = halfPixelCenters ? r * (i + 0.5) - 0.5 : r * i;
      const lo = Math.max(0, Math.floor(frac));
      return { lo, hi: Math.min(size - 1, Math.ceil(frac)), t: frac - lo };
    });
  const rowTaps = taps(oh, rr, h);
  const colTaps = taps(ow, cr, w);
  const out = backend.makeOutput(images.shape, 'float32');
  const dx = heapF32(backend, out);
  const g = heapF32(backend, dy);
  dx.fill(0);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < oh; r++) {
      const { lo: r0, hi: r1, t: ty } = rowTaps[r];
      const top = (b * h + r0) * w;
      const bot = (b * h + r1) * w;
      for (let c = 0; c < ow; c++) {
        const { lo: c0, hi: c1, t: tx } = colTaps[c];
        const wTL = (1 - ty) * (1 - tx);
        const wTR = (1 - ty) * tx;
        const wBL = ty * (1 - tx);
        const wBR = ty * tx;
        const tl = (top + c0) * ch;
        const tr = (top + c1) * ch;
        const bl = (bot + c0) * ch;
        const br = (bot + c1) * ch;
        for (let d = 0; d < ch; d++) {
          const v = g[o++];
          dx[tl + d] += v * wTL;
          dx[tr + d] += v * wTR;
          dx[bl + d] += v * wBL;
          dx[br + d] += v * wBR;
        }
      }
    }
  }
  return out;
}

export const wasmResizeGradKernels: KernelConfig[] = [
  { kernelName: ResizeNearestNeighborGrad, backendName: 'wasm', kernelFunc: resizeNearestNeighborGrad as unknown as KernelFunc },
  { kernelName: ResizeBilinearGrad, backendName: 'wasm', kernelFunc: resizeBilinearGrad as unknown as KernelFunc },
];
