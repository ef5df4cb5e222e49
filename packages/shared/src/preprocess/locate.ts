// Finding the one signature in a capture: a tight crop, a loose crop of a form cell with a neighbour's ink
// at its edges, or an image that holds no single signature (blank, a whole form, several signatures).
import type { GrayImage } from '../image/types.ts';
import type { NoSignatureReason } from '../errors.ts';
import { separated, type InkExtent, type RuledLine } from './erased-lines.ts';
import { inkRunComponents, type Box, type ComponentStats } from './ink-box.ts';
import { eraseLinePieces } from './line-pieces.ts';

/** The signature found: its ink box and the image with every other piece of ink painted paper. */
export interface SignatureFound {
  box: Box;
  /** The input with ink outside the signature (a neighbour's strokes, border debris) set to 255; the input itself when none. */
  image: GrayImage;
  /** Ink components (above speck size) that make up the signature. */
  components: number;
  /** Ink components dropped as not the signature's. */
  dropped: number;
}

/** No single signature: the reason's code, a sentence for the user, and the best guess when there is one. */
export interface SignatureRefused {
  refused: NoSignatureReason;
  reason: string;
  /** The most likely signature (lenient callers such as training may still use it); null when there is no ink. */
  guess: SignatureFound | null;
}

export interface LocateOptions {
  /** Components with fewer pixels are specks (dust, JPEG noise). Default: max(6, 0.02 % of the image). */
  minArea?: number;
  /** Ruled lines that were erased (see {@link erasedLines}): ink on the two sides of one is not grouped. */
  lines?: RuledLine[];
}

/** Ink within this many writing heights (ink-weighted median component height) is one signature. */
const SIGNATURE_GAP = 1.0;
/** Words of one line (their heights overlapping by half) within this many writing heights are one signature. */
const WORD_GAP = 2.0;
/** Ink within this many writing heights is one piece (letters of a word), for counting the groups of a form. */
const FINE_GAP = 0.35;
/** Another ink group with at least this share of the signature's ink, clear of the border, is a second signature. */
const RIVAL_SHARE = 0.2;
/** This many signature-sized ink groups or more (pieces or signatures): a form or a page, not one signature. */
const FORM_GROUPS = 4;
/** A page: this many writing-sized pieces (as long as the writing is high, FORM_SHARE of the main piece's ink), clear of the border. */
const PAGE_GROUPS = 6;
const FORM_SHARE = 0.05;
/** Components lying wholly within this fraction of a side from the border are debris of a neighbouring cell. */
const BORDER_BAND = 0.03;
/** The signature's longer side must reach this fraction of the image's longer side; less is specks. */
const MIN_EXTENT = 0.03;
/** The weight of ink across a ruled line from the image's centre (another cell's) against the centre cell's. */
const OTHER_CELL = 0.25;
/** Most components considered for grouping (largest first); the rest are specks on a noisy page. */
const MAX_COMPONENTS = 1500;

/**
 * Locates the signature in a flattened, line-free grey image (`<= threshold` is ink): what is left of ruled
 * lines is erased first (line-pieces.ts); ink components are grouped by distance (relative to the ink's own
 * size, so any resolution works; words side by side on one line up to two heights apart), never across a ruled
 * line (the cells of a form); components touching the border are a neighbour's unless they reach the image's
 * central half (or, where lines show the cells, sit beside the signature in its cell: its clipped end; or, with
 * no lines, the capture is a tight crop that the signature fills to every edge); the group with the most ink,
 * weighted towards the centre and down when a line parts it from the centre (another cell), is the signature.
 * Refuses when there is no ink, when another signature-sized group stands clear of the border in the same cell (several
 * signatures), or when there are many (a whole form).
 */
