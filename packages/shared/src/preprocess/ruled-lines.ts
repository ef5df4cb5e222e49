import type { GrayImage } from '../image/types.ts';
import { otsuThreshold } from './otsu.ts';
import { scratchI32 } from './scratch.ts';

export interface RuledLineOptions {
  /** Ink threshold (pixels `<=` are ink). Default: Otsu. */
  threshold?: number;
  /** Shortest part of a (skewed) line that must lie inside the image, as a fraction of the side it runs along. */
  minLength?: number;
  /** Largest skew of a line from the image axes, in degrees (photographed sheets are slightly rotated). */
  maxSkewDeg?: number;
  /** Longest break inside a line (faint or JPEG-damaged stretches), as a fraction of the side (at least 3 px). Default 0.02. */
  maxGap?: number;
  /** Thickest line that is erased, in pixels. Default: max(6, longer side / 150). */
  maxThickness?: number;
  /** Largest RMS deviation (pixels) of a line's centre from straight; hand-drawn strokes waver more. Default 1.5. */
  maxWobble?: number;
}

/**
 * Ruled or grid lines erased to paper: straight, near-horizontal and near-vertical runs of ink from one image
 * border to the other (a long stroke of the signature itself stops short of the border). A stroke crossing a
 * line survives: in each column (row) the line is only erased where the ink across it is
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
    maxWobble: opts.maxWobble ?? 1.5,
  };
  const data = gray.data.slice();
  // Grid lines end on each other: horizontal lines found border to border stop the vertical ones, which in
  // turn stop the horizontal ones that end on a vertical line (a table's outer frame, a cell's edge).
  // Vertical candidates are voted from column prefix counts of the image itself (no transpose needed).
  const hc = lineCandidates(width, height, p, () => rowPrefix(data, width, height, p.loose));
  const vc = lineCandidates(height, width, p, () => columnPrefix(data, width, height, p.loose));
  if (hc.length === 0 && vc.length === 0) return { width, height, data }; // the common case: a clean crop
  const tdata = transpose(data, width, height);
  const h1 = markLines(data, width, height, hc, p, null);
  const vT = markLines(tdata, height, width, vc, p, transpose(h1, width, height));
  const vMask = vc.length ? transpose(vT, height, width) : null;
  const h = vMask ? markLines(data, width, height, hc, p, vMask) : h1;
  eraseMarked(data, h, width, height, p);
  if (!vMask || !vT.includes(1)) return { width, height, data };
  eraseMarkedRows(data, vMask, width, height, p);
  return { width, height, data };
}

interface LineParams {
  loose: number;
  minLength: number;
  maxSlope: number;
  maxGap: number;
  maxThickness: number;
  maxWobble: number;
}

function transpose<T extends Uint8Array | Uint8ClampedArray>(src: T, width: number, height: number): T {
  // One element type for both callers (images and masks), so the copy loop stays monomorphic.
  const from = src instanceof Uint8Array ? src : new Uint8Array(src.buffer, src.byteOffset, src.length);
  const out = new Uint8Array(src.length);
  // In 32 × 32 tiles, so both the reads and the writes stay in cache.
  for (let ty = 0; ty < height; ty += 32) {
    const ey = Math.min(height, ty + 32);
    for (let tx = 0; tx < width; tx += 32) {
      const ex = Math.min(width, tx + 32);
      for (let y = ty; y < ey; y++) for (let x = tx, i = y * width + tx; x < ex; x++, i++) out[x * height + y] = from[i];
    }
  }
  return (src instanceof Uint8Array ? out : new Uint8ClampedArray(out.buffer)) as T;
}

/**
 * Marks (1) the ink of every ruled line: a sheared row y = y0 + round(x·s), for a fan of slopes s, whose
 * straight ink run (gaps ≤ maxGap bridged) goes from one image border to the other and is straight.
 * Rows that leave the image through the top or bottom (a skewed line near the edge) count when at least
 * `minLength` of the width is inside. The whole row's ink is marked, so faint or broken ends of a line go
 * too; strokes crossing it are protected later by the thickness test.
 * Candidates come from a projection: the ink of every row votes for its (s, y0), summed per run of columns
 * with the same shift from prefix counts, so a slope costs (shift changes) × height, not × pixels.
 */
/**
 * Prefix ink counts along rows, column-major: prefix[x * height + y] = ink pixels in row y left of column x
 * (read sequentially in y by the voting, which keeps it cache-friendly).
 */
