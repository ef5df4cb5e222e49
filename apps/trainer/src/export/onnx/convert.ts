// Walks a TF.js LayersModel (Sequential or functional, any number of inputs/outputs) in topological order and
// converts every layer call with the converter registered for its class.
import type * as tfl from '@tensorflow/tfjs-layers';
import { UserError } from '@sig/shared';
import { ConvertContext, type TfShape, type Value } from './context.ts';
import { OnnxGraph, type Dim } from './graph.ts';
import { converters } from './layers/index.ts';

export interface ConvertOptions {
  /** Graph name (default: the model's name). */
  name?: string;
  /** ONNX names of the model inputs, in model.inputs order (default: the input layers' names). */
  inputNames?: string[];
  /** ONNX names of the model outputs (default: the output layers' names). */
  outputNames?: string[];
  opset?: number;
}

type SymbolicTensor = tfl.SymbolicTensor;
interface TfNode {
  inputTensors: SymbolicTensor[];
  outputTensors: SymbolicTensor[];
  outboundLayer: tfl.layers.Layer;
}

/** ONNX shape of a TF.js shape: a dynamic 'batch' first, other unknown dims named by position. */
export function onnxShape(shape: TfShape): Dim[] {
  return shape.map((d, i) => (i === 0 ? 'batch' : (d ?? `d${i}`)));
}

function cleanName(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** Converts `model` to an ONNX graph (float32, NHWC inputs/outputs exactly as in TF.js). */
export function convertLayersModel(model: tfl.LayersModel, opts: ConvertOptions = {}): OnnxGraph {
  const graph = new OnnxGraph(opts.name ?? model.name, opts.opset ?? 17);
  const ctx = new ConvertContext(graph);
  const values = new Map<number, Value>();

  // Reserve the interface names first so that no internal value can take them.
  const inputNames = model.inputs.map((t, i) => graph.reserve(cleanName(opts.inputNames?.[i] ?? t.sourceLayer.name)));
  const outputNames = model.outputs.map((t, i) => graph.reserve(cleanName(opts.outputNames?.[i] ?? t.sourceLayer.name)));

  model.inputs.forEach((t, i) => {
    if (t.dtype !== 'float32') throw new UserError(`input ${t.name}: dtype ${t.dtype} is not supported (float32 only)`);
    graph.inputs.push({ name: inputNames[i], type: 'float32', shape: onnxShape(t.shape) });
    values.set(t.id, { name: inputNames[i], shape: t.shape, layout: 'tf' });
  });

  for (const node of topologicalNodes(model)) {
    const layer = node.outboundLayer;
    const className = layer.getClassName();
    if (className === 'InputLayer') continue;
    const convert = converters[className];
    if (!convert) {
      const why = 'layers' in layer ? ' (nested models are not supported: build the model flat)' : '';
      throw new UserError(`layer ${layer.name}: ${className} is not supported by the ONNX exporter${why}`);
    }
    const inputs = node.inputTensors.map((t) => {
      const v = values.get(t.id);
      if (!v) throw new Error(`tensor ${t.name} used before it was computed`);
      return v;
    });
    const nodeIndex = layer.inboundNodes.indexOf(node as never);
    const outs = convert(ctx, {
      layer,
      config: layer.getConfig() as Record<string, unknown>,
      inputs,
      outputShapes: node.outputTensors.map((t) => t.shape),
      prefix: cleanName(nodeIndex > 0 ? `${layer.name}_${nodeIndex}` : layer.name),
    });
    node.outputTensors.forEach((t, i) => values.set(t.id, outs[i]));
  }

  model.outputs.forEach((t, i) => {
    const v = ctx.toTF(values.get(t.id)!);
    graph.addNode('Identity', [v.name], [outputNames[i]], {}, { exactOutputs: true, name: `${outputNames[i]}_out` });
    graph.outputs.push({ name: outputNames[i], type: 'float32', shape: onnxShape(t.shape) });
  });
  return graph;
}

/** Layer calls (graph nodes) reachable from the outputs, each after the calls that feed it. */
function topologicalNodes(model: tfl.LayersModel): TfNode[] {
  const order: TfNode[] = [];
  const seen = new Set<TfNode>();
  const visit = (t: SymbolicTensor): void => {
    const node = t.sourceLayer.inboundNodes[t.nodeIndex] as unknown as TfNode;
    if (seen.has(node)) return;
    seen.add(node);
    for (const inp of node.inputTensors) visit(inp);
    order.push(node);
  };
  model.outputs.forEach(visit);
  return order;
}
