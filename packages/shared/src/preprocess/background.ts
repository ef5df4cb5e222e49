import type { GrayImage } from '../image/types.ts';
import { boxBlur, maxFilter, minFilter } from './morphology.ts';
import { scratchF32, scratchF64 } from './scratch.ts';

export interface FlattenOptions {
  /** Half-size of the closing window in pixels; must exceed the stroke width. Default: max side / 40, 8..48. */
  radius?: number;
}

/** Default closing radius: wider than any pen stroke at the image's scale, small next to light gradients. */
function backgroundRadius(width: number, height: number): number {
  return Math.min(48, Math.max(8, Math.round(Math.max(width, height) / 40)));
}

/**
 * Paper made uniformly white under uneven light: the background is estimated by a grey-level closing
 * (local max then min, which erases strokes thinner than the window) smoothed by a box blur, and each
 * pixel is divided by it. Ink keeps its contrast relative to the paper around it. The estimate is computed
 * on a block-max reduced copy (the background varies slowly; block max keeps paper, drops thin ink) and
 * interpolated back, which keeps a 1-megapixel photo in a few tens of milliseconds.
 */
export function flattenBackground(gray: GrayImage, opts: FlattenOptions = {}): GrayImage {
  const { width, height, data } = gray;
  const r = opts.radius ?? backgroundRadius(width, height);
  const f = Math.max(1, Math.floor(r / 4));
  const sw = Math.ceil(width / f);
  const sh = Math.ceil(height / f);
  const small = blockMax(data, width, height, f, sw, sh);
  const rs = Math.max(1, Math.round(r / f));
  maxFilter(small, sw, sh, rs);
  minFilter(small, sw, sh, rs);
  boxBlur(small, sw, sh, rs);
  const out = new Uint8ClampedArray(data.length);
  // Bilinear interpolation of the reduced background at each pixel centre, then division. The horizontal
  // interpolation of each reduced row is computed once (in doubles, as per pixel before) and shared by
  // the f output rows that read it.
  const xi0 = new Int32Array(width);
  const xi1 = new Int32Array(width);
  const xw = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const pos = Math.min(sw - 1, Math.max(0, (x + 0.5) / f - 0.5));
    xi0[x] = Math.floor(pos);
    xi1[x] = Math.min(sw - 1, xi0[x] + 1);
    xw[x] = pos - xi0[x];
  }
  const rows = scratchF64('background.rows', sh * width);
  for (let r = 0; r < sh; r++) {
    const s0 = r * sw;
    const o = r * width;
    for (let x = 0; x < width; x++) {
      const p = small[s0 + xi0[x]];
      rows[o + x] = p + (small[s0 + xi1[x]] - p) * xw[x];
    }
  }
  for (let y = 0; y < height; y++) {
    const pos = Math.min(sh - 1, Math.max(0, (y + 0.5) / f - 0.5));
    const y0 = Math.floor(pos);
    const y1 = Math.min(sh - 1, y0 + 1);
    const wy = pos - y0;
    const r0 = y0 * width;
    const r1 = y1 * width;
    for (let x = 0, i = y * width; x < width; x++, i++) {
      const a = rows[r0 + x];
      const bg = a + (rows[r1 + x] - a) * wy;
      out[i] = (255 * data[i]) / (bg < 1 ? 1 : bg); // Uint8ClampedArray rounds and clamps to 255
    }
  }
  return { width, height, data: out };
}

/** Maximum over each f × f block (partial blocks at the right and bottom edges). */
function blockMax(data: Uint8ClampedArray, width: number, height: number, f: number, sw: number, sh: number): Float32Array {
  const small = scratchF32('background.blocks', sw * sh); // every element is set below
  const rowMax = new Int32Array(sw);
  for (let by = 0; by < sh; by++) {
    rowMax.fill(0);
    const yEnd = Math.min(height, (by + 1) * f);
    for (let y = by * f; y < yEnd; y++) {
      const o = y * width;
      for (let bx = 0, x = 0; bx < sw; bx++) {
        const xEnd = Math.min(width, x + f);
        let m = rowMax[bx];
        for (; x < xEnd; x++) if (data[o + x] > m) m = data[o + x];
        rowMax[bx] = m;
      }
    }
    small.set(rowMax, by * sw);
  }
  return small;
}