function rowPrefix(data: Uint8ClampedArray, width: number, height: number, loose: number): Int32Array {
  const prefix = scratchI32('lines.rowPrefix', (width + 1) * height);
  prefix.fill(0, 0, height); // column 0; the rest is written below
  for (let y = 0; y < height; y++) {
    const o = y * width;
    let acc = 0;
    for (let x = 0, j = height + y; x < width; x++, j += height) {
      if (data[o + x] <= loose) acc++;
      prefix[j] = acc;
    }
  }
  return prefix;
}

/** Prefix ink counts down columns, as rowPrefix gives them for the transposed image (row-major here). */
function columnPrefix(data: Uint8ClampedArray, width: number, height: number, loose: number): Int32Array {
  const prefix = scratchI32('lines.columnPrefix', (height + 1) * width);
  prefix.fill(0, 0, width); // row 0; the rest is written below
  for (let y = 0; y < height; y++) {
    const o = y * width;
    const q = o + width;
    for (let x = 0; x < width; x++) prefix[q + x] = prefix[o + x] + (data[o + x] <= loose ? 1 : 0);
  }
  return prefix;
}

/** Sheared rows worth walking: flat triples (y0, slope, length inside the image). */
function lineCandidates(width: number, height: number, p: LineParams, prefixOf: () => Int32Array): number[] {
  const found: number[] = [];
  const minInside = Math.max(8, Math.round(p.minLength * width));
  if (minInside > width) return found;
  const prefix = prefixOf(); // built only when a line of minInside pixels fits

  let total = 0;
  for (let y = 0; y < height; y++) total += prefix[width * height + y];
  if (total < p.minLength * minInside) return found;
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
      if (len >= minInside && votes[r] >= p.minLength * len * 0.8) found.push(r - shift, s, len);
    }
  }
  return found;
}

/** Marks (1) the ink of every ruled line among the candidate rows (see markRow). */
function markLines(data: Uint8ClampedArray, width: number, height: number, cands: number[], p: LineParams, stopper: Uint8Array | null): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (let k = 0; k < cands.length; k += 3) markRow(data, mask, width, height, cands[k], cands[k + 1], cands[k + 2], p, stopper);
  return mask;
}

/** Marks all ink on the sheared row y0 + round(x·s) when it holds a straight, border-to-border ink run. */
function markRow(
  data: Uint8ClampedArray,
  mask: Uint8Array,
  width: number,
  height: number,
  y0: number,
  s: number,
  len: number,
  p: LineParams,
  stopper: Uint8Array | null,
): void {
  // The row's extent inside the image, and its longest ink run with short gaps bridged.
  let first = -1;
  let lastInside = -1;
  let start = -1;
  let last = -1;
  let longest = 0;
  let runStart = 0;
  const maxGap = Math.max(3, Math.round(p.maxGap * width));
  for (let x = 0; x < width; x++) {
    const y = y0 + Math.round(x * s);
    if (y < 0 || y >= height) continue;
    if (first < 0) first = x;
    lastInside = x;
    if (data[y * width + x] > p.loose) continue;
    if (start < 0 || x - last - 1 > maxGap) start = x;
    last = x;
    if (last - start + 1 > longest) {
      longest = last - start + 1;
      runStart = start;
    }
  }
  if (longest < p.minLength * len) return;
  const runEnd = runStart + longest - 1;
  if (wobble(data, width, height, y0, s, runStart, runEnd, p) > p.maxWobble) return;
  // A ruled line runs from border to border (or to another ruled line); a long stroke of the signature
  // (underline, strike-through) stops short. Photographed lines bend a little (paper, lens), so the ends are traced
  // beyond the straight run, following the ink within a small bend, before this is decided.
  const left = trace(data, width, height, runStart, y0 + Math.round(runStart * s), -1, first, s, maxGap, p, stopper);
  const right = trace(data, width, height, runEnd, y0 + Math.round(runEnd * s), 1, lastInside, s, maxGap, p, stopper);
  if (!left || !right) return;
  for (let x = runStart; x <= runEnd; x++) {
    const y = y0 + Math.round(x * s);
    if (data[y * width + x] <= p.loose) mask[y * width + x] = 1;
  }
  for (const path of [left, right]) for (let k = 0; k < path.length; k += 2) markColumnRun(data, mask, width, height, path[k], path[k + 1], p);
}

/**
 * Follows ink from (x, y) in direction `dir` until `stop` (the image border along this row) or a pixel of a
 * perpendicular ruled line (`stopper`): one column at a time, moving at most one row, across gaps of up to
 * maxGap, and never bending more than 2 px + 6 % of the traced length away from the line's slope. Returns the
 * traced pixels (x, y pairs) when it gets there, else null.
 */
