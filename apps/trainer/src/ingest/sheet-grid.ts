// The registration sheet's table: rows and columns found from the image's own ruled lines. Each row is
// bounded by two tilted horizontal lines and each column by two tilted vertical lines, so slight skew and
// perspective are followed rather than assumed away.
import type { GrayImage } from '@sig/shared';
import { findHorizontalLines, findVerticalLines, lineAt, type FittedLine } from './ruled-lines.ts';

/** A point in image coordinates. */
export interface Point {
  x: number;
  y: number;
}

/** A table cell as the quadrilateral between two horizontal and two vertical lines. */
export interface CellQuad {
  topLeft: Point;
  topRight: Point;
  bottomLeft: Point;
  bottomRight: Point;
}

/** The detected table. `rows[r][c]`: c = 0 is the ID column, 1..signatureColumns the signature cells. */
export interface SheetGrid {
  width: number;
  height: number;
  horizontal: FittedLine[];
  vertical: FittedLine[];
  /** Lines that were not seen but inferred at the sheet's edge from the regular pitch. */
  inferred: { horizontal: number; vertical: number };
  rows: CellQuad[][];
}

/** Options for {@link detectGrid}. */
export interface GridOptions {
  /** Pixels darker than this are candidate line pixels. */
  threshold: number;
  /** Signature columns right of the ID column. */
  signatureColumns?: number;
}

/** Where horizontal line h meets vertical line v. */
export function intersect(h: FittedLine, v: FittedLine): Point {
  // y = a + b·x, x = c + d·y  →  y = (a + b·c) / (1 − b·d)
  const y = (h.intercept + h.slope * v.intercept) / (1 - h.slope * v.slope);
  return { x: v.intercept + v.slope * y, y };
}

function shifted(l: FittedLine, by: number): FittedLine {
  return { intercept: l.intercept + by, slope: l.slope, support: 0 };
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor(s.length / 2)];
}

/**
 * Makes a regular sequence of lines: drops lines far closer than the pitch to a stronger neighbour, fills
 * gaps that hold whole pitches, and adds one line at each end where the sheet's edge cut the border off.
 */
function regularise(
  lines: FittedLine[],
  mid: number,
  extent: number,
  pitch: number,
  dedupe: boolean,
): { lines: FittedLine[]; inferred: number } {
  const out: FittedLine[] = [];
  for (const l of lines) {
    const prev = out[out.length - 1];
    if (dedupe && prev && lineAt(l, mid) - lineAt(prev, mid) < 0.5 * pitch) {
      if (l.support > prev.support) out[out.length - 1] = l;
      continue;
    }
    out.push(l);
  }
  let inferred = 0;
  const filled: FittedLine[] = [];
  for (let i = 0; i < out.length; i++) {
    if (i > 0) {
      const gap = lineAt(out[i], mid) - lineAt(out[i - 1], mid);
      const k = Math.round(gap / pitch);
      for (let j = 1; j < k; j++) {
        const t = j / k;
        filled.push({
          intercept: out[i - 1].intercept * (1 - t) + out[i].intercept * t,
          slope: out[i - 1].slope * (1 - t) + out[i].slope * t,
          support: 0,
        });
        inferred++;
      }
    }
    filled.push(out[i]);
  }
  if (filled.length > 0) {
    const first = filled[0];
    if (lineAt(first, mid) > 0.7 * pitch) (filled.unshift(shifted(first, -Math.min(pitch, lineAt(first, mid)))), inferred++);
    const last = filled[filled.length - 1];
    const room = extent - 1 - lineAt(last, mid);
    if (room > 0.7 * pitch) (filled.push(shifted(last, Math.min(pitch, room))), inferred++);
  }
  return { lines: filled, inferred };
}

/**
 * Picks the column lines: sigCols + 1 evenly spaced separators (signature cells) and, left of them, the
 * table's left border (or the image edge when the photo cut it off). Lines that fit no slot (a long
 * pen stroke) are ignored; slots no line fits are inferred from the pitch.
 */
