import type { FloatImage, GrayImage } from '../image/types.ts';
import type { Box } from './ink-box.ts';
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
  const src = img.data;
  const sw = img.width;
  // Horizontal pass: img.height rows of `width`.
  const tmp = scratchF32('resize.rows', width * img.height); // every element is set below
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
  return { width, height, data: resizeColumns(tmp, img.height, 0, img.height, width, height) };
}

/**
 * What `resizeFloat` gives for the window `win` of `gray` (image coordinates; it may reach past the image),
 * where each pixel inside both `valid` and the image is `lut[grey level]` and every other pixel is 0, without
 * building that window: the same products summed in the same order, only the zero terms left out (adding
 * +0 changes no sum), so the result is identical. This is crop → ink map → pad → resize in one pass.
 */
export function resizeGrayWindow(gray: GrayImage, lut: Float32Array, valid: Box, win: Box, width: number, height: number): FloatImage {
  if (win.width < 1 || win.height < 1) throw new Error('cannot resize an empty image');
  const { start: xs, count: xc, weights: xw, maxCount: xm } = axisWeights(win.width, width);
  const { width: gw, data } = gray;
  // The non-zero part of the window, in window coordinates: [vx0, vx1) × [vy0, vy1).
  const vx0 = Math.max(valid.x, 0) - win.x;
  const vx1 = Math.min(valid.x + valid.width, gw) - win.x;
  const vy0 = Math.max(0, Math.max(valid.y, 0) - win.y);
  const vy1 = Math.min(win.height, Math.min(valid.y + valid.height, gray.height) - win.y);
  // Per output column, the taps that land in it.
  const kLo = new Int32Array(width);
  const kHi = new Int32Array(width);
  for (let x = 0; x < width; x++) {
    kLo[x] = Math.max(0, vx0 - xs[x]);
    kHi[x] = Math.min(xc[x], vx1 - xs[x]);
  }
  // Horizontal pass over the rows that hold anything; resizeColumns reads no other row.
  const tmp = scratchF32('resize.rows', width * win.height);
  for (let wy = vy0; wy < vy1; wy++) {
    const row = (win.y + wy) * gw + win.x;
    const o = wy * width;
    for (let x = 0; x < width; x++) {
      let acc = 0;
      const s = row + xs[x];
      const base = x * xm;
      for (let k = kLo[x], end = kHi[x]; k < end; k++) acc += lut[data[s + k]] * xw[base + k];
      tmp[o + x] = acc;
    }
  }
  return { width, height, data: resizeColumns(tmp, win.height, vy0, vy1, width, height) };
}

/**
 * The vertical pass: `srcHeight` rows of `width` in `tmp` to `height` rows. Only rows [rowLo, rowHi) are
 * read; the others count as 0 (their terms are left out, which changes no sum).
 */
function resizeColumns(tmp: Float32Array, srcHeight: number, rowLo: number, rowHi: number, width: number, height: number): Float32Array {
  const { start: ys, count: yc, weights: yw, maxCount: ym } = axisWeights(srcHeight, height);
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const s = ys[y];
    const base = y * ym;
    const dst = y * width;
    for (let k = Math.max(0, rowLo - s), end = Math.min(yc[y], rowHi - s); k < end; k++) {
      const w = yw[base + k];
      const from = (s + k) * width;
      for (let x = 0; x < width; x++) out[dst + x] += tmp[from + x] * w;
    }
  }
  return out;
}
