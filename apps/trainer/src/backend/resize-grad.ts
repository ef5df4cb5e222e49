// Up-sampling gradients (the CGAN's UpSampling2D and any resize layer), for wasm and cpu. The built-in
// ResizeNearestNeighborGrad/ResizeBilinearGrad are wrong on both backends (wasm: non-square images; cpu:
// nearest mixes batch offsets when batch > 1, bilinear returns a transposed shape; test/wasm-grad.test.ts shows
// it), so these replace them: each is the exact transpose of the forward kernel's sampling (tfjs-backend-cpu's
// forward formulas, alignCorners and halfPixelCenters included), a scatter-add.
import { getKernel, registerKernel, ResizeBilinearGrad, ResizeNearestNeighborGrad, unregisterKernel, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
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

type ResizeAttrs = ResizeGradArgs['attrs'];

/** dx (zeroed, images.shape) += transpose of nearest-neighbour resizing applied to g (dy.shape). */
function nearestGrad(g: Float32Array, dx: Float32Array, imagesShape: number[], dyShape: number[], attrs: ResizeAttrs): void {
  const [n, h, w, ch] = imagesShape;
  const [, oh, ow] = dyShape;
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
}

/** dx (zeroed, images.shape) += transpose of bilinear resizing applied to g (dy.shape). */
function bilinearGrad(g: Float32Array, dx: Float32Array, imagesShape: number[], dyShape: number[], attrs: ResizeAttrs): void {
  const [n, h, w, ch] = imagesShape;
  const [, oh, ow] = dyShape;
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
}

type GradCore = typeof nearestGrad;

/** A wasm kernel running `core` on heap views. */
function wasmKernel(core: GradCore): KernelFunc {
  return (({ inputs, backend, attrs }: ResizeGradArgs) => {
    const out = backend.makeOutput(inputs.images.shape, 'float32');
    const dx = heapF32(backend, out);
    dx.fill(0);
    core(heapF32(backend, inputs.dy), dx, inputs.images.shape, inputs.dy.shape, attrs);
    return out;
  }) as unknown as KernelFunc;
}

/** The cpu backend's view of its data (tfjs-backend-cpu's MathBackendCPU, structurally). */
interface CpuBackend {
  data: { get(dataId: object): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

/** A cpu kernel running `core` on the backend's arrays. */
function cpuKernel(core: GradCore): KernelFunc {
  return (({ inputs, backend, attrs }: { inputs: ResizeGradArgs['inputs']; backend: CpuBackend; attrs: ResizeAttrs }) => {
    const dx = new Float32Array(inputs.images.shape.reduce((a, b) => a * b, 1));
    core(backend.data.get(inputs.dy.dataId).values, dx, inputs.images.shape, inputs.dy.shape, attrs);
    return backend.makeTensorInfo(inputs.images.shape, 'float32', dx);
  }) as unknown as KernelFunc;
}

export const wasmResizeGradKernels: KernelConfig[] = [
  { kernelName: ResizeNearestNeighborGrad, backendName: 'wasm', kernelFunc: wasmKernel(nearestGrad) },
  { kernelName: ResizeBilinearGrad, backendName: 'wasm', kernelFunc: wasmKernel(bilinearGrad) },
];

/** The same gradients for tfjs-backend-cpu, whose built-ins are wrong too. */
export const cpuResizeGradKernels: KernelConfig[] = [
  { kernelName: ResizeNearestNeighborGrad, backendName: 'cpu', kernelFunc: cpuKernel(nearestGrad) },
  { kernelName: ResizeBilinearGrad, backendName: 'cpu', kernelFunc: cpuKernel(bilinearGrad) },
];

let cpuFixed = false;

/** Replaces tfjs-backend-cpu's resize gradients with the correct ones (idempotent; selectBackend calls it). */
export function fixCpuResizeGradients(): void {
  if (cpuFixed) return;
  for (const config of cpuResizeGradKernels) {
    if (getKernel(config.kernelName, 'cpu')) unregisterKernel(config.kernelName, 'cpu');
    registerKernel(config);
  }
  cpuFixed = true;
}
