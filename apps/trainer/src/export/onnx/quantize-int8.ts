// int8 weights: each large weight tensor is quantised symmetrically per output channel and stored as int8 with
// a float32 scale; DequantizeLinear restores float32 inside the graph (weight-only quantisation: activations
// and compute stay float32, so onnxruntime-node and onnxruntime-web both run it; the file shrinks ~4×).
import type { OnnxGraph } from './graph.ts';

/** Weight tensors smaller than this stay float32. */
const MIN_ELEMENTS = 256;

/** Rewrites `graph` in place; returns how many weights became int8. */
export function quantizeInt8Weights(graph: OnnxGraph): number {
  let count = 0;
  const deq: typeof graph.nodes = [];
  for (const node of [...graph.nodes]) {
    // Output-channel axis of the weight input (input 1) of each weighted op.
    const axis = node.op === 'Conv' ? 0 : node.op === 'ConvTranspose' || node.op === 'Gemm' || node.op === 'MatMul' ? 1 : node.op === 'Gather' ? -1 : null;
    if (axis === null) continue;
    const wName = node.op === 'Gather' ? node.inputs[0] : node.inputs[1];
    const w = graph.initializers.get(wName);
    if (!w || w.type !== 'float32' || w.data.length < MIN_ELEMENTS || graph.consumers(wName).length !== 1) continue;
    if (node.op === 'Gemm' && node.attrs.transB) continue;
    // Per output channel (BatchNorm folding gives channels very different ranges) unless a channel has so few
    // weights that its scale and zero point would cost more than they save.
    const ax0 = axis < 0 ? w.dims.length + axis : axis;
    const perChannel = w.data.length / w.dims[ax0] >= 4;
    const channels = perChannel ? w.dims[ax0] : 1;
    const inner = perChannel ? w.dims.slice(ax0 + 1).reduce((a, b) => a * b, 1) : w.data.length;
    const data = w.data as Float32Array;
    const maxAbs = new Float32Array(channels);
    for (let i = 0; i < data.length; i++) {
      const c = Math.floor(i / inner) % channels;
      maxAbs[c] = Math.max(maxAbs[c], Math.abs(data[i]));
    }
    const scale = Float32Array.from(maxAbs, (m) => (m > 0 ? m / 127 : 1));
    const q = new Int8Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const c = Math.floor(i / inner) % channels;
      q[i] = Math.max(-127, Math.min(127, Math.round(data[i] / scale[c])));
    }
    const qName = graph.addInitializer(`${wName}_int8`, 'int8', w.dims, q);
    const dims = perChannel ? [channels] : [];
    const sName = graph.addInitializer(`${wName}_scale`, 'float32', dims, scale);
    const zName = graph.addInitializer(`${wName}_zero`, 'int8', dims, new Int8Array(channels));
    graph.initializers.delete(wName);
    const before = graph.nodes.length;
    graph.addNode('DequantizeLinear', [qName, sName, zName], [wName], perChannel ? { axis: ax0 } : {}, { exactOutputs: true, name: `${wName}_dequant` });
    deq.push(...graph.nodes.splice(before));
    count++;
  }
  graph.nodes.unshift(...deq);
  return count;
}
