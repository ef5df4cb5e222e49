// Convolutions of the trainable wasm backend on onnxruntime-node's native CPU kernels (MLAS: im2col + SGEMM
// with AVX2/AVX-512 FMA), 1.5–3× faster per convolution than XNNPACK in 128-bit wasm SIMD on this machine.
//
// TF.js kernels are synchronous. onnxruntime-node's public `InferenceSession.run` is async only because it
// defers the native call with setImmediate; the native session's own `run` is synchronous, so the kernels
// call it directly: inputs are views of the wasm heap, the output is written by onnxruntime straight into
// the tensor the wasm backend allocated for it (a pre-allocated fetch). No copies, no threads to hand off to.
//
// Each distinct convolution (shapes, strides, padding) gets its own small session, created on first use and
// kept. The forward pass (also FusedConv2D with bias and ReLU) and the stride-1 input gradient use onnxruntime's
// NCHWc kernels where the channel counts allow (native-conv-nchwc.ts), else im2col/GEMM graphs
// (native-conv-graphs.ts), which also compute every filter gradient. Cases no graph covers (NCHW, dilated
// gradients, output padding beyond the stride, other fused activations) fall through to the wasm kernels. Off
// when onnxruntime-node does not load (nativeConvStatus says why), or with the `nativeConv` setting 'off'
// ('gemm' keeps NCHWc off); see settings.ts.
import { createRequire } from 'node:module';
import {
  backend_util,
  Conv2D,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  FusedConv2D,
  getKernel,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { filterGradGraph, filterGradSlabGraph, forwardGraph, inputGradGraph, type Pads } from './native-conv-graphs.ts';
import { nchwcAcceptsChannels, nchwcForwardGraph, nchwcInputGradGraph, nchwcProbeGraph } from './native-conv-nchwc.ts';
import { conv2dBackpropFilter, conv2dBackpropInput, type ConvGradAttrs } from './wasm-conv-grad.ts';
import { backendSettings } from './settings.ts';
import { heapF32 } from './wasm-kernel-calls.ts';

type Shape4 = [number, number, number, number];

interface NativeTensorCtor {
  new (type: 'float32', data: Float32Array, dims: readonly number[]): unknown;
}
interface NativeSession {
  loadModel(buffer: ArrayBufferLike, byteOffset: number, byteLength: number, options: object): void;
  run(feeds: Record<string, unknown>, fetches: Record<string, unknown>, options: object): unknown;
}
export interface NativeRuntime {
  Tensor: NativeTensorCtor;
  newSession(): NativeSession;
}

let runtime: NativeRuntime | null | undefined;
let unavailable: string | undefined;

/**
 * onnxruntime-node's native binding, or null when the settings turn it off or it cannot load here (the reason
 * is kept for nativeConvStatus). Loaded once, with the settings in force at the first call.
 */
export function nativeRuntime(): NativeRuntime | null {
  if (runtime !== undefined) return runtime;
  runtime = null;
  const settings = backendSettings();
  if (settings.nativeConv === 'off') {
    unavailable = "turned off (nativeConv 'off', SIG_NATIVE_CONV=0)";
    return runtime;
  }
  try {
    const require = createRequire(import.meta.url);
    const ort = require('onnxruntime-node') as { Tensor: NativeTensorCtor };
    // A private file of onnxruntime-node: package.json pins the exact version it was written against.
    const native = require(settings.nativeBinding) as {
      binding: { InferenceSession: new () => NativeSession };
      initOrt(): void;
    };
    native.initOrt();
    runtime = { Tensor: ort.Tensor, newSession: () => new native.binding.InferenceSession() };
  } catch (err) {
    unavailable = `onnxruntime-node's native binding did not load (${String((err as Error)?.message ?? err).split('\n')[0]})`;
    runtime = null;
  }
  return runtime;
}

/** Whether the native convolutions are available, and why not when they are not (before the first load: not tried yet). */
export function nativeConvStatus(): { available: boolean; reason?: string } {
  if (runtime === undefined) return { available: false, reason: 'not loaded yet' };
  return runtime ? { available: true } : { available: false, reason: unavailable };
}

const sessions = new Map<string, NativeSession>();
let enabled = true;
let nchwcEnabled: boolean | undefined;
let block: number | undefined;

/** How many convolution graphs have a native session (tests use it to see the native path ran). */
export function nativeConvSessionCount(): number {
  return sessions.size;
}

/** How many of them are NCHWc graphs. */
export function nchwcSessionCount(): number {
  let n = 0;
  for (const key of sessions.keys()) if (key.startsWith('nchwc|')) n++;
  return n;
}

/** Switches the registered native kernels on or off at run time (off: they call the wasm kernels). */
export function setNativeConvolutions(on: boolean): void {
  enabled = on;
}

/** Switches the NCHWc graphs on or off (off: the im2col/GEMM graphs serve every shape). */
export function setNchwcConvolutions(on: boolean): void {
  nchwcEnabled = on;
}

/**
 * onnxruntime's NCHWc channel block on this CPU (16 with AVX-512, 8 with AVX2), or 0 when the NCHWc kernels are
 * unavailable (no native runtime, or a CPU without them): read from the output shape of a one-node probe graph.
 */
export function nchwcBlockSize(): number {
  if (block !== undefined) return block;
  block = 0;
  const rt = nativeRuntime();
  if (!rt) return block;
  try {
    const s = rt.newSession();
    const bytes = nchwcProbeGraph();
    s.loadModel(bytes.buffer, bytes.byteOffset, bytes.byteLength, { graphOptimizationLevel: 'disabled' });
    const out = s.run({ x: new rt.Tensor('float32', new Float32Array(4), [1, 1, 1, 4]) }, { y: null }, {}) as Record<string, { dims: readonly number[] }>;
    const b = Number(out.y.dims[1]);
    block = b > 1 && b % 4 === 0 ? b : 0;
  } catch {
    block = 0;
  }
  return block;
}

/** The NCHWc block when these channel counts can use the NCHWc graphs, else 0. */
function nchwcFor(inChannels: number): number {
  nchwcEnabled ??= backendSettings().nativeConv === 'nchwc';
  if (!nchwcEnabled) return 0;
  const b = nchwcBlockSize();
  return nchwcAcceptsChannels(inChannels, b) ? b : 0;
}

/** The cached native session for graph `key`, built (and loaded single-threaded) on first use. */
export function session(rt: NativeRuntime, key: string, build: () => Uint8Array): NativeSession {
  let s = sessions.get(key);
  if (!s) {
    const bytes = build();
    s = rt.newSession();
    // One thread: the data-parallel trainer already runs one worker per core.
    s.loadModel(bytes.buffer, bytes.byteOffset, bytes.byteLength, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    sessions.set(key, s);
  }
  return s;
}

/** Runs a cached graph on wasm-heap views, writing into the already allocated `out`. */
export function runInto(
  rt: NativeRuntime,
  backend: BackendWasm,
  s: NativeSession,
  feeds: Record<string, TensorInfo>,
  outName: string,
  out: TensorInfo,
): TensorInfo {
  const feedTensors: Record<string, unknown> = {};
  for (const [name, t] of Object.entries(feeds)) feedTensors[name] = new rt.Tensor('float32', heapF32(backend, t), t.shape);
  s.run(feedTensors, { [outName]: new rt.Tensor('float32', heapF32(backend, out), out.shape) }, {});
  return out;
}

function padsOf(info: backend_util.Conv2DInfo): Pads {
  const { top, bottom, left, right } = info.padInfo;
  return { top, bottom, left, right };
}

const isFloat = (...ts: TensorInfo[]) => ts.every((t) => t.dtype === 'float32');

interface ConvAttrs {
  strides: number | [number, number];
  pad: ConvGradAttrs['pad'];
  dataFormat: 'NHWC' | 'NCHW';
  dilations: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

type ForwardArgs = { inputs: { x: TensorInfo; filter: TensorInfo }; backend: BackendWasm; attrs: ConvAttrs };
type FusedArgs = {
  inputs: { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  backend: BackendWasm;
  attrs: ConvAttrs & { activation: string };
};
type InputGradArgs = Parameters<typeof conv2dBackpropInput>[0];
type FilterGradArgs = Parameters<typeof conv2dBackpropFilter>[0];

/** Makes the convolution kernels; `builtin` and `builtinFused` are the wasm backend's own (the fallbacks). */
function nativeKernels(rt: NativeRuntime, builtin: KernelConfig, builtinFused: KernelConfig): KernelConfig[] {
  const wasmConv2D = builtin.kernelFunc;
  const wasmFusedConv2D = builtinFused.kernelFunc;
  /** The native forward convolution, with bias and ReLU fused when given; null when no native graph covers it. */
  function forward(backend: BackendWasm, x: TensorInfo, filter: TensorInfo, attrs: ConvAttrs, bias: TensorInfo | null, relu: boolean): TensorInfo | null {
    if (!enabled || attrs.dataFormat !== 'NHWC' || !isFloat(x, filter)) return null;
    const info = backend_util.computeConv2DInfo(
      x.shape as Shape4,
      filter.shape as Shape4,
      attrs.strides,
      attrs.dilations,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const strides: [number, number] = [info.strideHeight, info.strideWidth];
    const dilations: [number, number] = [info.dilationHeight, info.dilationWidth];
    const pads = padsOf(info);
    const outShape = info.outShape as Shape4;
    const feeds: Record<string, TensorInfo> = { x, w: filter };
    if (bias) feeds.b = bias;
    const b = nchwcFor(x.shape[3]);
    const key = `${b > 0 ? 'nchwc|' : ''}f|${bias !== null}|${relu}|${x.shape}|${filter.shape}|${strides}|${dilations}|${Object.values(pads)}`;
    const s = session(rt, key, () =>
      b > 0
        ? nchwcForwardGraph(x.shape as Shape4, filter.shape as Shape4, outShape, { strides, dilations, pads, bias: bias !== null, relu }, b)
        : forwardGraph(x.shape as Shape4, filter.shape as Shape4, outShape, strides, dilations, pads, { bias: bias !== null, relu }),
    );
    return runInto(rt, backend, s, feeds, 'y', backend.makeOutput(outShape, 'float32'));
  }

  function conv2d(args: ForwardArgs): TensorInfo {
    const { inputs, backend, attrs } = args;
    return forward(backend, inputs.x, inputs.filter, attrs, null, false) ?? (wasmConv2D(args as never) as TensorInfo);
  }

  /** FusedConv2D (bias, ReLU or no activation) natively; other activations and bias shapes go to the wasm kernel. */
  function fusedConv2d(args: FusedArgs): TensorInfo {
    const { inputs, backend, attrs } = args;
    const { x, filter, bias, preluActivationWeights } = inputs;
    const act = attrs.activation;
    const plainBias = bias == null || (bias.shape.length === 1 && bias.shape[0] === filter.shape[3] && bias.dtype === 'float32');
    const fusable = (act === 'linear' || act === 'relu') && preluActivationWeights == null && plainBias;
    return (fusable && forward(backend, x, filter, attrs, bias ?? null, act === 'relu')) || (wasmFusedConv2D(args as never) as TensorInfo);
  }

  function inputGrad(args: InputGradArgs): TensorInfo {
    const { inputs, backend, attrs } = args;
    const { dy, filter } = inputs;
    if (!enabled || attrs.dataFormat !== 'NHWC' || !isFloat(dy, filter)) return conv2dBackpropInput(args);
    const info = backend_util.computeConv2DInfo(attrs.inputShape, filter.shape as Shape4, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
    const strides: [number, number] = [info.strideHeight, info.strideWidth];
    const pads = padsOf(info);
    const [, h, w] = attrs.inputShape;
    // ConvTranspose's output is s·(OH−1) + kh − pads; the forward floor may have dropped up to s−1 rows.
    const extra: [number, number] = [
      h - (strides[0] * (info.outHeight - 1) + info.filterHeight - pads.top - pads.bottom),
      w - (strides[1] * (info.outWidth - 1) + info.filterWidth - pads.left - pads.right),
    ];
    if (extra[0] < 0 || extra[1] < 0 || extra[0] >= strides[0] || extra[1] >= strides[1]) return conv2dBackpropInput(args);
    // Stride 1 with padding below the kernel size: a plain convolution of dy, on the NCHWc kernels when they apply.
    const [kh, kw] = filter.shape;
    const plain = strides[0] === 1 && strides[1] === 1 && Math.max(pads.top, pads.bottom) < kh && Math.max(pads.left, pads.right) < kw;
    const b = plain ? nchwcFor(dy.shape[3]) : 0;
    const key = `${b > 0 ? 'nchwc|' : ''}d|${dy.shape}|${filter.shape}|${attrs.inputShape}|${strides}|${Object.values(pads)}`;
    const s = session(rt, key, () =>
      b > 0
        ? nchwcInputGradGraph(dy.shape as Shape4, filter.shape as Shape4, attrs.inputShape, pads, b)
        : inputGradGraph(dy.shape as Shape4, filter.shape as Shape4, attrs.inputShape, strides, pads, extra),
    );
    return runInto(rt, backend, s, { dy, w: filter }, 'dx', backend.makeOutput(attrs.inputShape, 'float32'));
  }

  function filterGrad(args: FilterGradArgs): TensorInfo {
    const { inputs, backend, attrs } = args;
    const { x, dy } = inputs;
    if (!enabled || attrs.dataFormat !== 'NHWC' || !isFloat(x, dy)) return conv2dBackpropFilter(args);
    const info = backend_util.computeConv2DInfo(x.shape as Shape4, attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
    const strides: [number, number] = [info.strideHeight, info.strideWidth];
    const pads = padsOf(info);
    // Taps the dilated dy reaches over the padded x; ≥ the filter size, extras are sliced off in the graph.
    const reach: [number, number] = [
      x.shape[1] + pads.top + pads.bottom - strides[0] * (info.outHeight - 1),
      x.shape[2] + pads.left + pads.right - strides[1] * (info.outWidth - 1),
    ];
    if (reach[0] < info.filterHeight || reach[1] < info.filterWidth) return conv2dBackpropFilter(args);
    // Stride 1 with ≥ 8 input channels: the slab GEMMs (measured ~2× faster); else one Conv over the batch.
    const slab = strides[0] === 1 && strides[1] === 1 && x.shape[3] >= 8;
    const key = `w|${slab}|${x.shape}|${dy.shape}|${attrs.filterShape}|${strides}|${Object.values(pads)}`;
    const s = session(rt, key, () =>
      slab
        ? filterGradSlabGraph(x.shape as Shape4, dy.shape as Shape4, attrs.filterShape, pads)
        : filterGradGraph(x.shape as Shape4, dy.shape as Shape4, attrs.filterShape, strides, pads, reach),
    );
    return runInto(rt, backend, s, { x, dy }, 'dw', backend.makeOutput(attrs.filterShape, 'float32'));
  }

  return [
    // The built-in's setupFunc binds its wasm function; it must still run for the fallback to work.
    { ...builtin, kernelFunc: conv2d as unknown as KernelFunc },
    { ...builtinFused, kernelFunc: fusedConv2d as unknown as KernelFunc },
    { kernelName: Conv2DBackpropInput, backendName: 'wasm', kernelFunc: inputGrad as unknown as KernelFunc },
    { kernelName: Conv2DBackpropFilter, backendName: 'wasm', kernelFunc: filterGrad as unknown as KernelFunc },
  ];
}

let builtinConv2D: KernelConfig | undefined;
let builtinFusedConv2D: KernelConfig | undefined;

/**
 * The native convolution kernels for the wasm backend, or [] when onnxruntime-node is unavailable.
 * Must be called while the wasm backend's own Conv2D and FusedConv2D are still registered (they stay the fallbacks).
 */
export function nativeConvKernels(): KernelConfig[] {
  const rt = nativeRuntime();
  if (!rt) return [];
  builtinConv2D ??= getKernel(Conv2D, 'wasm');
  builtinFusedConv2D ??= getKernel(FusedConv2D, 'wasm');
  if (!builtinConv2D || !builtinFusedConv2D) return [];
  return nativeKernels(rt, builtinConv2D, builtinFusedConv2D);
}
