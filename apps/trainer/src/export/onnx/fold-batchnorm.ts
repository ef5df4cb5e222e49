// Folds inference BatchNormalization into the Conv, ConvTranspose or Gemm that feeds it:
//   y = gamma * (W x + b - mean) / sqrt(var + eps) + beta  =  (s W) x + (s (b - mean) + beta),  s = gamma / sqrt(var + eps)
// Only when the BN is that layer's sole reader (so nothing else sees the unnormalised value).
import type { OnnxGraph, OnnxNode } from './graph.ts';

/** Rewrites `graph` in place; returns how many BatchNormalization nodes were folded. */
export function foldBatchNorm(graph: OnnxGraph): number {
  let folded = 0;
  for (const bn of [...graph.nodes]) {
    if (bn.op !== 'BatchNormalization') continue;
    if (foldThroughReshape(graph, bn)) {
      folded++;
      continue;
    }
    const x = bn.inputs[0];
    const p = graph.producer(x);
    if (!p || !canFold(graph, p, x)) continue;
    const [gamma, beta, mean, variance] = bn.inputs.slice(1).map((n) => graph.initializers.get(n)?.data as Float32Array | undefined);
    if (!gamma || !beta || !mean || !variance) continue;
    const eps = (bn.attrs.epsilon as number | undefined) ?? 1e-5;
    const c = gamma.length;
    const s = Float64Array.from(gamma, (g, i) => g / Math.sqrt(variance[i] + eps));

    const w = graph.initializers.get(p.inputs[1])!;
    const wd = w.data as Float32Array;
    // Output channel axis of the weight: O of Conv's OIHW, O of ConvTranspose's IOHW, M of Gemm's [K, M].
    const axis = p.op === 'Conv' ? 0 : 1;
    if (w.dims[axis] !== c) continue;
    const inner = w.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
    for (let i = 0; i < wd.length; i++) wd[i] *= s[Math.floor(i / inner) % c];

    const oldBias = p.inputs[2] ? (graph.initializers.get(p.inputs[2])?.data as Float32Array | undefined) : undefined;
    const bias = new Float32Array(c);
    for (let i = 0; i < c; i++) bias[i] = ((oldBias?.[i] ?? 0) - mean[i]) * s[i] + beta[i];
    if (oldBias) graph.initializers.get(p.inputs[2])!.data = bias;
    else p.inputs[2] = graph.addInitializer(`${p.name}_bias`, 'float32', [c], bias);

    p.outputs[0] = bn.outputs[0];
    graph.nodes.splice(graph.nodes.indexOf(bn), 1);
    for (const n of bn.inputs.slice(1)) if (graph.consumers(n).length === 0) graph.initializers.delete(n);
    folded++;
  }
  return folded;
}

function canFold(graph: OnnxGraph, p: OnnxNode, x: string): boolean {
  if (p.op !== 'Conv' && p.op !== 'ConvTranspose' && p.op !== 'Gemm') return false;
  if (p.op === 'Gemm' && (p.attrs.transB || p.attrs.alpha !== undefined || p.attrs.beta !== undefined)) return false;
  // Conv weights are [O, I/group, kh, kw], so any group folds along O; ConvTranspose's O axis is split by group.
  if (p.op === 'ConvTranspose' && (p.attrs.group ?? 1) !== 1) return false;
  if (!graph.initializers.has(p.inputs[1])) return false;
  if (p.inputs[2] && !graph.initializers.has(p.inputs[2])) return false;
  if (graph.outputs.some((o) => o.name === x)) return false;
  // The weights must belong to this node alone, and the BN must be the only reader of x.
  if (graph.consumers(p.inputs[1]).length !== 1) return false;
  return graph.consumers(x).length === 1;
}

/**
 * Dense → Reshape to [s, s, C] → (Transpose to NCHW) → BatchNormalization over C, as in a DCGAN generator's
 * first layer: Dense unit j lands in channel j mod C (NHWC order), so the BN folds into the Gemm's columns.
 */
function foldThroughReshape(graph: OnnxGraph, bn: OnnxNode): boolean {
  const t = graph.producer(bn.inputs[0]);
  if (!t || t.op !== 'Transpose' || String(t.attrs.perm) !== '0,3,1,2') return false;
  const r = graph.producer(t.inputs[0]);
  if (!r || r.op !== 'Reshape') return false;
  const p = graph.producer(r.inputs[0]);
  if (!p || p.op !== 'Gemm' || !canFold(graph, p, r.inputs[0])) return false;
  if (graph.consumers(t.inputs[0]).length !== 1 || graph.consumers(bn.inputs[0]).length !== 1) return false;
  if (graph.outputs.some((o) => o.name === t.inputs[0] || o.name === bn.inputs[0])) return false;
  const shape = graph.initializers.get(r.inputs[1])?.data as BigInt64Array | undefined;
  const [gamma, beta, mean, variance] = bn.inputs.slice(1).map((n) => graph.initializers.get(n)?.data as Float32Array | undefined);
  if (!shape || !gamma || !beta || !mean || !variance) return false;
  const c = gamma.length;
  const w = graph.initializers.get(p.inputs[1])!;
  const units = w.dims[1];
  if (Number(shape[shape.length - 1]) !== c || units % c !== 0) return false;
  const eps = (bn.attrs.epsilon as number | undefined) ?? 1e-5;
  const s = Float64Array.from(gamma, (g, i) => g / Math.sqrt(variance[i] + eps));
  const wd = w.data as Float32Array;
  for (let i = 0; i < wd.length; i++) wd[i] *= s[(i % units) % c];
  const oldBias = p.inputs[2] ? (graph.initializers.get(p.inputs[2])?.data as Float32Array | undefined) : undefined;
  const bias = new Float32Array(units);
  for (let j = 0; j < units; j++) bias[j] = ((oldBias?.[j] ?? 0) - mean[j % c]) * s[j % c] + beta[j % c];
  if (oldBias) graph.initializers.get(p.inputs[2])!.data = bias;
  else p.inputs[2] = graph.addInitializer(`${p.name}_bias`, 'float32', [units], bias);
  t.outputs[0] = bn.outputs[0];
  graph.nodes.splice(graph.nodes.indexOf(bn), 1);
  for (const n of bn.inputs.slice(1)) if (graph.consumers(n).length === 0) graph.initializers.delete(n);
  return true;
}
