// The ruled lines that line removal erased, as straight lines, and which side of them ink lies on: a grid
// line between two pieces of ink means they sit in different cells of a form (a neighbour's signature).
import type { GrayImage } from '../image/types.ts';
import { inkRunComponents, type ComponentStats } from './ink-box.ts';

/** A straight ruled line: `horizontal` means y = a + b·x, otherwise x = a + b·y. */
export interface RuledLine {
  horizontal: boolean;
  a: number;
  b: number;
}

/** Inclusive pixel bounds and the ink-weighted centre of a piece or group of ink. */
export interface InkExtent {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  cx: number;
  cy: number;
}

/** Shortest erased line, end to end (its pieces together), as a fraction of the side it runs along. */
const MIN_LINE_SPAN = 0.5;
/** ...of which at least this fraction of the side is erased ink (the rest: strokes crossing it, faint stretches). */
const MIN_LINE_COVER = 0.3;
/** Erased pixels in a run of at least this many along a direction belong to a line in that direction. */
const MIN_RUN = 5;
/** Shortest erased piece, as a fraction of the side, that may be part of a line (shorter: a stroke's stub). */
const MIN_PIECE = 0.05;
/**
 * Pieces of one line lie within this many pixels of each other's fitted line at their ends, plus DRIFT per
 * pixel of distance from the longer piece (a short piece's fitted slope is rough, and photographed lines bend).
 */
const COLLINEAR = 3;
const DRIFT = 0.03;

/**
 * The ruled lines line removal erased, as straight lines: the pixels that differ between the image before
 * and after removal, in connected pieces along one direction; pieces on one straight line (a line is broken
 * wherever a stroke crosses it, since crossings are kept) are joined, and a line that runs along most of a
 * side is fitted by least squares through all its pieces.
 */
export function erasedLines(before: GrayImage, after: GrayImage): RuledLine[] {
  const { width, height } = before;
  const n = width * height;
  // Erased pixels, split by direction: in a horizontal run of MIN_RUN or more (horizontal lines) or in a
  // vertical one (vertical lines), so crossing lines do not merge into one piece.
  const across = new Uint8ClampedArray(n).fill(255);
  const down = new Uint8ClampedArray(n).fill(255);
  let any = false;
  for (let y = 0; y < height; y++) {
    for (let x = 0, o = y * width; x < width; ) {
      if (before.data[o + x] === after.data[o + x]) {
        x++;
        continue;
      }
      const x0 = x;
      while (x < width && before.data[o + x] !== after.data[o + x]) x++;
      if (x - x0 >= MIN_RUN) across.fill(0, o + x0, o + x);
      any = true;
    }
  }
  if (!any) return [];
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; ) {
      if (before.data[y * width + x] === after.data[y * width + x]) {
        y++;
        continue;
      }
      const y0 = y;
      while (y < height && before.data[y * width + x] !== after.data[y * width + x]) y++;
      if (y - y0 >= MIN_RUN) for (let k = y0; k < y; k++) down[k * width + x] = 0;
    }
  }
  const lines: RuledLine[] = [];
  for (const horizontal of [true, false]) {
    const comps = inkRunComponents(horizontal ? across : down, width, height, 0);
    const side = horizontal ? width : height;
    const all = Array.from({ length: comps.count }, (_, c) => c);
    for (const l of joinCollinear(comps, all, horizontal, Math.max(MIN_RUN, MIN_PIECE * side))) {
      if (l.u1 - l.u0 + 1 >= MIN_LINE_SPAN * side && l.cover >= MIN_LINE_COVER * side) lines.push(fitLine(comps, l.members, horizontal));
    }
  }
  return lines;
}

/**
 * Components `cs` (pieces of lines along one direction) at least `minSpan` long, joined where they lie on
 * one straight line: longest first, each piece joins the first longer line it continues, judged by both
 * fits at its ends.
 */
