// Signatures do not always stay inside their cell: a loop may hang into the row below. Each connected pen
// stroke of the sheet belongs to the cell holding most of its ink; a cell's picture gets its own strokes
// in full (also where they leave the cell) and loses the strokes that belong to a neighbour. Ink on the
// ruled lines themselves is left out of the strokes (leftover ruling would join everything); a stroke
// crossing a line is joined again from the ink on both sides of it.
import type { GrayImage } from '@sig/shared';
import { components, type Component } from './components.ts';
import type { Box } from './digit-glyph.ts';
import { lineAt } from './ruled-lines.ts';
import type { SheetGrid } from './sheet-grid.ts';

/** Half-width (px) of the band around a fitted line that belongs to the ruling, not to strokes. */
const BAND = 3;
/** Pieces smaller than this are specks; they never pull a crop outside its cell. */
const MIN_STROKE_AREA = 20;
/** Share of a piece's in-cell pixels one cell must hold to own it; below it, signatures touch: nothing moves. */
const OWNER_SHARE = 0.6;

/** The sheet's pen strokes: a label per pixel (−1: paper or ruling) and each stroke's box and size. */
export interface SheetInk {
  width: number;
  height: number;
  labels: Int32Array;
  boxes: Component[];
}

/** Labels the strokes of a sheet whose ruling was erased: ink `<= threshold`, off the grid's line bands. */
export function labelStrokes(sheet: GrayImage, threshold: number, grid: SheetGrid): SheetInk {
  const { width: w, height: h } = sheet;
  const mask = new Uint8Array(w * h);
  for (let i = 0; i < mask.length; i++) mask[i] = sheet.data[i] <= threshold ? 1 : 0;
  for (const l of grid.horizontal)
    for (let x = 0; x < w; x++) {
      const yc = Math.round(lineAt(l, x));
      for (let y = Math.max(0, yc - BAND); y <= Math.min(h - 1, yc + BAND); y++) mask[y * w + x] = 0;
    }
  for (const l of grid.vertical)
    for (let y = 0; y < h; y++) {
      const xc = Math.round(lineAt(l, y));
      for (let x = Math.max(0, xc - BAND); x <= Math.min(w - 1, xc + BAND); x++) mask[y * w + x] = 0;
    }
  const { boxes, labels } = components(mask, w, h);
  // Strokes crossing a line: ink just before and just after the band, in the same or a neighbouring column.
  const parent = boxes.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  const join = (a: number, b: number): void => {
    if (a >= 0 && b >= 0) parent[find(a)] = find(b);
  };
  const at = (x: number, y: number): number => (x >= 0 && y >= 0 && x < w && y < h ? labels[y * w + x] : -1);
  for (const l of grid.horizontal)
    for (let x = 0; x < w; x++) {
      const yc = Math.round(lineAt(l, x));
      const a = at(x, yc - BAND - 1);
      if (a >= 0) for (let dx = -1; dx <= 1; dx++) join(a, at(x + dx, yc + BAND + 1));
    }
  for (const l of grid.vertical)
    for (let y = 0; y < h; y++) {
      const xc = Math.round(lineAt(l, y));
      const a = at(xc - BAND - 1, y);
      if (a >= 0) for (let dy = -1; dy <= 1; dy++) join(a, at(xc + BAND + 1, y + dy));
    }
  // Relabel to the joined strokes.
  const root = new Map<number, number>();
  const merged: Component[] = [];
  const map = boxes.map((_, i) => {
    const r = find(i);
    let k = root.get(r);
    if (k === undefined) {
      k = merged.length;
      root.set(r, k);
      merged.push({ x0: w, y0: h, x1: 0, y1: 0, area: 0 });
    }
    const c = merged[k];
    const b = boxes[i];
    c.x0 = Math.min(c.x0, b.x0);
    c.y0 = Math.min(c.y0, b.y0);
    c.x1 = Math.max(c.x1, b.x1);
    c.y1 = Math.max(c.y1, b.y1);
    c.area += b.area;
    return k;
  });
  for (let i = 0; i < labels.length; i++) if (labels[i] >= 0) labels[i] = map[labels[i]];
  return { width: w, height: h, labels, boxes: merged };
}

