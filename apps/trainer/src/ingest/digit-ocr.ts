// Reads a short printed number (a student ID) from a small grayscale cell: cut the ink into connected
// components, put each in normal form and match it against font templates by normalised cross-correlation.
import type { GrayImage } from '@sig/shared';
import { components, type Component } from './components.ts';
import { glyphCorrelation, normaliseGlyph, type Box } from './digit-glyph.ts';
import type { DigitTemplate } from './digit-templates.ts';

/** One digit read: the best template's digit, its correlation and the lead over the best other digit. */
export interface DigitRead {
  digit: number;
  score: number;
  margin: number;
  box: Box;
}

/** The number read from a cell; `confidence` in [0, 1] is the weakest digit's (0 when nothing was read). */
export interface NumberRead {
  text: string;
  digits: DigitRead[];
  confidence: number;
}

/** Correlation below which a digit is not trusted, and the lead over the runner-up that makes it certain. */
const SCORE_FLOOR = 0.5;
const FULL_MARGIN = 0.15;

/** A digit's confidence: how far its correlation is above the floor, scaled by its lead over other digits. */
export function digitConfidence(score: number, margin: number): number {
  const s = Math.max(0, Math.min(1, (score - SCORE_FLOOR) / (1 - SCORE_FLOOR)));
  return s * Math.max(0, Math.min(1, margin / FULL_MARGIN));
}

/** Ink map 0..1 from gray: paper level and ink level from the cell's own percentiles. */
function inkMap(g: GrayImage): { ink: Float32Array; contrast: number } {
  const hist = new Uint32Array(256);
  for (const v of g.data) hist[v]++;
  const pct = (p: number): number => {
    let acc = 0;
    const target = p * g.data.length;
    for (let v = 0; v < 256; v++) if ((acc += hist[v]) >= target) return v;
    return 255;
  };
  const paper = pct(0.6);
  const dark = pct(0.002);
  const span = Math.max(1, paper - dark);
  const ink = new Float32Array(g.data.length);
  for (let i = 0; i < ink.length; i++) ink[i] = Math.max(0, Math.min(1, (paper - g.data[i]) / span));
  return { ink, contrast: paper - dark };
}

/** Boxes of the characters on the cell's text line, left to right (wide blobs split as touching digits). */
export function segmentDigits(ink: Float32Array, w: number, h: number): Box[] {
  const mask = new Uint8Array(w * h);
  for (let i = 0; i < mask.length; i++) mask[i] = ink[i] > 0.45 ? 1 : 0;
  // Residual ruling and specks: drop slivers along the border and blobs too big or too small to be a digit
  // (digits may touch the border, the table's left line runs close to them).
  const sliver = (c: Component): boolean =>
    (c.x0 === 0 || c.y0 === 0 || c.x1 === w || c.y1 === h) && Math.min(c.x1 - c.x0, c.y1 - c.y0) <= 3;
  const comps = components(mask, w, h).boxes.filter(
    (c) => c.area >= 4 && !sliver(c) && c.y1 - c.y0 < 0.8 * h && c.x1 - c.x0 < 0.8 * w,
  );
  if (comps.length === 0) return [];
  const maxH = Math.max(...comps.map((c) => c.y1 - c.y0));
  const tallest = comps.find((c) => c.y1 - c.y0 === maxH) as Component;
  const mid = (tallest.y0 + tallest.y1) / 2;
  let line = comps
    .filter((c) => c.y1 - c.y0 >= 0.55 * maxH && Math.abs((c.y0 + c.y1) / 2 - mid) < 0.5 * maxH)
    .sort((a, b) => a.x0 - b.x0);
  // Pieces of one broken glyph overlap horizontally: merge them.
  const merged: Box[] = [];
  for (const c of line) {
    const p = merged[merged.length - 1];
    if (p && Math.min(p.x1, c.x1) - Math.max(p.x0, c.x0) > 0.5 * Math.min(p.x1 - p.x0, c.x1 - c.x0)) {
      p.x0 = Math.min(p.x0, c.x0);
      p.x1 = Math.max(p.x1, c.x1);
      p.y0 = Math.min(p.y0, c.y0);
      p.y1 = Math.max(p.y1, c.y1);
    } else merged.push({ x0: c.x0, y0: c.y0, x1: c.x1, y1: c.y1 });
  }
  line = [];
  const boxes: Box[] = [];
  for (const b of merged) {
    const bw = b.x1 - b.x0;
    const n = bw > 0.95 * maxH ? Math.max(2, Math.round(bw / (0.62 * maxH))) : 1;
    for (let k = 0; k < n; k++)
      boxes.push({ x0: b.x0 + Math.round((k * bw) / n), x1: b.x0 + Math.round(((k + 1) * bw) / n), y0: b.y0, y1: b.y1 });
  }
  return boxes;
}

/** Reads the number printed in a grayscale cell (paper light, print dark). */
export function readNumber(cell: GrayImage, templates: DigitTemplate[]): NumberRead {
  const { ink, contrast } = inkMap(cell);
  if (contrast < 40) return { text: '', digits: [], confidence: 0 };
  const boxes = segmentDigits(ink, cell.width, cell.height);
  const digits: DigitRead[] = [];
  for (const box of boxes) {
    // Tighten the box to the ink it holds (a split piece may carry empty rows).
    const g = normaliseGlyph(ink, cell.width, box);
    const best = new Float64Array(10).fill(-1);
    for (const t of templates) best[t.digit] = Math.max(best[t.digit], glyphCorrelation(g.data, t.data));
    const order = [...best.keys()].sort((a, b) => best[b] - best[a]);
    digits.push({ digit: order[0], score: best[order[0]], margin: best[order[0]] - best[order[1]], box });
  }
  const confidence = digits.length === 0 ? 0 : Math.min(...digits.map((d) => digitConfidence(d.score, d.margin)));
  return { text: digits.map((d) => d.digit).join(''), digits, confidence };
}