export function locateSignature(input: GrayImage, threshold: number, opts: LocateOptions = {}): SignatureFound | SignatureRefused {
  const { width, height } = input;
  // What line removal left of the grid (pieces that end short of the border, or touch strokes) goes first,
  // and its lines part cells as the erased ones do.
  const { image: gray, lines: leftover } = eraseLinePieces(input, threshold);
  const comps = inkRunComponents(gray.data, width, height, threshold);
  const minArea = opts.minArea ?? Math.max(6, Math.round(width * height * 2e-4));
  const cx0 = width / 4;
  const cx1 = (3 * width) / 4;
  const cy0 = height / 4;
  const cy1 = (3 * height) / 4;
  const bandX = Math.round(BORDER_BAND * width);
  const bandY = Math.round(BORDER_BAND * height);
  const { area, bx0, bx1, by0, by1 } = comps;
  // Candidates: above speck size, not border debris, and a border-touching piece only when it reaches the centre.
  const touches = new Uint8Array(comps.count);
  let cand: number[] = [];
  const outer: number[] = []; // border pieces away from the centre: a neighbour's, or the signature's clipped end
  for (let c = 0; c < comps.count; c++) {
    if (area[c] < minArea) continue;
    if (bx1[c] < bandX || bx0[c] >= width - bandX || by1[c] < bandY || by0[c] >= height - bandY) continue;
    const edge = bx0[c] === 0 || by0[c] === 0 || bx1[c] === width - 1 || by1[c] === height - 1;
    if (edge && isLeftoverLine(comps, c, width, height)) continue;
    if (edge && (bx1[c] < cx0 || bx0[c] > cx1 || by1[c] < cy0 || by0[c] > cy1)) {
      outer.push(c);
      continue;
    }
    touches[c] = edge ? 1 : 0;
    cand.push(c);
  }
  if (cand.length === 0) return { refused: 'no-ink', reason: 'no ink found: the image looks blank', guess: null };
  if (cand.length > MAX_COMPONENTS) cand = cand.sort((a, b) => area[b] - area[a]).slice(0, MAX_COMPONENTS);
  // Two groupings: pieces within a third of the writing's height (letters, words of a line) to count the
  // separate groups of a form; pieces within a whole height (an initial before a surname, a second line)
  // to decide what is one signature.
  const height0 = weightedMedianHeight(comps, cand);
  const lines = [...(opts.lines ?? []), ...leftover];
  const centres = lines.length ? inkCentres(comps) : null;
  const fine = groupByGap(comps, cand, Math.max(2, FINE_GAP * height0), lines, centres);
  const coarse = groupByGap(comps, cand, Math.max(2, SIGNATURE_GAP * height0), lines, centres, WORD_GAP * height0);
  const clear = (g: Group): boolean => !g.members.some((c) => touches[c]);
  // The capture is centred on its cell more or less: ink across a ruled line from the image's centre is in
  // another cell (a neighbour's), and counts for less than the same ink in the centre's cell.
  const middle: InkExtent = { x0: width / 2, x1: width / 2, y0: height / 2, y1: height / 2, cx: width / 2, cy: height / 2 };
  const weight = (g: Group): number => score(g, width, height) * (lines.length && separated(lines, g, middle) ? OTHER_CELL : 1);
  const mainOf = (groups: Group[]): Group => groups.reduce((best, g) => (weight(g) > weight(best) ? g : best));
  const fineMain = mainOf(fine);
  const main = mainOf(coarse);
  // Pieces of writing in the signature's own cell (across a ruled line they are a neighbour's; a whole form
  // still shows as many writing-sized pieces, `sizable`, wherever they are).
  const pieces = fine.filter((g) => g !== fineMain && g.mass >= RIVAL_SHARE * fineMain.mass && clear(g) && !separated(lines, fineMain, g)).length + 1;
  const sizable = fine.filter((g) => clear(g) && Math.max(g.x1 - g.x0, g.y1 - g.y0) + 1 >= height0 && g.mass >= FORM_SHARE * fineMain.mass).length;
  // Ink across a ruled line from the signature is another cell's (a neighbour's), not a second signature.
  const rivals = coarse.filter((g) => g !== main && g.mass >= RIVAL_SHARE * main.mass && clear(g) && !separated(lines, main, g)).length;
  if (centres) attachClipped(comps, centres, main, outer, Math.max(2, SIGNATURE_GAP * height0), lines);
  else attachTightCrop(comps, main, outer, Math.max(2, SIGNATURE_GAP * height0), width, height);
  const guess = found(gray, comps, main);
  if (Math.max(main.x1 - main.x0 + 1, main.y1 - main.y0 + 1) < MIN_EXTENT * Math.max(width, height)) {
    return { refused: 'no-ink', reason: 'no signature found: only specks of ink', guess: null };
  }
  if (pieces >= FORM_GROUPS || sizable >= PAGE_GROUPS || rivals + 1 >= FORM_GROUPS) {
    return { refused: 'whole-form', reason: `${Math.max(pieces, sizable, rivals + 1)} separate groups of ink: this looks like a whole form or page; crop one signature`, guess };
  }
  if (rivals > 0) {
    return { refused: 'several-signatures', reason: `${rivals + 1} separate signatures in one image; crop one signature`, guess };
  }
  return guess;
}

