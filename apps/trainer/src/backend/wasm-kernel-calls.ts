// Calling wasm kernels from inside other wasm kernels. A kernel must not create engine-tracked tensors, so
// composite kernels call the registered kernel functions directly on TensorInfos and free what they made.
import { engine, getKernel, tensor, type NamedAttrMap, type Tensor, type TensorInfo, type Variable } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** Runs the wasm backend's registered kernel `name` on raw TensorInfos (no tape, no engine bookkeeping). */
export function callKernel(
  backend: BackendWasm,
  name: string,
  inputs: Record<string, TensorInfo>,
  attrs: Record<string, unknown> = {},
): TensorInfo {
  const kernel = getKernel(name, 'wasm');
  if (!kernel) throw new Error(`wasm kernel ${name} is not registered`);
  const out = kernel.kernelFunc({ inputs, backend, attrs: attrs as NamedAttrMap });
  return Array.isArray(out) ? out[0] : out;
}

/** Frees intermediate TensorInfos made by {@link callKernel}. */
export function free(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const t of infos) backend.disposeData(t.dataId);
}

/** A Float32Array view of a tensor's data on the wasm heap (valid until the heap grows). */
export function heapF32(backend: BackendWasm, t: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

/** Runs kernel `name` on engine tensors, recorded on the gradient tape like any op (its registered gradient applies). */
export function runOp(name: string, inputs: Record<string, Tensor>, attrs: Record<string, unknown> = {}): Tensor | Tensor[] {
  return engine().runKernel(name, inputs, attrs as NamedAttrMap) as Tensor | Tensor[];
}

/** Whether the wasm backend is current and a gradient is being recorded (inside tf.grads / variableGrads / minimize). */
export function recordingGradientOnWasm(): boolean {
  return engine().backendName === 'wasm' && (engine().state as unknown as { gradientDepth: number }).gradientDepth > 0;
}

/**
 * Copies a float32 tensor's values into `dst` at `offset`: on wasm straight from the heap, elsewhere through
 * dataSync. Saves the per-call copy dataSync makes on wasm (megabytes a training step, all garbage).
 */
export function copyTensorData(t: Tensor, dst: Float32Array, offset: number): number {
  const backend = engine().backendName === 'wasm' ? (engine().backend as unknown as BackendWasm) : null;
  const values = backend && t.dtype === 'float32' ? heapF32(backend, t) : (t.dataSync() as Float32Array);
  dst.set(values, offset);
  return values.length;
}

/**
 * Overwrites a float32 variable's values with `src` in place: on wasm straight into its heap memory (no tensor
 * allocated, nothing to dispose), elsewhere through assign. Only for variables whose data nothing else reads
 * (a replica's weights, rewritten before every use).
 */
export function overwriteVariable(v: Variable, src: Float32Array): void {
  const backend = engine().backendName === 'wasm' ? (engine().backend as unknown as BackendWasm) : null;
  if (backend && v.dtype === 'float32') heapF32(backend, v).set(src);
  else {
    const t = tensor(src, v.shape);
    v.assign(t);
    t.dispose();
  }
}
