// Ruled lines that line removal left in a capture (a grid line that ends at a missed cell edge instead of
// the border, bent by a keystoned photo), erased piece by piece, also where strokes touch or cross them.
import type { GrayImage } from '../image/types.ts';
import { joinCollinear, fitLine, type RuledLine } from './erased-lines.ts';
import { inkRunComponents, type ComponentStats } from './ink-box.ts';

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
    // Vertical lines are horizontal lines of the transposed image.
    const src = horizontal ? gray.data : transpose(gray.data, width, height);
    const [w, h] = horizontal ? [width, height] : [height, width];
    const { comps, members } = straightThinPieces(src, w, h, loose);
    const joined = joinCollinear(comps, members, true, MIN_PIECE * w);
    for (const l of joined) {
      if (l.cover < MIN_COVER * w || l.u0 > BORDER * w || l.u1 < w - 1 - BORDER * w) continue;
      const fit = fitLine(comps, l.members, true);
      lines.push({ ...fit, horizontal });
      data ??= gray.data.slice();
      const erase = new Set(l.members);
      const { runs } = comps;
      for (let r = 0; r < runs.count; r++) {
        if (!erase.has(runs.component[r])) continue;
        if (horizontal) data.fill(255, runs.y[r] * width + runs.x0[r], runs.y[r] * width + runs.x1[r] + 1);
        else for (let y = runs.x0[r]; y <= runs.x1[r]; y++) data[y * width + runs.y[r]] = 255;
      }
    }
  }
  return data ? { image: { width, height, data }, lines } : { image: gray, lines };
}

/** Components of the thin-run mask (ink in vertical runs of at most MAX_THICKNESS) that are straight, flat pieces. */
function straightThinPieces(data: Uint8ClampedArray, w: number, h: number, threshold: number): { comps: ComponentStats; members: number[] } {
  const thin = new Uint8ClampedArray(w * h).fill(255);
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; ) {
      if (data[y * w + x] > threshold) {
        y++;
        continue;
      }
      const y0 = y;
      while (y < h && data[y * w + x] <= threshold) y++;
      if (y - y0 <= MAX_THICKNESS) for (let k = y0; k < y; k++) thin[k * w + x] = 0;
    }
  }
  const comps = inkRunComponents(thin, w, h, 0);
  const members: number[] = [];
  for (let c = 0; c < comps.count; c++) {
    const span = comps.bx1[c] - comps.bx0[c] + 1;
    if (span < MIN_PIECE * w || comps.area[c] > MAX_THICKNESS * span) continue;
    const line = fitLine(comps, [c], true);
    if (Math.abs(line.b) <= MAX_SLOPE && rms(comps, c, line) <= MAX_RMS) members.push(c);
  }
  return { comps, members };
}

/** RMS vertical distance of component `c`'s pixels from the line y = a + b·x. */
function rms(comps: ComponentStats, c: number, l: RuledLine): number {
  const { runs } = comps;
  let sum = 0;
  for (let r = 0; r < runs.count; r++) {
    if (runs.component[r] !== c) continue;
    // Σ over x in [x0, x1] of (y - a - b·x)², in closed form.
    const k = runs.y[r] - l.a;
    const x0 = runs.x0[r];
    const x1 = runs.x1[r];
    const n = x1 - x0 + 1;
    const sx = (n * (x0 + x1)) / 2;
    const sxx = (x1 * (x1 + 1) * (2 * x1 + 1) - (x0 - 1) * x0 * (2 * x0 - 1)) / 6;
    sum += n * k * k - 2 * k * l.b * sx + l.b * l.b * sxx;
  }
  return Math.sqrt(Math.max(0, sum) / comps.area[c]);
}

function transpose(src: Uint8ClampedArray, width: number, height: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(src.length);
  for (let y = 0; y < height; y++) for (let x = 0, i = y * width; x < width; x++, i++) out[x * height + y] = src[i];
  return out;
}
