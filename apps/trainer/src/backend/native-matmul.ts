// Matrix products of the trainable wasm backend (Dense layers forward, and both of their gradients) on
// onnxruntime-node's native SGEMM (MLAS), like the convolutions in native-conv.ts. The wasm backend's
// BatchMatMul with a transposed operand — every Dense weight gradient, xᵀ·dy — ran at a few GFLOP/s: 76 ms for
// the CGAN generator's 110 × 16 384 Dense at batch 16, where one Gemm takes ~1–2 ms. One single-node graph per
// shape (Gemm with transA/transB, bias and ReLU / LeakyReLU / no activation fused), fed 2-D views of TF.js's
// rank-3 [1, M, K] operands. Batched or broadcast products, other activations and non-float data fall through
// to the wasm kernels. Off with the native convolutions (no onnxruntime-node, or the `nativeConv`
// setting 'off', SIG_NATIVE_CONV=0) or by setNativeMatMul(false).
import { BatchMatMul, getKernel, _FusedMatMul, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nativeRuntime, runInto, session, type NativeRuntime } from './native-conv.ts';
import { start } from './native-conv-graphs.ts';
import { serializeGraph } from '../export/onnx/serialize.ts';

let enabled = true;

/** Switches the native matrix products on or off at run time (off: the wasm kernels run). */
export function setNativeMatMul(on: boolean): void {
  enabled = on;
}

/** Gemm epilogue: bias [N] and one of the activations MLAS applies after the product. */
export interface GemmEpilogue {
  bias: boolean;
  activation: 'linear' | 'relu' | 'leakyrelu';
  alpha: number;
}

/** y[M,N] = op(a)·op(b) (+ bias) (activation), a and b as fed: [M,K] or [K,M], [K,N] or [N,K]. */
export function gemmGraph(a: number[], b: number[], y: [number, number], transA: boolean, transB: boolean, epi: GemmEpilogue): Uint8Array {
  const inputs: [string, number[]][] = [['a', a], ['b', b]];
  if (epi.bias) inputs.push(['bias', [y[1]]]);
  const g = start('matmul', inputs, ['y', y]);
  const gemmInputs = epi.bias ? ['a', 'b', 'bias'] : ['a', 'b'];
  if (epi.activation === 'linear') {
    g.addNode('Gemm', gemmInputs, ['y'], { transA: transA ? 1 : 0, transB: transB ? 1 : 0 }, { exactOutputs: true });
  } else {
    const p = g.op('Gemm', gemmInputs, { transA: transA ? 1 : 0, transB: transB ? 1 : 0 });
    if (epi.activation === 'relu') g.addNode('Relu', [p], ['y'], {}, { exactOutputs: true });
    else g.addNode('LeakyRelu', [p], ['y'], { alpha: epi.alpha }, { exactOutputs: true, floatAttrs: ['alpha'] });
  }
  return serializeGraph(g);
}

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
  activation?: string;
  leakyreluAlpha?: number;
}
type MatMulArgs = {
  inputs: { a: TensorInfo; b: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  backend: BackendWasm;
  attrs: MatMulAttrs;
};

const view = (t: TensorInfo, shape: number[]): TensorInfo => ({ dataId: t.dataId, shape, dtype: t.dtype });

/** The native product, or null when this case is not covered (the caller falls back). */
function nativeProduct(rt: NativeRuntime, { inputs, backend, attrs }: MatMulArgs): TensorInfo | null {
  const { a, b, bias, preluActivationWeights } = inputs;
  const act = attrs.activation ?? 'linear';
  if (!enabled || a.dtype !== 'float32' || b.dtype !== 'float32' || preluActivationWeights != null) return null;
  if (act !== 'linear' && act !== 'relu' && act !== 'leakyrelu') return null;
  // Only unbatched products ([1, M, K] or [M, K]): that is every Dense layer and its gradients.
  const lead = (t: TensorInfo) => t.shape.slice(0, -2).reduce((p, d) => p * d, 1);
  if (a.shape.length < 2 || b.shape.length < 2 || lead(a) !== 1 || lead(b) !== 1) return null;
  const a2 = a.shape.slice(-2);
  const b2 = b.shape.slice(-2);
  const [m, k] = attrs.transposeA ? [a2[1], a2[0]] : a2;
  const [kb, n] = attrs.transposeB ? [b2[1], b2[0]] : b2;
  if (k !== kb) return null;
  if (bias != null && (bias.dtype !== 'float32' || bias.shape.length !== 1 || bias.shape[0] !== n)) return null;
  const epi: GemmEpilogue = { bias: bias != null, activation: act, alpha: attrs.leakyreluAlpha ?? 0.2 };
  const key = `mm|${a2}|${b2}|${attrs.transposeA}|${attrs.transposeB}|${epi.bias}|${act}|${epi.alpha}`;
  const s = session(rt, key, () => gemmGraph(a2, b2, [m, n], attrs.transposeA, attrs.transposeB, epi));
  const outShape = [...(a.shape.length === 3 || b.shape.length === 3 ? [1] : []), m, n];
  const out = backend.makeOutput(outShape, 'float32');
  const feeds: Record<string, TensorInfo> = { a: view(a, a2), b: view(b, b2) };
  if (bias) feeds.bias = bias;
  runInto(rt, backend, s, feeds, 'y', view(out, [m, n]));
  return out;
}

let builtin: KernelConfig | undefined;
let builtinFused: KernelConfig | undefined;

/**
 * BatchMatMul and _FusedMatMul for the wasm backend on native Gemm, or [] when onnxruntime-node is unavailable.
 * First called while the wasm backend's own kernels are registered: they stay the fallbacks.
 */
export function nativeMatMulKernels(): KernelConfig[] {
  const rt = nativeRuntime();
  builtin ??= getKernel(BatchMatMul, 'wasm');
  builtinFused ??= getKernel(_FusedMatMul, 'wasm');
  if (!rt || !builtin || !builtinFused) return [];
  const wrap = (config: KernelConfig): KernelConfig => ({
    ...config,
    kernelFunc: ((args: MatMulArgs) => nativeProduct(rt, args) ?? config.kernelFunc(args as never)) as unknown as KernelFunc,
  });
  return [wrap(builtin), wrap(builtinFused)];
}