function trace(
  data: Uint8ClampedArray,
  width: number,
  height: number,
  x: number,
  y: number,
  dir: 1 | -1,
  stop: number,
  s: number,
  maxGap: number,
  p: LineParams,
  stopper: Uint8Array | null,
): number[] | null {
  const path: number[] = [];
  const x0 = x;
  const y0 = y;
  let gap = 0;
  while (x !== stop) {
    x += dir;
    const expected = y0 + (x - x0) * s;
    let found = -1;
    for (let k = 0; k < 3; k++) {
      const yy = y + (k === 0 ? 0 : k === 1 ? -1 : 1);
      if (yy >= 0 && yy < height && Math.abs(yy - expected) <= 2 + 0.06 * Math.abs(x - x0) && data[yy * width + x] <= p.loose) {
        found = yy;
        break;
      }
    }
    if (found < 0) {
      if (++gap > maxGap) return null;
      continue;
    }
    gap = 0;
    y = found;
    path.push(x, y);
    if (stopper && stopper[y * width + x]) return path; // ends on a perpendicular ruled line
  }
  return path;
}

/** Marks the vertical ink run through (x, y) when it is no thicker than a line (a crossing stroke is not). */
function markColumnRun(data: Uint8ClampedArray, mask: Uint8Array, width: number, height: number, x: number, y: number, p: LineParams): void {
  let top = y;
  let bottom = y;
  while (top > 0 && y - top <= p.maxThickness && data[(top - 1) * width + x] <= p.loose) top--;
  while (bottom < height - 1 && bottom - y <= p.maxThickness && data[(bottom + 1) * width + x] <= p.loose) bottom++;
  if (bottom - top + 1 > p.maxThickness) return;
  for (let yy = top; yy <= bottom; yy++) mask[yy * width + x] = 1;
}

/**
 * How far a candidate line strays from straight: the RMS distance of its centre from the least-squares
 * line, over the columns where it is no thicker than maxThickness (columns where a stroke crosses are left
 * out). A printed line is straight to about a pixel; a long hand-drawn stroke (an underline or a
 * strike-through that belongs to the signature) wavers more. Infinity when too few columns are thin.
 */
function wobble(data: Uint8ClampedArray, width: number, height: number, y0: number, s: number, x0: number, x1: number, p: LineParams): number {
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let x = x0; x <= x1; x++) {
    const y = y0 + Math.round(x * s);
    if (y < 0 || y >= height || data[y * width + x] > p.loose) continue;
    let top = y;
    let bottom = y;
    while (top > 0 && y - top <= p.maxThickness && data[(top - 1) * width + x] <= p.loose) top--;
    while (bottom < height - 1 && bottom - y <= p.maxThickness && data[(bottom + 1) * width + x] <= p.loose) bottom++;
    if (bottom - top + 1 > p.maxThickness) continue;
    const c = (top + bottom) / 2;
    n++;
    sx += x;
    sy += c;
    sxx += x * x;
    sxy += x * c;
    syy += c * c;
  }
  if (n < 0.5 * (x1 - x0 + 1) || n < 3) return Infinity;
  const vx = sxx - (sx * sx) / n;
  const cov = sxy - (sx * sy) / n;
  const vy = syy - (sy * sy) / n;
  const residual = Math.max(0, vy - (vx > 0 ? (cov * cov) / vx : 0));
  const rms = Math.sqrt(residual / n);
  if (typeof process !== 'undefined' && process.env?.SIG_DEBUG_LINES) console.log('line', { y0, s: s.toFixed(4), x0, x1, n, rms: rms.toFixed(2) });
  return rms;
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

/** eraseMarked along rows instead of columns (for vertical lines), without transposing the image. */
function eraseMarkedRows(data: Uint8ClampedArray, mask: Uint8Array, width: number, height: number, p: LineParams): void {
  for (let y = 0; y < height; y++) {
    const o = y * width;
    let x = 0;
    while (x < width) {
      if (data[o + x] > p.loose) {
        x++;
        continue;
      }
      const a = x;
      let marked = 0;
      while (x < width && data[o + x] <= p.loose) {
        marked += mask[o + x];
        x++;
      }
      const len = x - a;
      if (marked > 0 && len <= marked + 2 && len <= p.maxThickness) data.fill(255, o + a, o + x);
    }
  }
}
