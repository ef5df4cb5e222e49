// Flatten, Reshape, Permute and ZeroPadding2D. Flatten/Reshape read elements in TF.js (NHWC) order, so their
// input goes back to that layout first: a Dense after Flatten then keeps its TF.js weights unchanged.
import { UserError } from '@sig/shared';
import { pair, type LayerConverter } from '../context.ts';

export const Flatten: LayerConverter = (ctx, c) => {
  const x = ctx.toTF(c.inputs[0]);
  if (x.shape.length === 2) return [x];
  return [{ name: ctx.graph.op('Flatten', [x.name], { axis: 1 }, c.prefix), shape: c.outputShapes[0], layout: 'tf' }];
};

export const Reshape: LayerConverter = (ctx, c) => {
  const x = ctx.toTF(c.inputs[0]);
  const target = (c.config.targetShape as number[] | undefined) ?? [];
  // 0 copies the (dynamic) batch size; at most one -1 is inferred as in TF.js.
  const shape = ctx.graph.i64(`${c.prefix}_shape`, [0, ...target.map((d) => (d == null ? -1 : d))]);
  return [{ name: ctx.graph.op('Reshape', [x.name, shape], {}, c.prefix), shape: c.outputShapes[0], layout: 'tf' }];
};

export const Permute: LayerConverter = (ctx, c) => {
  const x = ctx.toTF(c.inputs[0]);
  const dims = c.config.dims as number[];
  return [{ name: ctx.graph.op('Transpose', [x.name], { perm: [0, ...dims] }, c.prefix), shape: c.outputShapes[0], layout: 'tf' }];
};

export const ZeroPadding2D: LayerConverter = (ctx, c) => {
  if (c.config.dataFormat != null && c.config.dataFormat !== 'channelsLast') {
    throw new UserError(`layer ${c.layer.name} (ZeroPadding2D): channelsFirst is not supported`);
  }
  const x = ctx.toNCHW(c.inputs[0]);
  const p = c.config.padding as number | [number, number] | [[number, number], [number, number]];
  let top: number, bottom: number, left: number, right: number;
  if (Array.isArray(p) && Array.isArray(p[0])) {
    [[top, bottom], [left, right]] = p as [[number, number], [number, number]];
  } else {
    [top, left] = pair(p, 1);
    [bottom, right] = [top, left];
  }
  const pads = ctx.graph.i64(`${c.prefix}_pads`, [0, 0, top, left, 0, 0, bottom, right]);
  return [{ name: ctx.graph.op('Pad', [x.name, pads], { mode: 'constant' }, c.prefix), shape: c.outputShapes[0], layout: 'nchw' }];
};
