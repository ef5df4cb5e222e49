// Conversion state shared by the layer converters: the graph, and for each TF.js tensor the ONNX value that
// holds it and in which layout. TF.js is NHWC; ONNX convolutions are NCHW, so 4-D values are kept NCHW
// between convolution-like layers and transposed back (once, cached) only where TF.js order matters
// (Flatten, Reshape, Dense on 4-D, graph outputs).
import type * as tfl from '@tensorflow/tfjs-layers';
import { UserError } from '@sig/shared';
import type { OnnxGraph } from './graph.ts';

/** TF.js shape with null for the batch (or another unknown) dimension. */
export type TfShape = (number | null)[];

/** An ONNX value standing for one TF.js tensor. `nchw`: a 4-D NHWC tensor stored transposed to NCHW. */
export interface Value {
  name: string;
  shape: TfShape;
  layout: 'tf' | 'nchw';
}

/** What each layer converter receives. */
export interface LayerCall {
  layer: tfl.layers.Layer;
  /** The layer's getConfig(). */
  config: Record<string, unknown>;
  inputs: Value[];
  /** TF.js output shapes of this call. */
  outputShapes: TfShape[];
  /** Base for names of the nodes and initializers this call creates. */
  prefix: string;
}

/** Converts one call of a layer to ONNX nodes; returns one Value per layer output. */
export type LayerConverter = (ctx: ConvertContext, call: LayerCall) => Value[];

export class ConvertContext {
  private readonly nchwOf = new Map<string, string>();
  private readonly tfOf = new Map<string, string>();

  constructor(readonly graph: OnnxGraph) {}

  /** The value in NCHW layout (4-D only), adding a Transpose the first time it is needed. */
  toNCHW(v: Value): Value {
    if (v.layout === 'nchw') return v;
    if (v.shape.length !== 4) throw new Error(`expected a 4-D tensor, got shape [${v.shape}]`);
    let name = this.nchwOf.get(v.name);
    if (!name) {
      name = this.graph.op('Transpose', [v.name], { perm: [0, 3, 1, 2] }, `${v.name}_nchw`);
      this.nchwOf.set(v.name, name);
      this.tfOf.set(name, v.name);
    }
    return { name, shape: v.shape, layout: 'nchw' };
  }

  /** The value in TF.js (NHWC) layout. */
  toTF(v: Value): Value {
    if (v.layout === 'tf') return v;
    let name = this.tfOf.get(v.name);
    if (!name) {
      name = this.graph.op('Transpose', [v.name], { perm: [0, 2, 3, 1] }, `${v.name}_nhwc`);
      this.tfOf.set(v.name, name);
      this.nchwOf.set(name, v.name);
    }
    return { name, shape: v.shape, layout: 'tf' };
  }

  /** Maps a TF.js axis (may be negative) of `v` to the ONNX axis of its stored layout. */
  axis(v: Value, tfAxis: number): number {
    const rank = v.shape.length;
    const a = tfAxis < 0 ? tfAxis + rank : tfAxis;
    if (v.layout === 'tf') return a;
    return [0, 2, 3, 1][a];
  }
}

/** Reads a layer weight by its short name ('kernel', 'bias', 'gamma', 'moving_mean', ...). */
export function layerWeight(layer: tfl.layers.Layer, short: string): { data: Float32Array; shape: number[] } | undefined {
  const w = layer.weights.find((v) => {
    const n = (v as unknown as { originalName?: string }).originalName ?? v.name;
    return n === short || n.endsWith(`/${short}`);
  });
  if (!w) return undefined;
  const t = w.read();
  return { data: Float32Array.from(t.dataSync() as Float32Array), shape: [...t.shape] };
}

/** Like {@link layerWeight} but the weight must exist. */
export function requireWeight(layer: tfl.layers.Layer, short: string): { data: Float32Array; shape: number[] } {
  const w = layerWeight(layer, short);
  if (!w) throw new UserError(`layer ${layer.name} (${layer.getClassName()}) has no weight '${short}'`);
  return w;
}

/** Normalises a number-or-pair config value to [h, w]. */
export function pair(v: unknown, fallback: number): [number, number] {
  if (v == null) return [fallback, fallback];
  if (typeof v === 'number') return [v, v];
  const a = v as number[];
  return [a[0], a.length > 1 ? a[1] : a[0]];
}

/** Refuses channels-first layers: TF.js models here are NHWC. */
export function requireChannelsLast(call: LayerCall): void {
  const df = call.config.dataFormat;
  if (df != null && df !== 'channelsLast') {
    throw new UserError(`layer ${call.layer.name} (${call.layer.getClassName()}): dataFormat ${String(df)} is not supported (channelsLast only)`);
  }
}
