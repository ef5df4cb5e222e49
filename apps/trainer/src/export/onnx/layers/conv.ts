// Conv2D, DepthwiseConv2D and Conv2DTranspose → ONNX Conv / ConvTranspose in NCHW with explicit pads.
import { UserError } from '@sig/shared';
import { pair, requireChannelsLast, requireWeight, layerWeight, type LayerConverter, type LayerCall, type ConvertContext, type Value } from '../context.ts';
import { permute } from '../permute.ts';
import { windowPads, spatial } from './padding.ts';
import { activationName, applyActivation } from './activation.ts';

const where = (c: LayerCall): string => `layer ${c.layer.name} (${c.layer.getClassName()})`;

function finish(ctx: ConvertContext, c: LayerCall, name: string): Value[] {
  const v: Value = { name, shape: c.outputShapes[0], layout: 'nchw' };
  return [applyActivation(ctx, v, activationName(c.config), where(c), c.prefix)];
}

function bias(ctx: ConvertContext, c: LayerCall): string[] {
  const b = layerWeight(c.layer, 'bias');
  return b && c.config.useBias !== false ? [ctx.graph.f32(`${c.prefix}_bias`, [b.data.length], b.data)] : [];
}

/** Kernel size, strides and dilation of a convolution layer's config, as [h, w] pairs. */
function convWindow(c: LayerCall): { kernel: [number, number]; strides: [number, number]; dil: [number, number] } {
  return { kernel: pair(c.config.kernelSize, 1), strides: pair(c.config.strides, 1), dil: pair(c.config.dilationRate, 1) };
}

export const Conv2D: LayerConverter = (ctx, c) => {
  requireChannelsLast(c);
  const x = ctx.toNCHW(c.inputs[0]);
  const k = requireWeight(c.layer, 'kernel'); // [kh, kw, in, out]
  const { kernel, strides, dil } = convWindow(c);
  const pads = windowPads(c.config.padding, spatial(x.shape, where(c)), kernel, strides, dil, where(c));
  const w = permute(k.data, k.shape, [3, 2, 0, 1]);
  const W = ctx.graph.f32(`${c.prefix}_kernel`, w.shape, w.data);
  const y = ctx.graph.op('Conv', [x.name, W, ...bias(ctx, c)], { kernel_shape: kernel, strides, dilations: dil, pads, group: 1 }, c.prefix);
  return finish(ctx, c, y);
};

export const DepthwiseConv2D: LayerConverter = (ctx, c) => {
  requireChannelsLast(c);
  const x = ctx.toNCHW(c.inputs[0]);
  const k = requireWeight(c.layer, 'depthwise_kernel'); // [kh, kw, in, mult]
  const { kernel, strides, dil } = convWindow(c);
  const pads = windowPads(c.config.padding, spatial(x.shape, where(c)), kernel, strides, dil, where(c));
  const [kh, kw, cin, mult] = k.shape;
  const w = permute(k.data, k.shape, [2, 3, 0, 1]); // [in, mult, kh, kw] = output channel c*mult+m
  const W = ctx.graph.f32(`${c.prefix}_kernel`, [cin * mult, 1, kh, kw], w.data);
  const y = ctx.graph.op('Conv', [x.name, W, ...bias(ctx, c)], { kernel_shape: kernel, strides, dilations: dil, pads, group: cin }, c.prefix);
  return finish(ctx, c, y);
};

export const Conv2DTranspose: LayerConverter = (ctx, c) => {
  requireChannelsLast(c);
  const x = ctx.toNCHW(c.inputs[0]);
  const k = requireWeight(c.layer, 'kernel'); // [kh, kw, out, in]
  const { kernel, strides, dil } = convWindow(c);
  if (dil[0] !== 1 || dil[1] !== 1) throw new UserError(`${where(c)}: dilated transposed convolution is not supported`);
  const size = spatial(x.shape, where(c));
  const outSize = spatial(c.outputShapes[0], where(c));
  // TF pads the forward convolution of the output 'same'-style; ONNX takes those pads, and any rows the
  // formula still misses (kernel smaller than stride) go to output_padding, at the end as in TF.
  const pads = c.config.padding === 'same' ? windowPads('same', outSize, kernel, strides, [1, 1], where(c)) : [0, 0, 0, 0];
  if (c.config.padding !== 'same' && c.config.padding !== 'valid') windowPads(c.config.padding, size, kernel, strides);
  const outputPadding = [0, 1].map((i) => outSize[i] - (strides[i] * (size[i] - 1) + kernel[i] - pads[i] - pads[i + 2]));
  if (outputPadding.some((p, i) => p < 0 || p >= strides[i])) {
    throw new UserError(`${where(c)}: cannot express TF.js output size [${outSize}] as an ONNX ConvTranspose`);
  }
  const w = permute(k.data, k.shape, [3, 2, 0, 1]); // [in, out, kh, kw]
  const W = ctx.graph.f32(`${c.prefix}_kernel`, w.shape, w.data);
  const attrs: Record<string, number[] | number> = { kernel_shape: kernel, strides, pads, group: 1 };
  if (outputPadding.some((p) => p > 0)) attrs.output_padding = outputPadding;
  const y = ctx.graph.op('ConvTranspose', [x.name, W, ...bias(ctx, c)], attrs, c.prefix);
  return finish(ctx, c, y);
};
