import type { FloatImage, GrayImage } from '../image/types.ts';
import type { PreprocessConfig } from '../schemas/preprocess.ts';

/** Output value range of a model (paper low, ink high). */
export type ValueRange = PreprocessConfig['range'];

/** Ink amounts (paper 0, ink 1) mapped in place to the model's range. */
export function inkToRange(ink: FloatImage, range: ValueRange): FloatImage {
  if (range === 'minus-one-one') {
    const d = ink.data;
    for (let i = 0; i < d.length; i++) d[i] = 2 * d[i] - 1;
  }
  return ink;
}

/** A model-space image (paper low, ink high, in `range`) back to 8-bit grey with white paper, for PNGs. */
export function floatToGray(img: FloatImage, range: ValueRange): GrayImage {
  const out = new Uint8ClampedArray(img.width * img.height);
  const d = img.data;
  const minusOne = range === 'minus-one-one';
  for (let i = 0; i < d.length; i++) {
    const ink = minusOne ? (d[i] + 1) / 2 : d[i];
    out[i] = 255 - 255 * ink; // clamped and rounded by Uint8ClampedArray (NaN → 0 is avoided below)
    if (ink !== ink) out[i] = 255;
  }
  return { width: img.width, height: img.height, data: out };
}
