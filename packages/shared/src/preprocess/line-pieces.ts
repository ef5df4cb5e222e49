// Ruled lines that line removal left in a capture (a grid line that ends at a missed cell edge instead of
// the border, a faint one tilted by a keystoned photo), erased piece by piece, also where strokes cross them.
import type { GrayImage } from '../image/types.ts';
import { joinCollinear, fitLine, type RuledLine } from './erased-lines.ts';
import { inkRunComponents, type ComponentStats } from './ink-box.ts';
import { scratchI32 } from './scratch.ts';

/** Thickest line (px) erased: strokes are normalised to at most 3 px before the locator, and lines with them. */
const MAX_THICKNESS = 5;
/** Shortest straight thin piece considered part of a line, as a fraction of the side it runs along. */
const MIN_PIECE = 0.1;
/** A line's pieces together cover this much of the side (the rest is where strokes cross it)... */
const MIN_COVER = 0.35;
/**
 * ...and reach to within this fraction of the side from both borders: a grid line crosses the capture (up
 * to a missed cell edge near the border); an underline or a straight stroke, even in a tight crop, stops short.
 */
const BORDER = 0.05;
/** Largest slope from the image axes (7°: a capture rotated 2° and keystoned, a vertical line across a short side). */
const MAX_SLOPE = 0.12;
/** Largest RMS distance (px) of a piece's pixels from its fitted line; a hand-drawn stroke curves more. */
const MAX_RMS = 1.6;

/** The image with leftover line pieces painted paper, and those lines (empty and the input when there are none). */
export interface LinePiecesErased {
  image: GrayImage;
  lines: RuledLine[];
}

/**
 * Erases what is left of ruled lines (ink `<= threshold`, or fainter): pixels in thin runs across the line's direction
 * (at most MAX_THICKNESS; a stroke crossing the line is thicker there and stays) that form straight pieces,
 * joined into lines that cross the image from border to border.
 */
export function eraseLinePieces(gray: GrayImage, threshold: number): LinePiecesErased {
  const { width, height } = gray;
  // Grid lines are often fainter than pen ink (and JPEG breaks them into dashes): read them with a looser threshold.
  const loose = Math.round(threshold + (255 - threshold) / 2);
  let data: Uint8ClampedArray | null = null;
  const lines: RuledLine[] = [];
  for (const horizontal of [true, false]) {
    const side = horizontal ? width : height;
    const mask = thinMask(gray, loose, horizontal);
    // A line reaches both border bands: without thin ink in both (a tight crop's margin), there is none.
    if (!bandsInked(mask, width, height, horizontal, Math.floor(BORDER * side))) continue;
    const comps = inkRunComponents(mask, width, height, 0);
    const members = straightPieces(comps, horizontal, side);
    if (members.length === 0) continue;
    for (const l of joinCollinear(comps, members, horizontal, MIN_PIECE * side)) {
      if (l.cover < MIN_COVER * side || l.u0 > BORDER * side || l.u1 < side - 1 - BORDER * side) continue;
      lines.push(fitLine(comps, l.members, horizontal));
      data ??= gray.data.slice();
      const erase = new Set(l.members);
      const { runs } = comps;
      for (let r = 0; r < runs.count; r++) {
        if (erase.has(runs.component[r])) data.fill(255, runs.y[r] * width + runs.x0[r], runs.y[r] * width + runs.x1[r] + 1);
      }
    }
  }
  return data ? { image: { width, height, data }, lines } : { image: gray, lines };
}

/**
 * Ink (`<= loose`) in runs across the direction of a line no longer than MAX_THICKNESS, as 0 on 255: for
 * horizontal lines the vertical runs, for vertical lines the horizontal ones. Row by row either way.
 */
