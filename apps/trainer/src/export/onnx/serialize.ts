// Writes an OnnxGraph as an ONNX ModelProto (IR version 8) with the protobuf schema bundled by `onnx-proto`.
import onnxProto from 'onnx-proto';
import type { AttrValue, Initializer, OnnxGraph, OnnxNode, ValueInfo } from './graph.ts';
import { DataType } from './graph.ts';

const { onnx } = onnxProto;
type Attr = InstanceType<typeof onnx.AttributeProto>;
const AT = onnx.AttributeProto.AttributeType;

/** The producer recorded in every exported model. */
export const PRODUCER = { name: 'sig-trainer', version: '0.1.0' };

function attribute(name: string, v: AttrValue, isFloat: boolean): Attr {
  if (typeof v === 'string') return onnx.AttributeProto.create({ name, type: AT.STRING, s: new TextEncoder().encode(v) });
  if (typeof v === 'number') return isFloat ? onnx.AttributeProto.create({ name, type: AT.FLOAT, f: v }) : onnx.AttributeProto.create({ name, type: AT.INT, i: v });
  if (v.length > 0 && typeof v[0] === 'string') {
    return onnx.AttributeProto.create({ name, type: AT.STRINGS, strings: (v as string[]).map((s) => new TextEncoder().encode(s)) });
  }
  return isFloat
    ? onnx.AttributeProto.create({ name, type: AT.FLOATS, floats: v as number[] })
    : onnx.AttributeProto.create({ name, type: AT.INTS, ints: v as number[] });
}

function nodeProto(n: OnnxNode) {
  return onnx.NodeProto.create({
    opType: n.op,
    domain: n.domain ?? '',
    name: n.name,
    input: n.inputs,
    output: n.outputs,
    attribute: Object.entries(n.attrs).map(([k, v]) => attribute(k, v, n.floatAttrs.includes(k))),
  });
}

function tensorProto(t: Initializer) {
  const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return onnx.TensorProto.create({ name: t.name, dims: t.dims, dataType: DataType[t.type], rawData: bytes.slice() });
}

function valueInfo(v: ValueInfo) {
  return onnx.ValueInfoProto.create({
    name: v.name,
    type: {
      tensorType: {
        elemType: DataType[v.type],
        shape: { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  });
}

/** Serialises `graph` to ONNX bytes. */
export function serializeGraph(graph: OnnxGraph, docString = ''): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    // Operators outside the default domain (onnxruntime's contrib sets) are at version 1 of their domain.
    opsetImport: [
      { domain: '', version: graph.opset },
      ...[...new Set(graph.nodes.flatMap((n) => (n.domain ? [n.domain] : [])))].map((domain) => ({ domain, version: 1 })),
    ],
    producerName: PRODUCER.name,
    producerVersion: PRODUCER.version,
    docString,
    graph: {
      name: graph.name,
      node: graph.nodes.map(nodeProto),
      initializer: [...graph.initializers.values()].map(tensorProto),
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
    },
    metadataProps: Object.entries(graph.metadata).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Reads the metadata_props of ONNX bytes (used by tests and by the manifest writer to cross-check). */
export function readMetadata(bytes: Uint8Array): Record<string, string> {
  const m = onnx.ModelProto.decode(bytes);
  return Object.fromEntries(m.metadataProps.map((p) => [p.key ?? '', p.value ?? '']));
}

/** Decodes ONNX bytes (tests inspect node types and initializer types). */
export function decodeModel(bytes: Uint8Array) {
  return onnx.ModelProto.decode(bytes);
}
