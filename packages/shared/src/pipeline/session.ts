/**
 * The few parts of an ONNX Runtime session and tensor that the signature pipeline uses. Both
 * onnxruntime-node's and onnxruntime-web's `InferenceSession` / `Tensor` satisfy these structurally, so the
 * same pipeline code runs in the server and in the browser; the runtime's `Tensor` class is injected.
 */

/** Element types the pipeline creates or reads. */
export type PipelineTensorType = 'float32' | 'int32' | 'int64';

/** A tensor as both runtimes return it (CPU data). */
export interface OrtTensorLike {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
}

/** The runtime's `Tensor` constructor (e.g. `ort.Tensor` from onnxruntime-node or onnxruntime-web). */
export interface TensorCtorLike {
  new (type: 'float32', data: Float32Array, dims: readonly number[]): OrtTensorLike;
  new (type: 'int32', data: Int32Array, dims: readonly number[]): OrtTensorLike;
  new (type: 'int64', data: BigInt64Array, dims: readonly number[]): OrtTensorLike;
}

/** An inference session: named inputs in, named outputs out. */
export interface OrtSessionLike {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensorLike>): Promise<Record<string, OrtTensorLike>>;
}

/** What every pipeline call needs besides its inputs. */
export interface PipelineContext {
  session: OrtSessionLike;
  /** The runtime's Tensor constructor. */
  Tensor: TensorCtorLike;
}

/** A tensor's data as float32 (ORT returns Float32Array for float outputs; other numeric types are converted). */
export function floatData(t: OrtTensorLike): Float32Array {
  const d = t.data;
  if (d instanceof Float32Array) return d;
  if (ArrayBuffer.isView(d) && !(d instanceof DataView)) {
    if (d instanceof BigInt64Array || d instanceof BigUint64Array) return Float32Array.from(d, (v) => Number(v));
    return Float32Array.from(d as unknown as ArrayLike<number>);
  }
  throw new Error(`expected a numeric CPU tensor, got ${t.type}`);
}