function thinMask(gray: GrayImage, loose: number, horizontal: boolean): Uint8ClampedArray {
  const { width: w, height: h, data } = gray;
  const mask = new Uint8ClampedArray(w * h).fill(255);
  if (!horizontal) {
    for (let y = 0; y < h; y++) {
      for (let x = 0, o = y * w; x < w; ) {
        if (data[o + x] > loose) {
          x++;
          continue;
        }
        const x0 = x;
        while (x < w && data[o + x] <= loose) x++;
        if (x - x0 <= MAX_THICKNESS) mask.fill(0, o + x0, o + x);
      }
    }
    return mask;
  }
  // Vertical run lengths without walking columns: `down` counts ink rows so far (top to bottom); a bottom-up
  // pass then hands each run's total back up to its pixels.
  const down = scratchI32('linePieces.down', w * h);
  for (let x = 0; x < w; x++) down[x] = data[x] <= loose ? 1 : 0;
  for (let i = w; i < w * h; i++) down[i] = data[i] <= loose ? down[i - w] + 1 : 0;
  for (let i = w * h - 1; i >= 0; i--) {
    if (down[i] === 0) continue;
    const total = i + w < w * h && down[i + w] > 0 ? down[i + w] : down[i];
    down[i] = total;
    if (total <= MAX_THICKNESS) mask[i] = 0;
  }
  return mask;
}

/** True when the mask has ink within `band` pixels of both ends of the direction (left and right for horizontal). */
function bandsInked(mask: Uint8ClampedArray, width: number, height: number, horizontal: boolean, band: number): boolean {
  const inked = (x0: number, x1: number, y0: number, y1: number): boolean => {
    for (let y = y0; y <= y1; y++) for (let x = x0, o = y * width; x <= x1; x++) if (mask[o + x] === 0) return true;
    return false;
  };
  return horizontal
    ? inked(0, band, 0, height - 1) && inked(width - 1 - band, width - 1, 0, height - 1)
    : inked(0, width - 1, 0, band) && inked(0, width - 1, height - 1 - band, height - 1);
}

/** Components of a thin mask that are straight, flat pieces along the direction (at most MAX_SLOPE off it). */
function straightPieces(comps: ComponentStats, horizontal: boolean, side: number): number[] {
  const span = (c: number) => (horizontal ? comps.bx1[c] - comps.bx0[c] + 1 : comps.by1[c] - comps.by0[c] + 1);
  const long = new Uint8Array(comps.count);
  let any = false;
  for (let c = 0; c < comps.count; c++) {
    if (span(c) < MIN_PIECE * side || comps.area[c] > MAX_THICKNESS * span(c)) continue;
    long[c] = 1;
    any = true;
  }
  if (!any) return [];
  // Least-squares moments of every long piece's pixels in one pass over the runs (u along the line, v across):
  // n, Σu, Σv, Σuu, Σuv, Σvv per component.
  const m = new Float64Array(6 * comps.count);
  const { runs } = comps;
  for (let r = 0; r < runs.count; r++) {
    const c = runs.component[r];
    if (!long[c]) continue;
    const x0 = runs.x0[r];
    const x1 = runs.x1[r];
    const y = runs.y[r];
    const n = x1 - x0 + 1;
    const sx = (n * (x0 + x1)) / 2;
    const sxx = (x1 * (x1 + 1) * (2 * x1 + 1) - (x0 - 1) * x0 * (2 * x0 - 1)) / 6;
    const o = 6 * c;
    m[o] += n;
    m[o + 4] += y * sx;
    if (horizontal) {
      m[o + 1] += sx;
      m[o + 2] += n * y;
      m[o + 3] += sxx;
      m[o + 5] += n * y * y;
    } else {
      m[o + 1] += n * y;
      m[o + 2] += sx;
      m[o + 3] += n * y * y;
      m[o + 5] += sxx;
    }
  }
  const members: number[] = [];
  for (let c = 0; c < comps.count; c++) {
    if (!long[c]) continue;
    const [n, su, sv, suu, suv, svv] = m.subarray(6 * c, 6 * c + 6);
    const vu = suu - (su * su) / n;
    const b = vu > 1e-9 ? (suv - (su * sv) / n) / vu : 0;
    const a = (sv - b * su) / n;
    // Mean squared distance across the line: Σ(v − a − b·u)² / n from the moments.
    const ms = (svv - 2 * a * sv - 2 * b * suv + a * a * n + 2 * a * b * su + b * b * suu) / n;
    if (Math.abs(b) <= MAX_SLOPE && Math.sqrt(Math.max(0, ms)) <= MAX_RMS) members.push(c);
  }
  return members;
}
