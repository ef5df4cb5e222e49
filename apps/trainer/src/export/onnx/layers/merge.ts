// Concatenate and the element-wise merge layers. All inputs share one layout: NCHW when every input is 4-D
// and one already is (so convolution stacks stay NCHW), TF.js order otherwise.
import { UserError } from '@sig/shared';
import type { ConvertContext, LayerConverter, Value } from '../context.ts';

function aligned(ctx: ConvertContext, inputs: Value[]): Value[] {
  const nchw = inputs.every((v) => v.shape.length === 4) && inputs.some((v) => v.layout === 'nchw');
  return inputs.map((v) => (nchw ? ctx.toNCHW(v) : ctx.toTF(v)));
}

export const Concatenate: LayerConverter = (ctx, c) => {
  const xs = aligned(ctx, c.inputs);
  const rank = xs[0].shape.length;
  if (xs.some((v) => v.shape.length !== rank)) throw new UserError(`layer ${c.layer.name} (Concatenate): inputs of different ranks`);
  const axis = ctx.axis(xs[0], (c.config.axis as number | undefined) ?? -1);
  const y = ctx.graph.op('Concat', xs.map((v) => v.name), { axis }, c.prefix);
  return [{ name: y, shape: c.outputShapes[0], layout: xs[0].layout }];
};

function elementwise(op: 'Add' | 'Mul' | 'Max' | 'Min' | 'Mean'): LayerConverter {
  return (ctx, c) => {
    const xs = aligned(ctx, c.inputs);
    if (xs.some((v) => v.shape.length !== xs[0].shape.length)) throw new UserError(`layer ${c.layer.name}: inputs of different ranks`);
    let y: string;
    if (op === 'Add' || op === 'Mul') {
      y = xs[0].name;
      for (let i = 1; i < xs.length; i++) y = ctx.graph.op(op, [y, xs[i].name], {}, c.prefix);
    } else {
      y = ctx.graph.op(op, xs.map((v) => v.name), {}, c.prefix);
    }
    return [{ name: y, shape: c.outputShapes[0], layout: xs[0].layout }];
  };
}

export const Add = elementwise('Add');
export const Multiply = elementwise('Mul');
export const Maximum = elementwise('Max');
export const Minimum = elementwise('Min');
export const Average = elementwise('Mean');

/** The verifier's |a − b| (model/verifier-layers.ts) → Sub + Abs. */
export const AbsDifference: LayerConverter = (ctx, c) => {
  const xs = aligned(ctx, c.inputs);
  if (xs.length !== 2 || xs[0].shape.length !== xs[1].shape.length) throw new UserError(`layer ${c.layer.name} (AbsDifference): needs two inputs of one rank`);
  const d = ctx.graph.op('Sub', [xs[0].name, xs[1].name], {}, `${c.prefix}_sub`);
  return [{ name: ctx.graph.op('Abs', [d], {}, c.prefix), shape: c.outputShapes[0], layout: xs[0].layout }];
};
