// UpSampling2D → ONNX Resize with integer scales. TF.js resizes with align_corners = false and
// half_pixel_centers = false, which is ONNX's 'asymmetric' transform (nearest: floor).
import { UserError } from '@sig/shared';
import { pair, requireChannelsLast, type LayerConverter } from '../context.ts';

export const UpSampling2D: LayerConverter = (ctx, c) => {
  requireChannelsLast(c);
  const g = ctx.graph;
  const x = ctx.toNCHW(c.inputs[0]);
  const [sh, sw] = pair(c.config.size, 2);
  const interp = (c.config.interpolation as string | undefined) ?? 'nearest';
  if (interp !== 'nearest' && interp !== 'bilinear') throw new UserError(`layer ${c.layer.name} (UpSampling2D): interpolation ${interp} is not supported`);
  const scales = g.f32(`${c.prefix}_scales`, [4], [1, 1, sh, sw]);
  const attrs: Record<string, string> =
    interp === 'nearest'
      ? { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }
      : { mode: 'linear', coordinate_transformation_mode: 'asymmetric' };
  const y = g.op('Resize', [x.name, '', scales], attrs, c.prefix);
  return [{ name: y, shape: c.outputShapes[0], layout: 'nchw' }];
};