function fitColumns(cands: FittedLine[], w: number, h: number, sigCols: number): FittedLine[] {
  const xs = cands.map((l) => lineAt(l, h / 2));
  const gaps = xs.slice(1).map((x, i) => x - xs[i]).filter((g) => g > w / (sigCols + 3) && g <= w / sigCols);
  const pitch = gaps.length > 0 ? median(gaps) : w / (sigCols + 0.4);
  const tol = 0.08 * pitch;
  let best: { score: number; slots: (FittedLine | null)[] } | null = null;
  for (let i = 0; i < cands.length; i++) {
    const slots: (FittedLine | null)[] = [cands[i]];
    let score = cands[i].support;
    for (let k = 1; k <= sigCols; k++) {
      const want = xs[i] + k * pitch;
      let hit: FittedLine | null = null;
      for (let j = 0; j < cands.length; j++)
        if (Math.abs(xs[j] - want) < tol && (!hit || cands[j].support > hit.support)) hit = cands[j];
      // A right border that falls past the image's edge is not held against this hypothesis.
      if (hit) score += hit.support;
      else if (want < w - tol) score -= 0.5;
      slots.push(hit);
    }
    if (!best || score > best.score) best = { score, slots };
  }
  if (!best) return [];
  const lines: FittedLine[] = [];
  const sep = best.slots[0] as FittedLine;
  for (let k = 0; k <= sigCols; k++) {
    const l = best.slots[k];
    const prev = lines[k - 1];
    // An unseen separator runs parallel to its left neighbour, one pitch further (clamped to the image).
    lines.push(l ?? { intercept: Math.min(w - 1 - Math.max(0, prev.slope * h), prev.intercept + pitch), slope: prev.slope, support: 0 });
  }
  // Left border: the nearest line left of the ID separator within about half a pitch, else the image edge.
  const sx = lineAt(sep, h / 2);
  let border: FittedLine | null = null;
  for (let j = 0; j < cands.length; j++)
    if (xs[j] < sx - 0.15 * pitch && xs[j] > sx - 0.6 * pitch && (!border || xs[j] > lineAt(border, h / 2))) border = cands[j];
  return [border ?? { intercept: 0, slope: 0, support: 0 }, ...lines];
}

/** Finds the table's rows and columns in a grayscale sheet photo (paper light, lines dark). */
export function detectGrid(gray: GrayImage, opts: GridOptions): SheetGrid {
  const { width: w, height: h, data } = gray;
  const sigCols = opts.signatureColumns ?? 4;
  const mask = new Uint8Array(w * h);
  for (let i = 0; i < mask.length; i++) mask[i] = data[i] < opts.threshold ? 1 : 0;
  const hRaw = findHorizontalLines(mask, w, h);
  const vRaw = findVerticalLines(mask, w, h);

  const vertical = fitColumns(vRaw, w, h, sigCols);
  const vInferred = vertical.filter((l) => l.support === 0).length;

  // Row pitch from the well-supported lines only (a row of aligned underlines is weaker than the ruling).
  const strong = hRaw.filter((l) => l.support >= 0.75);
  const hy = (strong.length >= 3 ? strong : hRaw).map((l) => lineAt(l, w / 2));
  const rowPitch = median(hy.slice(1).map((y, i) => y - hy[i]).filter((g) => g > 20));
  const { lines: horizontal, inferred: hInf } =
    rowPitch > 0 ? regularise(hRaw, w / 2, h, rowPitch, true) : { lines: hRaw, inferred: 0 };

  const rows: CellQuad[][] = [];
  if (vertical.length === sigCols + 2) {
    for (let r = 0; r + 1 < horizontal.length; r++) {
      const cells: CellQuad[] = [];
      for (let c = 0; c + 1 < vertical.length; c++) {
        cells.push({
          topLeft: intersect(horizontal[r], vertical[c]),
          topRight: intersect(horizontal[r], vertical[c + 1]),
          bottomLeft: intersect(horizontal[r + 1], vertical[c]),
          bottomRight: intersect(horizontal[r + 1], vertical[c + 1]),
        });
      }
      rows.push(cells);
    }
  }
  return { width: w, height: h, horizontal, vertical, inferred: { horizontal: hInf, vertical: vInferred }, rows };
}
