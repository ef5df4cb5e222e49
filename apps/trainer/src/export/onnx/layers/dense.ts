// Dense → Gemm for [N, K] inputs (the usual case), MatMul + Add over the last axis otherwise; Embedding → Gather.
import { requireWeight, layerWeight, type LayerConverter } from '../context.ts';
import { activationName, applyActivation } from './activation.ts';

export const Dense: LayerConverter = (ctx, c) => {
  const g = ctx.graph;
  const x = ctx.toTF(c.inputs[0]); // Dense works on the TF.js last axis
  const k = requireWeight(c.layer, 'kernel'); // [in, out]
  const b = c.config.useBias === false ? undefined : layerWeight(c.layer, 'bias');
  const W = g.f32(`${c.prefix}_kernel`, k.shape, k.data);
  let y: string;
  if (x.shape.length === 2) {
    const inputs = [x.name, W];
    if (b) inputs.push(g.f32(`${c.prefix}_bias`, [b.data.length], b.data));
    y = g.op('Gemm', inputs, {}, c.prefix);
  } else {
    y = g.op('MatMul', [x.name, W], {}, `${c.prefix}_matmul`);
    if (b) y = g.op('Add', [y, g.f32(`${c.prefix}_bias`, [b.data.length], b.data)], {}, c.prefix);
  }
  const v = { name: y, shape: c.outputShapes[0], layout: 'tf' as const };
  return [applyActivation(ctx, v, activationName(c.config), `layer ${c.layer.name} (Dense)`, c.prefix)];
};

export const Embedding: LayerConverter = (ctx, c) => {
  const g = ctx.graph;
  const x = ctx.toTF(c.inputs[0]);
  const e = requireWeight(c.layer, 'embeddings'); // [vocab, dim]
  // TF.js feeds indices as float32 and casts inside the layer; ONNX Gather needs integers.
  const idx = g.op('Cast', [x.name], { to: 7 }, `${c.prefix}_idx`);
  const y = g.op('Gather', [g.f32(`${c.prefix}_table`, e.shape, e.data), idx], { axis: 0 }, c.prefix);
  return [{ name: y, shape: c.outputShapes[0], layout: 'tf' }];
};
