// TF 'same'/'valid' padding as explicit ONNX pads. TF puts the odd extra pixel at the end (bottom/right),
// which is what ONNX's SAME_UPPER does too; explicit pads keep the graph independent of auto_pad rules.
import { UserError } from '@sig/shared';

/** Pads [top, left, bottom, right] for a sliding window over an input of `size` [h, w]. */
export function windowPads(
  padding: unknown,
  size: [number, number],
  kernel: [number, number],
  strides: [number, number],
  dilation: [number, number] = [1, 1],
  where = 'layer',
): number[] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding !== 'same') throw new UserError(`${where}: padding '${String(padding)}' is not supported (same or valid)`);
  const before: number[] = [];
  const after: number[] = [];
  for (let i = 0; i < 2; i++) {
    const eff = (kernel[i] - 1) * dilation[i] + 1;
    const out = Math.ceil(size[i] / strides[i]);
    const total = Math.max((out - 1) * strides[i] + eff - size[i], 0);
    before.push(Math.floor(total / 2));
    after.push(total - Math.floor(total / 2));
  }
  return [before[0], before[1], after[0], after[1]];
}

/** The spatial [h, w] of a 4-D TF.js shape; the exporter needs them fixed to compute pads. */
export function spatial(shape: (number | null)[], where: string): [number, number] {
  const [, h, w] = shape;
  if (shape.length !== 4 || h == null || w == null) {
    throw new UserError(`${where}: needs a 4-D input with fixed height and width, got [${shape.map((d) => d ?? '?')}]`);
  }
  return [h, w];
}