/** A leftover ruled line runs along at least this fraction of a side... */
const LINE_SPAN = 0.5;
/** ...and is on average no thicker than this fraction of the shorter side (at least 4 px). */
const LINE_THICKNESS = 0.04;
/** A frame corner covers at most this share of its bounding box. */
const FRAME_FILL = 0.05;
/** ...and has at least this share of its ink along the sides of its box. */
const FRAME_ALONG = 0.8;

/**
 * A ruled line that line removal left (bent by a keystoned photo, ending short of a border): a component
 * touching the border that runs straight along half a side or more and is on average only a few pixels
 * thick. An underline of the signature does not reach the border of its crop.
 */
function isLeftoverLine(comps: ComponentStats, c: number, width: number, height: number): boolean {
  const w = comps.bx1[c] - comps.bx0[c] + 1;
  const h = comps.by1[c] - comps.by0[c] + 1;
  const thick = Math.max(4, LINE_THICKNESS * Math.min(width, height));
  // Straight: across its length it drifts no more than a 4° skew would take it.
  const straight = (along: number, across: number): boolean => across <= 0.07 * along + 2 * thick;
  const horizontal = w >= LINE_SPAN * width && straight(w, h) && comps.area[c] <= w * thick;
  const vertical = h >= LINE_SPAN * height && straight(h, w) && comps.area[c] <= h * thick;
  // A corner of the cell's frame (a horizontal and a vertical line joined): thin arms along both sides.
  const frame = w >= LINE_SPAN * width && h >= LINE_SPAN * height && comps.area[c] <= (w + h) * thick && comps.area[c] < FRAME_FILL * w * h && alongBoxEdges(comps, c, thick);
  return horizontal || vertical || frame;
}

/** A frame's corner lies along its own box: most of its ink within `thick` of the box's sides (a sprawling signature's does not). */
function alongBoxEdges(comps: ComponentStats, c: number, thick: number): boolean {
  const x0 = comps.bx0[c], x1 = comps.bx1[c], y0 = comps.by0[c], y1 = comps.by1[c];
  const { runs } = comps;
  let near = 0;
  for (let r = 0; r < runs.count; r++) {
    if (runs.component[r] !== c) continue;
    const len = runs.x1[r] - runs.x0[r] + 1;
    if (runs.y[r] - y0 < thick || y1 - runs.y[r] < thick) {
      near += len;
      continue;
    }
    // Pixels of the run within `thick` of the left or right side.
    near += Math.max(0, Math.min(runs.x1[r], x0 + thick - 1) - runs.x0[r] + 1) + Math.max(0, runs.x1[r] - Math.max(runs.x0[r], x1 - thick + 1) + 1);
  }
  return near >= FRAME_ALONG * comps.area[c];
}

/** A group of components: their ink, bounding box and ink-weighted centre. */
interface Group extends InkExtent {
  members: number[];
  mass: number;
}

/** Each component's ink-weighted centre (x and y interleaved), from its runs. */
function inkCentres(comps: ComponentStats): Float64Array {
  const sums = new Float64Array(2 * comps.count);
  const { runs } = comps;
  for (let r = 0; r < runs.count; r++) {
    const c = runs.component[r];
    const len = runs.x1[r] - runs.x0[r] + 1;
    sums[2 * c] += (len * (runs.x0[r] + runs.x1[r])) / 2;
    sums[2 * c + 1] += len * runs.y[r];
  }
  for (let c = 0; c < comps.count; c++) {
    sums[2 * c] /= comps.area[c];
    sums[2 * c + 1] /= comps.area[c];
  }
  return sums;
}

