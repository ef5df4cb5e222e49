// Max/average pooling (windowed and global) → ONNX MaxPool / AveragePool / GlobalAveragePool in NCHW.
import { pair, requireChannelsLast, type LayerCall, type LayerConverter, type ConvertContext, type Value } from '../context.ts';
import { windowPads, spatial } from './padding.ts';

const where = (c: LayerCall): string => `layer ${c.layer.name} (${c.layer.getClassName()})`;

function pool(op: 'MaxPool' | 'AveragePool'): LayerConverter {
  return (ctx, c) => {
    requireChannelsLast(c);
    const x = ctx.toNCHW(c.inputs[0]);
    const kernel = pair(c.config.poolSize, 2);
    const strides = c.config.strides == null ? kernel : pair(c.config.strides, 1);
    const pads = windowPads(c.config.padding ?? 'valid', spatial(x.shape, where(c)), kernel, strides, [1, 1], where(c));
    // count_include_pad = 0 (the default) matches TF, whose 'same' average ignores the padded cells.
    const y = ctx.graph.op(op, [x.name], { kernel_shape: kernel, strides, pads }, c.prefix);
    return [{ name: y, shape: c.outputShapes[0], layout: 'nchw' }];
  };
}

function globalPool(op: 'GlobalAveragePool' | 'GlobalMaxPool'): LayerConverter {
  return (ctx: ConvertContext, c: LayerCall): Value[] => {
    requireChannelsLast(c);
    const x = ctx.toNCHW(c.inputs[0]);
    const y = ctx.graph.op(op, [x.name], {}, c.prefix); // [N, C, 1, 1]
    if (c.config.keepDims === true) return [{ name: y, shape: c.outputShapes[0], layout: 'nchw' }];
    const flat = ctx.graph.op('Flatten', [y], { axis: 1 }, `${c.prefix}_flat`);
    return [{ name: flat, shape: c.outputShapes[0], layout: 'tf' }];
  };
}

export const MaxPooling2D = pool('MaxPool');
export const AveragePooling2D = pool('AveragePool');
export const GlobalAveragePooling2D = globalPool('GlobalAveragePool');
export const GlobalMaxPooling2D = globalPool('GlobalMaxPool');