export function joinCollinear(comps: ComponentStats, cs: number[], horizontal: boolean, minSpan: number): Piece[] {
  const pieces: Piece[] = [];
  for (const c of cs) {
    const [u0, u1] = horizontal ? [comps.bx0[c], comps.bx1[c]] : [comps.by0[c], comps.by1[c]];
    if (u1 - u0 + 1 < minSpan) continue;
    pieces.push({ members: [c], line: fitLine(comps, [c], horizontal), u0, u1, cover: u1 - u0 + 1 });
  }
  pieces.sort((p, q) => q.cover - p.cover);
  const joined: Piece[] = [];
  const near = (q: Piece, u: number) => COLLINEAR + DRIFT * Math.max(0, q.u0 - u, u - q.u1);
  for (const p of pieces) {
    const on = joined.find((q) => [p.u0, p.u1].every((u) => Math.abs(at(q.line, u) - at(p.line, u)) <= near(q, u)));
    if (!on) {
      joined.push(p);
      continue;
    }
    on.members.push(...p.members);
    on.u0 = Math.min(on.u0, p.u0);
    on.u1 = Math.max(on.u1, p.u1);
    on.cover += p.cover;
  }
  return joined;
}

/** Pieces of ink along one direction that lie on one straight line. */
export interface Piece {
  members: number[];
  line: RuledLine;
  /** Extent along the line's direction, inclusive. */
  u0: number;
  u1: number;
  /** Pixels along the line covered by the pieces (the sum of their spans). */
  cover: number;
}

/** The line's position across its direction at `u` along it. */
export const at = (l: RuledLine, u: number): number => l.a + l.b * u;

/** Least-squares line through the pixels of components `cs` (y on x for horizontal lines, x on y otherwise). */
export function fitLine(comps: ComponentStats, cs: number[], horizontal: boolean): RuledLine {
  const { runs } = comps;
  const member = new Set(cs);
  let n = 0, su = 0, sv = 0, suu = 0, suv = 0;
  for (let r = 0; r < runs.count; r++) {
    if (!member.has(runs.component[r])) continue;
    const len = runs.x1[r] - runs.x0[r] + 1;
    const xc = (runs.x0[r] + runs.x1[r]) / 2;
    const u = horizontal ? xc : runs.y[r];
    const v = horizontal ? runs.y[r] : xc;
    n += len;
    su += len * u;
    sv += len * v;
    // A run's pixels spread along x: for a horizontal line that spread is part of u's variance (leaving it
    // out would steepen the fit of a thick, shallow line whose runs are long).
    suu += len * u * u + (horizontal ? (len * (len * len - 1)) / 12 : 0);
    suv += len * u * v;
  }
  const vu = suu - (su * su) / n;
  const b = vu > 1e-9 ? (suv - (su * sv) / n) / vu : 0;
  return { horizontal, a: (sv - b * su) / n, b };
}

/**
 * Which side of the line the ink lies on: ±1 when its box is wholly on one side, else the side of its
 * ink-weighted centre (a neighbour's descender that crosses the cell's edge still belongs to its cell), 0
 * when the centre is on the line.
 */
export function sideOf(l: RuledLine, e: InkExtent): number {
  const [u0, u1, v0, v1, uc, vc] = l.horizontal ? [e.x0, e.x1, e.y0, e.y1, e.cx, e.cy] : [e.y0, e.y1, e.x0, e.x1, e.cy, e.cx];
  const a0 = at(l, u0);
  const a1 = at(l, u1);
  if (v0 > Math.max(a0, a1)) return 1;
  if (v1 < Math.min(a0, a1)) return -1;
  return Math.sign(vc - at(l, uc));
}

/** True when one of the ruled lines passes between the two pieces of ink (each on its own side of it). */
export function separated(lines: RuledLine[], p: InkExtent, q: InkExtent): boolean {
  for (const l of lines) {
    const sp = sideOf(l, p);
    if (sp !== 0 && sp === -sideOf(l, q)) return true;
  }
  return false;
}
