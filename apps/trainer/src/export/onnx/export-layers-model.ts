// The exporter's front door: TF.js LayersModel → ONNX bytes, with BatchNorm folding, optional fp16/int8
// weights and metadata_props.
import type * as tfl from '@tensorflow/tfjs-layers';
import type { TensorSpec } from '@sig/shared';
import { convertLayersModel, type ConvertOptions } from './convert.ts';
import { foldBatchNorm } from './fold-batchnorm.ts';
import { toFp16Weights } from './fp16.ts';
import type { OnnxGraph, ValueInfo } from './graph.ts';
import { quantizeInt8Weights } from './quantize-int8.ts';
import { serializeGraph } from './serialize.ts';

export type Precision = 'fp32' | 'fp16' | 'int8';

export interface ExportOptions extends ConvertOptions {
  /** fp32 (default), fp16 weights, or int8 per-channel weights; inputs and outputs stay float32. */
  precision?: Precision;
  /** Fold BatchNormalization into the preceding Conv/Dense (default true). */
  foldBatchNorm?: boolean;
  /** Strings stored as ONNX metadata_props. */
  metadata?: Record<string, string>;
  docString?: string;
}

/** Builds the ONNX graph for `model` with every pass applied (what exportLayersModel serialises). */
export function buildOnnxGraph(model: tfl.LayersModel, opts: ExportOptions = {}): OnnxGraph {
  const graph = convertLayersModel(model, opts);
  if (opts.foldBatchNorm !== false) foldBatchNorm(graph);
  if (opts.precision === 'fp16') toFp16Weights(graph);
  else if (opts.precision === 'int8') quantizeInt8Weights(graph);
  Object.assign(graph.metadata, opts.metadata ?? {});
  return graph;
}

/** Exports a TF.js LayersModel to ONNX bytes (opset 17, dynamic 'batch' dimension, NHWC like TF.js). */
export async function exportLayersModel(model: tfl.LayersModel, opts: ExportOptions = {}): Promise<Uint8Array> {
  return serializeGraph(buildOnnxGraph(model, opts), opts.docString);
}

/** Manifest-style description of graph inputs or outputs. */
export function tensorSpecs(values: ValueInfo[]): TensorSpec[] {
  return values.map((v) => ({ name: v.name, shape: v.shape, type: v.type === 'float16' ? 'float16' : v.type === 'int32' ? 'int32' : v.type === 'int64' ? 'int64' : v.type === 'uint8' ? 'uint8' : 'float32' }));
}
