// One normal form for a digit's image, used for both the font templates and the digits cut from a photo,
// so that matching compares like with like: ink as 0..1, scaled to a fixed height, aspect kept, centred.

/** Height and width of a normalised glyph. */
export const GLYPH_H = 24;
export const GLYPH_W = 20;

/** A digit image in normal form, plus the width/height ratio of the ink before scaling. */
export interface Glyph {
  data: Float32Array;
  aspect: number;
}

/** A rectangle in pixel coordinates, end-exclusive. */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * Scales the ink inside `box` of a w-wide ink map (0 = paper, 1 = ink) to GLYPH_H rows, keeping the aspect
 * ratio (a narrow "1" stays narrow), centred horizontally; area-averaged so small digits are not aliased.
 */
export function normaliseGlyph(ink: Float32Array, w: number, box: Box): Glyph {
  const bw = box.x1 - box.x0;
  const bh = box.y1 - box.y0;
  const scale = GLYPH_H / bh;
  const outW = Math.min(GLYPH_W, Math.max(1, Math.round(bw * scale)));
  const sx = bw / outW;
  const sy = bh / GLYPH_H;
  const off = Math.floor((GLYPH_W - outW) / 2);
  const data = new Float32Array(GLYPH_H * GLYPH_W);
  for (let oy = 0; oy < GLYPH_H; oy++) {
    const ya = box.y0 + oy * sy;
    const yb = ya + sy;
    for (let ox = 0; ox < outW; ox++) {
      const xa = box.x0 + ox * sx;
      const xb = xa + sx;
      let acc = 0;
      let area = 0;
      for (let y = Math.floor(ya); y < Math.ceil(yb); y++) {
        const wy = Math.min(yb, y + 1) - Math.max(ya, y);
        if (wy <= 0) continue;
        for (let x = Math.floor(xa); x < Math.ceil(xb); x++) {
          const wx = Math.min(xb, x + 1) - Math.max(xa, x);
          if (wx <= 0) continue;
          acc += wx * wy * ink[y * w + x];
          area += wx * wy;
        }
      }
      data[oy * GLYPH_W + off + ox] = area > 0 ? acc / area : 0;
    }
  }
  return { data: blur3(data), aspect: bw / bh };
}

/** A 3×3 box blur: makes matching tolerant of a pixel's shift and of stroke-width differences. */
function blur3(a: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let y = 0; y < GLYPH_H; y++)
    for (let x = 0; x < GLYPH_W; x++) {
      let s = 0;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          if (yy >= 0 && yy < GLYPH_H && xx >= 0 && xx < GLYPH_W) s += a[yy * GLYPH_W + xx];
        }
      out[y * GLYPH_W + x] = s / 9;
    }
  return out;
}

/** Zero-mean normalised cross-correlation of two glyphs, in [-1, 1]. */
export function glyphCorrelation(a: Float32Array, b: Float32Array): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) (ma += a[i]), (mb += b[i]);
  ma /= n;
  mb /= n;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    ab += da * db;
    aa += da * da;
    bb += db * db;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}
