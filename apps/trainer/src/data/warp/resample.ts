// Image resampling through a geometric map, for augmentation: for every output pixel, look up where it comes
// from in the source (backward mapping, so there are no holes) and interpolate bilinearly.
import type { FloatImage } from '@sig/shared';
import { type Affine } from './affine.ts';
import type { ElasticField } from './elastic.ts';

/**
 * Resamples `src` (same size out) where output pixel p takes the source value at `inverse(p) + field(p)`.
 * Pixels that fall outside the source get `fill` (the paper value).
 */
export function warpImage(src: FloatImage, inverse: Affine, field: ElasticField | null, fill: number): FloatImage {
  const { width: w, height: h, data } = src;
  const out = new Float32Array(w * h);
  const disp = field ? field.atPixels(w, h) : null;
  const [a, b, c, dd, e, f] = inverse;
  for (let y = 0; y < h; y++) {
    const cy = y + 0.5;
    for (let x = 0; x < w; x++) {
      const cx = x + 0.5;
      let sx = a * cx + b * cy + c;
      let sy = dd * cx + e * cy + f;
      if (disp) {
        sx += disp.dx[y * w + x];
        sy += disp.dy[y * w + x];
      }
      out[y * w + x] = bilinear(data, w, h, sx - 0.5, sy - 0.5, fill);
    }
  }
  return { width: w, height: h, data: out };
}

/** Bilinear sample at continuous pixel-index coordinates; taps outside the image read `fill`. */
function bilinear(data: Float32Array, w: number, h: number, x: number, y: number, fill: number): number {
  const x0 = Math.floor(x), y0 = Math.floor(y);
  const fx = x - x0, fy = y - y0;
  if (x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h) {
    const k = y0 * w + x0;
    return (1 - fy) * ((1 - fx) * data[k] + fx * data[k + 1]) + fy * ((1 - fx) * data[k + w] + fx * data[k + w + 1]);
  }
  if (x0 < -1 || y0 < -1 || x0 >= w || y0 >= h) return fill;
  const t00 = tap(data, w, h, x0, y0, fill), t10 = tap(data, w, h, x0 + 1, y0, fill);
  const t01 = tap(data, w, h, x0, y0 + 1, fill), t11 = tap(data, w, h, x0 + 1, y0 + 1, fill);
  return (1 - fy) * ((1 - fx) * t00 + fx * t10) + fy * ((1 - fx) * t01 + fx * t11);
}

function tap(data: Float32Array, w: number, h: number, x: number, y: number, fill: number): number {
  return x < 0 || y < 0 || x >= w || y >= h ? fill : data[y * w + x];
}
