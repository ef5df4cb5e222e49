// BatchNormalization (inference: moving statistics) → ONNX BatchNormalization over the channel axis.
// fold-batchnorm.ts later folds it into a preceding Conv/ConvTranspose/Gemm where that is exact.
import { UserError } from '@sig/shared';
import { layerWeight, requireWeight, type LayerConverter } from '../context.ts';

export const BatchNormalization: LayerConverter = (ctx, c) => {
  const where = `layer ${c.layer.name} (BatchNormalization)`;
  const v0 = c.inputs[0];
  const rank = v0.shape.length;
  const axis = (c.config.axis as number | undefined) ?? -1;
  if ((axis < 0 ? axis + rank : axis) !== rank - 1) throw new UserError(`${where}: only the last (channel) axis is supported, got axis ${axis}`);
  if (rank !== 2 && rank !== 4) throw new UserError(`${where}: only 2-D and 4-D inputs are supported, got rank ${rank}`);
  // ONNX normalises dimension 1: NCHW for images, [N, C] for vectors.
  const v = rank === 4 ? ctx.toNCHW(v0) : v0;
  const mean = requireWeight(c.layer, 'moving_mean').data;
  const variance = requireWeight(c.layer, 'moving_variance').data;
  const n = mean.length;
  const gamma = c.config.scale === false ? undefined : layerWeight(c.layer, 'gamma')?.data;
  const beta = c.config.center === false ? undefined : layerWeight(c.layer, 'beta')?.data;
  const g = ctx.graph;
  const y = g.op(
    'BatchNormalization',
    [
      v.name,
      g.f32(`${c.prefix}_gamma`, [n], gamma ?? new Float32Array(n).fill(1)),
      g.f32(`${c.prefix}_beta`, [n], beta ?? new Float32Array(n)),
      g.f32(`${c.prefix}_mean`, [n], mean),
      g.f32(`${c.prefix}_var`, [n], variance),
    ],
    { epsilon: (c.config.epsilon as number | undefined) ?? 1e-3 },
    c.prefix,
    ['epsilon'],
  );
  return [{ name: y, shape: c.outputShapes[0], layout: v.layout }];
};
