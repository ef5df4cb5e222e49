// A small in-memory ONNX graph: nodes, initializers and graph inputs/outputs, with unique names.
// The converters build it; passes (BatchNorm folding, fp16, int8) rewrite it; serialize.ts writes protobuf.

/** ONNX element types this exporter writes (values are TensorProto.DataType codes). */
export const DataType = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, float16: 10 } as const;
export type DataTypeName = keyof typeof DataType;

/** Typed array that holds the raw elements of each data type (float16 as its bit pattern). */
export type TensorData = Float32Array | Uint8Array | Int8Array | Int32Array | BigInt64Array | Uint16Array;

/** A constant tensor (weights, shapes, axes). */
export interface Initializer {
  name: string;
  type: DataTypeName;
  dims: number[];
  data: TensorData;
}

/** Attribute values: numbers that are integers become INT unless listed in `floatAttrs` of the node. */
export type AttrValue = number | string | number[] | string[];

export interface OnnxNode {
  op: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttrValue>;
  /** Attribute names whose numbers are floats (ONNX distinguishes FLOAT from INT). */
  floatAttrs: string[];
  /** Operator set domain; absent for the default ONNX domain (e.g. 'com.microsoft.nchwc'). */
  domain?: string;
}

/** A dimension: a fixed size or a symbolic name such as 'batch'. */
export type Dim = number | string;

export interface ValueInfo {
  name: string;
  type: DataTypeName;
  shape: Dim[];
}

/** Graph under construction, plus the model-level fields serialize.ts needs. */
export class OnnxGraph {
  readonly nodes: OnnxNode[] = [];
  readonly initializers = new Map<string, Initializer>();
  readonly inputs: ValueInfo[] = [];
  readonly outputs: ValueInfo[] = [];
  readonly metadata: Record<string, string> = {};
  private readonly used = new Set<string>();

  constructor(
    readonly name: string,
    readonly opset = 17,
  ) {}

  /** A name not used yet in this graph, derived from `base` (only [A-Za-z0-9_./:-] kept). */
  unique(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9_./:-]/g, '_') || 'v';
    let name = clean;
    for (let i = 1; this.used.has(name); i++) name = `${clean}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Reserves an exact name (graph inputs/outputs); throws if it is taken. */
  reserve(name: string): string {
    if (this.used.has(name)) throw new Error(`ONNX name ${name} used twice`);
    this.used.add(name);
    return name;
  }

  /** Adds a constant tensor under a unique name derived from `base`; returns its name. */
  addInitializer(base: string, type: DataTypeName, dims: number[], data: TensorData): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (data.length !== size) throw new Error(`initializer ${base}: ${data.length} values for dims [${dims}]`);
    const name = this.unique(base);
    this.initializers.set(name, { name, type, dims: [...dims], data });
    return name;
  }

  /** float32 constant. */
  f32(base: string, dims: number[], data: ArrayLike<number>): string {
    return this.addInitializer(base, 'float32', dims, Float32Array.from(data));
  }

  /** 1-D int64 constant (shapes, axes, pads). */
  i64(base: string, values: number[]): string {
    return this.addInitializer(base, 'int64', [values.length], BigInt64Array.from(values.map((v) => BigInt(v))));
  }

  /**
   * Appends a node; `outputs` are base names made unique (pass exact names with `exactOutputs`).
   * Returns the output names.
   */
  addNode(
    op: string,
    inputs: string[],
    outputs: string[] | number = 1,
    attrs: Record<string, AttrValue> = {},
    opts: { floatAttrs?: string[]; name?: string; exactOutputs?: boolean; domain?: string } = {},
  ): string[] {
    const outBases = typeof outputs === 'number' ? Array.from({ length: outputs }, (_, i) => `${op}_out${i}`) : outputs;
    const outs = opts.exactOutputs ? outBases : outBases.map((b) => this.unique(b));
    this.nodes.push({
      op,
      name: this.unique(opts.name ?? op),
      inputs,
      outputs: outs,
      attrs,
      floatAttrs: opts.floatAttrs ?? [],
      ...(opts.domain ? { domain: opts.domain } : {}),
    });
    return outs;
  }

  /** Shorthand for a single-output node. */
  op(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, base?: string, floatAttrs: string[] = []): string {
    return this.addNode(op, inputs, [base ?? op], attrs, { floatAttrs, name: base })[0];
  }

  /** Nodes that read `value`. */
  consumers(value: string): OnnxNode[] {
    return this.nodes.filter((n) => n.inputs.includes(value));
  }

  /** The node that writes `value`, if any. */
  producer(value: string): OnnxNode | undefined {
    return this.nodes.find((n) => n.outputs.includes(value));
  }

  /** Replaces every read of `from` with `to` (graph outputs are not renamed). */
  renameInput(from: string, to: string): void {
    for (const n of this.nodes) n.inputs = n.inputs.map((i) => (i === from ? to : i));
  }
}

/** Number of elements of a shape with fixed dims. */
export function numel(dims: number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}
