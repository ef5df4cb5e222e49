// The embedding's L2Normalize layer → x / max(ReduceL2(x), √ε) over the last TF.js axis, which equals TF.js's
// x · rsqrt(max(Σx², ε)) (model/embedding-layers.ts): √ is monotone, so max and √ commute.
import type { LayerConverter } from '../context.ts';
import { L2_EPSILON } from '../../../model/embedding-layers.ts';

export const L2Normalize: LayerConverter = (ctx, c) => {
  const v = c.inputs[0];
  const g = ctx.graph;
  const eps = (c.config.epsilon as number | undefined) ?? L2_EPSILON;
  // ReduceL2-13 (opset 17) takes its axes as an attribute.
  const norm = g.op('ReduceL2', [v.name], { axes: [ctx.axis(v, -1)], keepdims: 1 }, `${c.prefix}_norm`);
  const floor = g.op('Max', [norm, g.f32(`${c.prefix}_eps`, [], [Math.sqrt(eps)])], {}, `${c.prefix}_floor`);
  return [{ ...v, name: g.op('Div', [v.name, floor], {}, c.prefix) }];
};