/** Height of the components, the median weighted by ink: the size of the strokes that carry the writing. */
function weightedMedianHeight(comps: ComponentStats, cand: number[]): number {
  const byHeight = cand.map((c) => [comps.by1[c] - comps.by0[c] + 1, comps.area[c]] as const).sort((a, b) => a[0] - b[0]);
  const total = byHeight.reduce((s, [, a]) => s + a, 0);
  let acc = 0;
  for (const [h, a] of byHeight) if ((acc += a) * 2 >= total) return h;
  return byHeight[byHeight.length - 1][0];
}

/**
 * Components whose boxes come within `gap` pixels of each other (in both axes) and have no ruled line between
 * them (a cell's edge) are one group, transitively.
 */
function groupByGap(comps: ComponentStats, cand: number[], gap: number, lines: RuledLine[], centres: Float64Array | null, wordGap = gap): Group[] {
  const { area, bx0, bx1, by0, by1 } = comps;
  const n = cand.length;
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  // Sweep in x: only pairs whose x-ranges come within `gap` are compared.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => bx0[cand[a]] - bx0[cand[b]]);
  for (let i = 0; i < n; i++) {
    const a = cand[order[i]];
    for (let j = i + 1; j < n; j++) {
      const b = cand[order[j]];
      const dx = bx0[b] - bx1[a];
      if (dx > Math.max(gap, wordGap)) break;
      const dy = Math.max(by0[b] - by1[a], by0[a] - by1[b]);
      // Words of one line (a first name and a surname) sit side by side, their heights overlapping, further apart than letters.
      const sameLine = -dy * 2 >= Math.min(by1[a] - by0[a], by1[b] - by0[b]) + 1;
      if (dy > gap || dx > (sameLine ? wordGap : gap)) continue;
      if (centres && separated(lines, extent(comps, centres, a), extent(comps, centres, b))) continue;
      const ra = find(order[i]);
      const rb = find(order[j]);
      if (ra !== rb) parent[ra] = rb;
    }
  }
  const byRoot = new Map<number, Group>();
  for (let i = 0; i < n; i++) {
    const c = cand[i];
    const r = find(i);
    let g = byRoot.get(r);
    if (!g) byRoot.set(r, (g = { members: [], mass: 0, x0: Infinity, x1: -1, y0: Infinity, y1: -1, cx: 0, cy: 0 }));
    g.members.push(c);
    g.mass += area[c];
    g.x0 = Math.min(g.x0, bx0[c]);
    g.x1 = Math.max(g.x1, bx1[c]);
    g.y0 = Math.min(g.y0, by0[c]);
    g.y1 = Math.max(g.y1, by1[c]);
    g.cx += (area[c] * (bx0[c] + bx1[c])) / 2;
    g.cy += (area[c] * (by0[c] + by1[c])) / 2;
  }
  const groups = [...byRoot.values()];
  for (const g of groups) {
    g.cx /= g.mass;
    g.cy /= g.mass;
  }
  return groups;
}

/**
 * A capture's edge may cut through the signature itself: where ruled lines show the cells, a border piece
 * within `gap` of the signature and in its cell (no line between them) is its clipped end, added to `g`.
 */
function attachClipped(comps: ComponentStats, centres: Float64Array, g: Group, outer: number[], gap: number, lines: RuledLine[]): void {
  const { area, bx0, bx1, by0, by1 } = comps;
  for (let grown = true; grown; ) {
    grown = false;
    for (const c of outer) {
      if (g.members.includes(c) || flatThin(comps, c)) continue;
      const dx = Math.max(bx0[c] - g.x1, g.x0 - bx1[c]);
      const dy = Math.max(by0[c] - g.y1, g.y0 - by1[c]);
      if (dx > gap || dy > gap || separated(lines, g, extent(comps, centres, c))) continue;
      const mass = g.mass + area[c];
      g.cx = (g.cx * g.mass + centres[2 * c] * area[c]) / mass;
      g.cy = (g.cy * g.mass + centres[2 * c + 1] * area[c]) / mass;
      g.mass = mass;
      g.x0 = Math.min(g.x0, bx0[c]);
      g.x1 = Math.max(g.x1, bx1[c]);
      g.y0 = Math.min(g.y0, by0[c]);
      g.y1 = Math.max(g.y1, by1[c]);
      g.members.push(c);
      grown = true;
    }
  }
}