/**
 * For each stroke, the index (into `cells`) of the cell box holding at least OWNER_SHARE of its in-cell
 * pixels; −1 when no cell does (signatures of two cells touching: each keeps its own part, nothing moves).
 */
export function assignOwners(ink: SheetInk, cells: Box[]): Int32Array {
  const owner = new Int32Array(ink.boxes.length).fill(-1);
  const best = new Int32Array(ink.boxes.length);
  const total = new Int32Array(ink.boxes.length);
  cells.forEach((box, k) => {
    const count = new Map<number, number>();
    for (let y = box.y0; y < box.y1; y++)
      for (let x = box.x0; x < box.x1; x++) {
        const l = ink.labels[y * ink.width + x];
        if (l >= 0) count.set(l, (count.get(l) ?? 0) + 1);
      }
    for (const [l, n] of count) {
      total[l] += n;
      if (n > best[l]) (best[l] = n), (owner[l] = k);
    }
  });
  for (let l = 0; l < owner.length; l++) if (best[l] < OWNER_SHARE * total[l]) owner[l] = -1;
  return owner;
}

/**
 * The picture of cell `cellIndex`'s signature: `cell` (the sheet inside `box`, already cleaned) with
 * strokes owned by other cells set to paper, grown by the parts of its own strokes that leave the box (at
 * most `reach` pixels on each side). Outside the box only its own strokes are drawn.
 */
export function ownStrokes(
  sheet: GrayImage,
  ink: SheetInk,
  owner: Int32Array,
  cellIndex: number,
  box: Box,
  cell: GrayImage,
  reach: { x: number; y: number },
): GrayImage {
  const own = new Set<number>();
  const foreign = new Set<number>();
  for (let y = box.y0; y < box.y1; y++)
    for (let x = box.x0; x < box.x1; x++) {
      const l = ink.labels[y * ink.width + x];
      if (l < 0 || owner[l] < 0) continue;
      (owner[l] === cellIndex ? own : foreign).add(l);
    }
  let x0 = box.x0, y0 = box.y0, x1 = box.x1, y1 = box.y1;
  for (const l of own) {
    const c = ink.boxes[l];
    if (c.area < MIN_STROKE_AREA) continue;
    x0 = Math.min(x0, Math.max(c.x0, box.x0 - reach.x, 0));
    y0 = Math.min(y0, Math.max(c.y0, box.y0 - reach.y, 0));
    x1 = Math.max(x1, Math.min(c.x1, box.x1 + reach.x, ink.width));
    y1 = Math.max(y1, Math.min(c.y1, box.y1 + reach.y, ink.height));
  }
  const w = x1 - x0;
  const h = y1 - y0;
  const out = new Uint8ClampedArray(w * h).fill(255);
  const ownAt = (sx: number, sy: number): boolean => {
    if (sx < 0 || sy < 0 || sx >= ink.width || sy >= ink.height) return false;
    const l = ink.labels[sy * ink.width + sx];
    return l >= 0 && own.has(l) && ink.boxes[l].area >= MIN_STROKE_AREA;
  };
  // A pixel between own ink on both sides within the band's width (where a stroke crosses a line).
  const bridged = (x: number, y: number): boolean => {
    let up = false, down = false, left = false, right = false;
    for (let d = 1; d <= 2 * BAND + 2; d++) {
      up ||= ownAt(x, y - d);
      down ||= ownAt(x, y + d);
      left ||= ownAt(x - d, y);
      right ||= ownAt(x + d, y);
    }
    return (up && down) || (left && right);
  };
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) {
      const o = (y - y0) * w + (x - x0);
      const s = y * ink.width + x;
      if (x >= box.x0 && x < box.x1 && y >= box.y0 && y < box.y1) {
        const l = ink.labels[s];
        out[o] = l >= 0 && foreign.has(l) ? 255 : cell.data[(y - box.y0) * cell.width + (x - box.x0)];
        continue;
      }
      // Outside: own strokes with a one-pixel rim (their anti-aliased edge), and their crossings of lines.
      let near = false;
      for (let dy = -1; dy <= 1 && !near; dy++) for (let dx = -1; dx <= 1 && !near; dx++) near = ownAt(x + dx, y + dy);
      if (near || (ink.labels[s] < 0 && bridged(x, y))) out[o] = sheet.data[s];
    }
  return { width: w, height: h, data: out };
}
