import type { FloatImage } from '../image/types.ts';
import { scratchF32 } from './scratch.ts';

/** For each output index along one axis: the first source index and the weights of the following ones. */
interface AxisWeights {
  start: Int32Array;
  count: Int32Array;
  /** `maxCount` weights per output index. */
  weights: Float32Array;
  maxCount: number;
}

/**
 * Weights mapping `src` samples to `dst`: area averaging (each output is the mean of the source interval it
 * covers, partial pixels weighted by overlap) when shrinking, bilinear with pixel-centre alignment when
 * enlarging.
 */
function axisWeights(src: number, dst: number): AxisWeights {
  const scale = src / dst;
  const maxCount = scale > 1 ? Math.ceil(scale) + 1 : 2;
  const start = new Int32Array(dst);
  const count = new Int32Array(dst);
  const weights = new Float32Array(dst * maxCount);
  for (let i = 0; i < dst; i++) {
    if (scale > 1) {
      const lo = i * scale;
      const hi = Math.min(src, (i + 1) * scale);
      const first = Math.floor(lo);
      const last = Math.min(src - 1, Math.ceil(hi) - 1);
      start[i] = first;
      count[i] = last - first + 1;
      for (let j = first; j <= last; j++) {
        weights[i * maxCount + j - first] = (Math.min(hi, j + 1) - Math.max(lo, j)) / scale;
      }
    } else {
      const pos = Math.min(src - 1, Math.max(0, (i + 0.5) * scale - 0.5));
      const first = Math.min(Math.floor(pos), Math.max(0, src - 2));
      const frac = pos - first;
      start[i] = first;
      count[i] = src > 1 ? 2 : 1;
      weights[i * maxCount] = src > 1 ? 1 - frac : 1;
      if (src > 1) weights[i * maxCount + 1] = frac;
    }
  }
  return { start, count, weights, maxCount };
}

/** Resizes a float image to `width` × `height` (area averaging when shrinking, bilinear when enlarging). */
export function resizeFloat(img: FloatImage, width: number, height: number): FloatImage {
  if (img.width === width && img.height === height) return { width, height, data: img.data.slice() };
  if (img.width < 1 || img.height < 1) throw new Error('cannot resize an empty image');
  const { start: xs, count: xc, weights: xw, maxCount: xm } = axisWeights(img.width, width);
  const { start: ys, count: yc, weights: yw, maxCount: ym } = axisWeights(img.height, height);
  const src = img.data;
  const sw = img.width;
  // Horizontal pass: img.height rows of `width`.
  const tmp = scratchF32(3, width * img.height); // every element is set below
  for (let y = 0; y < img.height; y++) {
    const row = y * sw;
    const o = y * width;
    for (let x = 0; x < width; x++) {
      let acc = 0;
      const s = row + xs[x];
      const base = x * xm;
      const c = xc[x];
      for (let k = 0; k < c; k++) acc += src[s + k] * xw[base + k];
      tmp[o + x] = acc;
    }
  }
  // Vertical pass.
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const s = ys[y];
    const base = y * ym;
    const dst = y * width;
    for (let k = 0; k < yc[y]; k++) {
      const w = yw[base + k];
      const from = (s + k) * width;
      for (let x = 0; x < width; x++) out[dst + x] += tmp[from + x] * w;
    }
  }
  return { width, height, data: out };
}