/**
 * Without ruled lines the border pieces are a neighbour's, unless the capture is a tight crop of the signature:
 * then its edges cut the signature's own first or last letters, loops and descenders. The clipped pieces within
 * `gap` of `g` are added to it when, with them, the signature reaches every edge of the image (within the border
 * band); a loose crop, where paper lies between the signature and an edge, keeps them out.
 */
function attachTightCrop(comps: ComponentStats, g: Group, outer: number[], gap: number, width: number, height: number): void {
  if (outer.length === 0) return;
  const trial: Group = { ...g, members: [...g.members] };
  attachClipped(comps, inkCentres(comps), trial, outer, gap, []);
  const bandX = Math.max(2, Math.round(BORDER_BAND * width));
  const bandY = Math.max(2, Math.round(BORDER_BAND * height));
  const tight = trial.x0 <= bandX && trial.x1 >= width - 1 - bandX && trial.y0 <= bandY && trial.y1 >= height - 1 - bandY;
  if (tight && trial.members.length > g.members.length) Object.assign(g, trial);
}

/** A straight thin piece (a stub of a ruled line along the border), not letters: 3 px thick or less, 7 times as long. */
function flatThin(comps: ComponentStats, c: number): boolean {
  const long = Math.max(comps.bx1[c] - comps.bx0[c], comps.by1[c] - comps.by0[c]) + 1;
  const short = Math.min(comps.bx1[c] - comps.bx0[c], comps.by1[c] - comps.by0[c]) + 1;
  return comps.area[c] <= 3 * long && short * 7 <= long;
}

/** Component `c`'s box and ink centre. */
function extent(comps: ComponentStats, centres: Float64Array, c: number): InkExtent {
  return { x0: comps.bx0[c], x1: comps.bx1[c], y0: comps.by0[c], y1: comps.by1[c], cx: centres[2 * c], cy: centres[2 * c + 1] };
}

/** Ink weighted towards the centre: a group at a corner counts half as much as the same ink in the middle. */
function score(g: Group, width: number, height: number): number {
  const dx = (g.cx - width / 2) / (width / 2);
  const dy = (g.cy - height / 2) / (height / 2);
  return g.mass * (1 - 0.5 * Math.min(1, Math.hypot(dx, dy) / Math.SQRT2));
}

/**
 * The group as the signature: its box, and the image with other ink inside that box's neighbourhood painted
 * paper (specks inside the box are kept, as they were before: a dot of an i is ink of the signature).
 */
function found(gray: GrayImage, comps: ComponentStats, g: Group): SignatureFound {
  const box: Box = { x: g.x0, y: g.y0, width: g.x1 - g.x0 + 1, height: g.y1 - g.y0 + 1 };
  const keep = new Uint8Array(comps.count);
  for (const c of g.members) keep[c] = 1;
  // Components wholly inside the box (specks, small marks) stay; anything reaching outside it that is not
  // the signature's is someone else's ink (a neighbour's stroke, a grid remnant).
  const { bx0, bx1, by0, by1 } = comps;
  let dropped = 0;
  for (let c = 0; c < comps.count; c++) {
    if (keep[c]) continue;
    if (bx0[c] >= box.x && bx1[c] < box.x + box.width && by0[c] >= box.y && by1[c] < box.y + box.height) keep[c] = 1;
    else dropped++;
  }
  if (dropped === 0) return { box, image: gray, components: g.members.length, dropped };
  const data = gray.data.slice();
  const { runs } = comps;
  for (let r = 0; r < runs.count; r++) {
    if (keep[runs.component[r]]) continue;
    data.fill(255, runs.y[r] * gray.width + runs.x0[r], runs.y[r] * gray.width + runs.x1[r] + 1);
  }
  return { box, image: { width: gray.width, height: gray.height, data }, components: g.members.length, dropped };
}
