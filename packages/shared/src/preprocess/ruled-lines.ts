import type { GrayImage } from '../image/types.ts';
import { otsuThreshold } from './otsu.ts';

export interface RuledLineOptions {
  /** Ink threshold (pixels `<=` are ink). Default: Otsu. */
  threshold?: number;
  /** Shortest straight run that counts as a ruled line, as a fraction of the image side it runs along. */
  minLength?: number;
  /** Largest skew of a line from the image axes, in degrees (photographed sheets are slightly rotated). */
  maxSkewDeg?: number;
  /** Longest break inside a line (faint or JPEG-damaged stretches), as a fraction of the side (at least 3 px). Default 0.02. */
  maxGap?: number;
  /** Thickest line that is erased, in pixels. Default: max(6, longer side / 150). */
  maxThickness?: number;
}

/**
 * Ruled or grid lines erased to paper: long, straight, near-horizontal and near-vertical runs of ink. A
 * stroke crossing a line survives: in each column (row) the line is only erased where the ink across it is
 * no thicker than the line itself, so ink continuing above/below marks a crossing and is kept.
 */
export function removeRuledLines(gray: GrayImage, opts: RuledLineOptions = {}): GrayImage {
  const { width, height } = gray;
  const t = opts.threshold ?? otsuThreshold(gray);
  // Grid lines are often fainter than pen ink: detect and erase them with a looser threshold.
  const loose = Math.round(t + (255 - t) / 2);
  const p = {
    loose,
    minLength: opts.minLength ?? 0.6,
    maxSlope: Math.tan(((opts.maxSkewDeg ?? 3) * Math.PI) / 180),
    maxGap: opts.maxGap ?? 0.02,
    maxThickness: opts.maxThickness ?? Math.max(6, Math.round(Math.max(width, height) / 150)),
  };
  const data = Uint8ClampedArray.from(gray.data);
  eraseHorizontal(data, width, height, p);
  const tr = transpose(data, width, height);
  eraseHorizontal(tr, height, width, p);
  return { width, height, data: transpose(tr, height, width) };
}

interface LineParams {
  loose: number;
  minLength: number;
  maxSlope: number;
  maxGap: number;
  maxThickness: number;
}

function transpose(src: Uint8ClampedArray, width: number, height: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(src.length);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out[x * height + y] = src[y * width + x];
  return out;
}

/** Finds near-horizontal lines in `data` (width × height) and erases them in place. */
function eraseHorizontal(data: Uint8ClampedArray, width: number, height: number, p: LineParams): void {
  const mask = markLines(data, width, height, p);
  eraseMarked(data, mask, width, height, p);
}

/**
 * Marks (1) the ink of every ruled line: a sheared row y = y0 + round(x·s), for a fan of slopes s, whose
 * longest straight ink run (gaps ≤ maxGap bridged) covers `minLength` of the row's length inside the image.
 * Rows that leave the image through the top or bottom (a skewed line near the edge) count when at least
 * `minLength` of the width is inside. The whole row's ink is marked, so faint or broken ends of a line go
 * too; strokes crossing it are protected later by the thickness test.
 * Candidates come from a projection: the ink of every row votes for its (s, y0), summed per run of columns
 * with the same shift from prefix counts, so a slope costs (shift changes) × height, not × pixels.
 */
function markLines(data: Uint8ClampedArray, width: number, height: number, p: LineParams): Uint8Array {
  const mask = new Uint8Array(width * height);
  const minInside = Math.max(8, Math.round(p.minLength * width));
  if (minInside > width) return mask;
  // Column-major prefix counts: prefix[x * height + y] = ink pixels in row y left of column x (read
  // sequentially in y below, which keeps the voting cache-friendly).
  const prefix = new Int32Array((width + 1) * height);
  for (let x = 0; x < width; x++) {
    const a = x * height;
    const b = a + height;
    for (let y = 0, i = x; y < height; y++, i += width) prefix[b + y] = prefix[a + y] + (data[i] <= p.loose ? 1 : 0);
  }
  let total = 0;
  for (let y = 0; y < height; y++) total += prefix[width * height + y];
  if (total < p.minLength * minInside) return mask;
  // Adjacent slopes drift apart by one pixel over a minimal line.
  const step = 1 / minInside;
  const nSlopes = Math.floor(p.maxSlope / step);
  const shift = Math.ceil(p.maxSlope * width) + 1;
  const votes = new Int32Array(height + 2 * shift);
  const inside = new Int32Array(height + 2 * shift + 1); // pixels of each sheared row inside the image
  for (let k = -nSlopes; k <= nSlopes; k++) {
    const s = k * step;
    votes.fill(0);
    inside.fill(0);
    // Columns [xa, xb) share the vertical shift d = round(x·s).
    for (let xa = 0; xa < width; ) {
      const d = Math.round(xa * s) | 0; // | 0 turns -0 into 0 (keeps indices small integers)
      let xb = xa + 1;
      while (xb < width && (Math.round(xb * s) | 0) === d) xb++;
      const pa = xa * height;
      const pb = xb * height;
      const v0 = shift - d;
      for (let y = 0; y < height; y++) votes[v0 + y] += prefix[pb + y] - prefix[pa + y];
      inside[v0] += xb - xa; // difference array: rows v0 .. v0 + height - 1 gain xb - xa pixels
      inside[v0 + height] -= xb - xa;
      xa = xb;
    }
    for (let r = 0, len = 0; r < votes.length; r++) {
      len += inside[r];
      if (len >= minInside && votes[r] >= p.minLength * len * 0.8) markRow(data, mask, width, height, r - shift, s, len, p);
    }
  }
  return mask;
}

/** Marks all ink on the sheared row y0 + round(x·s) when its longest run covers `minLength` of `len`. */
function markRow(
  data: Uint8ClampedArray,
  mask: Uint8Array,
  width: number,
  height: number,
  y0: number,
  s: number,
  len: number,
  p: LineParams,
): void {
  let start = -1;
  let last = -1;
  let longest = 0;
  const maxGap = Math.max(3, Math.round(p.maxGap * width));
  for (let x = 0; x < width; x++) {
    const y = y0 + Math.round(x * s);
    if (y < 0 || y >= height || data[y * width + x] > p.loose) continue;
    if (start < 0 || x - last - 1 > maxGap) start = x;
    last = x;
    if (last - start + 1 > longest) longest = last - start + 1;
  }
  if (longest < p.minLength * len) return;
  for (let x = 0; x < width; x++) {
    const y = y0 + Math.round(x * s);
    if (y >= 0 && y < height && data[y * width + x] <= p.loose) mask[y * width + x] = 1;
  }
}

/**
 * In every column, each vertical ink run that contains marked line pixels is erased when it is no more than
 * one pixel thicker than the marked band on each side and no thicker than maxThickness; longer runs are a
 * stroke crossing the line and stay.
 */
function eraseMarked(data: Uint8ClampedArray, mask: Uint8Array, width: number, height: number, p: LineParams): void {
  for (let x = 0; x < width; x++) {
    let y = 0;
    while (y < height) {
      const i = y * width + x;
      if (data[i] > p.loose) {
        y++;
        continue;
      }
      // The vertical ink run [a, b] and how many of its pixels are marked as line.
      const a = y;
      let marked = 0;
      while (y < height && data[y * width + x] <= p.loose) {
        marked += mask[y * width + x];
        y++;
      }
      const b = y - 1;
      const len = b - a + 1;
      if (marked > 0 && len <= marked + 2 && len <= p.maxThickness) {
        for (let yy = a; yy <= b; yy++) data[yy * width + x] = 255;
      }
    }
  }
}
