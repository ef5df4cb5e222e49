// Letter-like glyphs for synthetic signatures: pen control points of cursive lowercase letters and capitals,
// in a y-up frame whose unit is the x-height (baseline y = 0, x-height y = 1). A writer's proportions
// (width, ascender height, loop width...) bend every template, so two writers' "n" differ.

/** Per-writer proportions shared by all of that writer's letters. */
export interface Proportions {
  /** Width of a lowercase letter relative to the x-height. */
  w: number;
  /** Ascender height (l, h, d, t) in x-heights. */
  asc: number;
  /** Descender depth (g, y, f) in x-heights, positive. */
  desc: number;
  /** Width of ascender/descender loops. */
  loop: number;
  /** Capital height in x-heights. */
  cap: number;
}

/** One glyph: the connected pen path, separate pen-down strokes (dots, bars, stems) and its advance width. */
export interface Glyph {
  /** Flat [x0, y0, x1, y1, ...]: enters at (0, 0)-ish from the left, exits on the right. */
  main: number[];
  /** Strokes drawn with the pen lifted from `main` (i dots, t bars, capital stems). */
  extra: number[][];
  width: number;
  /** False when the pen leaves the glyph elsewhere than at its right edge (next glyph starts a new stroke). */
  connects: boolean;
}

type Template = (p: Proportions) => Glyph;

const g = (main: number[], width: number, extra: number[][] = [], connects = true): Glyph => ({ main, extra, width, connects });

// Reusable pieces, written once so similar letters share their shapes.
const bowl = (w: number): number[] => [0.55 * w, 0.85, 0.35 * w, 1, 0.08 * w, 0.6, 0.2 * w, 0.05, 0.45 * w, 0.25];
const ascLoop = (p: Proportions, x: number): number[] => [
  x + 0.1 * p.w, 0.7, x + (0.15 + p.loop) * p.w, p.asc * 0.75, x + 0.12 * p.w + 0.5 * p.loop * p.w, p.asc,
  x, p.asc * 0.85, x - 0.02 * p.w, 0.5,
];
const descLoop = (p: Proportions, x: number): number[] => [
  x, -p.desc * 0.6, x - 0.5 * p.loop * p.w, -p.desc, x - (0.15 + p.loop) * p.w, -p.desc * 0.75, x - 0.05 * p.w, -0.25,
];
const hump = (w: number, x: number): number[] => [x + 0.12 * w, 0.75, x + 0.3 * w, 1, x + 0.44 * w, 0.75, x + 0.44 * w, 0.05];

/** Lowercase cursive letters. */
export const LOWER: Record<string, Template> = {
  a: ({ w }) => g([0, 0, ...bowl(w), 0.6 * w, 0.95, 0.58 * w, 0.2, 0.72 * w, 0, 0.95 * w, 0.25], 0.95 * w),
  b: (p) => g([0, 0, ...ascLoop(p, 0.2 * p.w), 0.22 * p.w, 0.05, 0.5 * p.w, 0.35, 0.62 * p.w, 0.85, 0.45 * p.w, 0.9, 0.55 * p.w, 0.6, 0.85 * p.w, 0.55], 0.85 * p.w),
  c: ({ w }) => g([0, 0, 0.55 * w, 0.9, 0.45 * w, 1, 0.12 * w, 0.65, 0.2 * w, 0.05, 0.5 * w, 0, 0.8 * w, 0.25], 0.8 * w),
  d: (p) => g([0, 0, ...bowl(p.w), 0.64 * p.w, p.asc, 0.6 * p.w, 0.2, 0.72 * p.w, 0, 0.95 * p.w, 0.25], 0.95 * p.w),
  e: ({ w }) => g([0, 0, 0.45 * w, 0.45, 0.42 * w, 0.72, 0.25 * w, 0.78, 0.12 * w, 0.45, 0.25 * w, 0.05, 0.55 * w, 0, 0.75 * w, 0.25], 0.75 * w),
  f: (p) => g([0, 0, ...ascLoop(p, 0.25 * p.w), 0.25 * p.w, -p.desc * 0.7, 0.15 * p.w, -p.desc, 0.1 * p.w, -p.desc * 0.7, 0.35 * p.w, -0.05, 0.65 * p.w, 0.25], 0.65 * p.w),
  g: (p) => g([0, 0, ...bowl(p.w), 0.6 * p.w, 0.95, ...descLoop(p, 0.58 * p.w), 0.6 * p.w, 0.05, 0.9 * p.w, 0.3], 0.9 * p.w),
  h: (p) => g([0, 0, ...ascLoop(p, 0.2 * p.w), 0.22 * p.w, 0, ...hump(p.w, 0.22 * p.w), 0.92 * p.w, 0.25], 0.92 * p.w),
  i: ({ w }) => g([0, 0, 0.3 * w, 1, 0.3 * w, 0.15, 0.45 * w, 0, 0.65 * w, 0.25], 0.65 * w, [[0.34 * w, 1.6, 0.37 * w, 1.63]]),
  k: (p) => g([0, 0, ...ascLoop(p, 0.2 * p.w), 0.22 * p.w, 0, 0.3 * p.w, 0.7, 0.55 * p.w, 0.95, 0.6 * p.w, 0.7, 0.3 * p.w, 0.5, 0.55 * p.w, 0.3, 0.65 * p.w, 0, 0.9 * p.w, 0.25], 0.9 * p.w),
  l: (p) => g([0, 0, ...ascLoop(p, 0.22 * p.w), 0.25 * p.w, 0.05, 0.4 * p.w, 0, 0.6 * p.w, 0.25], 0.6 * p.w),
  m: ({ w }) => g([0, 0, 0.12 * w, 0.7, 0.18 * w, 1, 0.18 * w, 0, ...hump(w, 0.18 * w), ...hump(w, 0.62 * w), 1.3 * w, 0.25], 1.3 * w),
  n: ({ w }) => g([0, 0, 0.12 * w, 0.7, 0.18 * w, 1, 0.18 * w, 0, ...hump(w, 0.18 * w), 0.88 * w, 0.25], 0.88 * w),
  o: ({ w }) => g([0, 0, 0.45 * w, 0.9, 0.25 * w, 1, 0.05 * w, 0.65, 0.15 * w, 0.05, 0.45 * w, 0.15, 0.5 * w, 0.8, 0.38 * w, 0.95, 0.7 * w, 0.88, 0.85 * w, 0.75], 0.85 * w),
  r: ({ w }) => g([0, 0, 0.22 * w, 1, 0.4 * w, 0.85, 0.55 * w, 0.95, 0.55 * w, 0.1, 0.8 * w, 0.25], 0.8 * w),
  s: ({ w }) => g([0, 0, 0.35 * w, 1, 0.5 * w, 0.4, 0.38 * w, 0, 0.18 * w, 0.12, 0.5 * w, 0.05, 0.75 * w, 0.25], 0.75 * w),
  t: (p) => g([0, 0, 0.3 * p.w, p.asc * 0.8, 0.28 * p.w, 0.15, 0.45 * p.w, 0, 0.7 * p.w, 0.25], 0.7 * p.w, [[0.02 * p.w, 1.05, 0.35 * p.w, 1.12, 0.65 * p.w, 1.15]]),
  u: ({ w }) => g([0, 0, 0.2 * w, 1, 0.2 * w, 0.2, 0.38 * w, 0, 0.58 * w, 0.35, 0.65 * w, 1, 0.65 * w, 0.15, 0.78 * w, 0, 0.95 * w, 0.25], 0.95 * w),
  v: ({ w }) => g([0, 0, 0.15 * w, 1, 0.3 * w, 0.1, 0.42 * w, 0, 0.58 * w, 0.7, 0.62 * w, 1, 0.78 * w, 0.9], 0.78 * w),
  w: ({ w }) => g([0, 0, 0.15 * w, 1, 0.22 * w, 0.1, 0.35 * w, 0, 0.5 * w, 0.7, 0.6 * w, 0.05, 0.75 * w, 0.2, 0.85 * w, 1, 1.05 * w, 0.9], 1.05 * w),
  y: (p) => g([0, 0, 0.2 * p.w, 1, 0.2 * p.w, 0.2, 0.38 * p.w, 0, 0.58 * p.w, 0.35, 0.65 * p.w, 1, ...descLoop(p, 0.62 * p.w), 0.7 * p.w, 0.1, 0.95 * p.w, 0.3], 0.95 * p.w),
};

/** Capital letters (height `cap`); most join the following lowercase, some leave the pen elsewhere. */
export const UPPER: Record<string, Template> = {
  A: ({ cap: c }) => g([0, 0, 0.22 * c, 0.55 * c, 0.42 * c, c, 0.52 * c, 0.5 * c, 0.62 * c, 0, 0.8 * c, 0.25], 0.8 * c, [[0.1 * c, 0.4 * c, 0.6 * c, 0.48 * c]]),
  B: ({ cap: c }) => g([0.1 * c, 0.9 * c, 0.5 * c, c, 0.55 * c, 0.75 * c, 0.15 * c, 0.55 * c, 0.6 * c, 0.45 * c, 0.55 * c, 0.1 * c, 0.15 * c, 0, 0.75 * c, 0.2], 0.75 * c, [[0.2 * c, c, 0.15 * c, 0]]),
  C: ({ cap: c }) => g([0.75 * c, 0.8 * c, 0.6 * c, c, 0.3 * c, 0.9 * c, 0.05 * c, 0.5 * c, 0.15 * c, 0.1 * c, 0.45 * c, 0, 0.8 * c, 0.2], 0.8 * c),
  D: ({ cap: c }) => g([0.2 * c, c, 0.15 * c, 0.2 * c, 0, 0.05 * c, 0.15 * c, 0, 0.55 * c, 0.1 * c, 0.8 * c, 0.5 * c, 0.6 * c, 0.9 * c, 0.1 * c, c, -0.05 * c, 0.85 * c], 0.85 * c, [], false),
  H: ({ cap: c }) => g([0, 0.45 * c, 0.35 * c, 0.55 * c, 0.62 * c, c, 0.55 * c, 0, 0.8 * c, 0.2], 0.8 * c, [[0.15 * c, c, 0.1 * c, 0]]),
  J: ({ cap: c }) => g([0.15 * c, 0.8 * c, 0.45 * c, c, 0.45 * c, 0.6 * c, 0.35 * c, -0.35 * c, 0.15 * c, -0.45 * c, 0.05 * c, -0.25 * c, 0.4 * c, 0, 0.7 * c, 0.2], 0.7 * c),
  K: ({ cap: c }) => g([0.7 * c, c, 0.2 * c, 0.45 * c, 0.45 * c, 0.35 * c, 0.6 * c, 0, 0.8 * c, 0.2], 0.8 * c, [[0.2 * c, c, 0.15 * c, 0]]),
  L: ({ cap: c }) => g([0.3 * c, 0.75 * c, 0.45 * c, c, 0.33 * c, 0.95 * c, 0.2 * c, 0.5 * c, 0.12 * c, 0.08 * c, 0, 0, 0.1 * c, -0.06 * c, 0.35 * c, 0.02 * c, 0.75 * c, 0.2], 0.75 * c),
  M: ({ cap: c }) => g([0, 0, 0.1 * c, 0.6 * c, 0.2 * c, c, 0.3 * c, 0.4 * c, 0.35 * c, 0.1 * c, 0.45 * c, 0.6 * c, 0.55 * c, c, 0.6 * c, 0.5 * c, 0.62 * c, 0.05 * c, 0.8 * c, 0.2], 0.8 * c),
  N: ({ cap: c }) => g([0, 0, 0.05 * c, 0.6 * c, 0.15 * c, c, 0.22 * c, 0.5 * c, 0.45 * c, 0, 0.55 * c, 0.6 * c, 0.62 * c, c, 0.75 * c, 0.85 * c], 0.75 * c),
  O: ({ cap: c }) => g([0.5 * c, c, 0.15 * c, 0.8 * c, 0.05 * c, 0.35 * c, 0.35 * c, 0, 0.7 * c, 0.3 * c, 0.65 * c, 0.85 * c, 0.35 * c, c, 0.15 * c, 0.9 * c], 0.8 * c, [], false),
  R: ({ cap: c }) => g([0.1 * c, 0.9 * c, 0.5 * c, c, 0.6 * c, 0.75 * c, 0.15 * c, 0.5 * c, 0.45 * c, 0.3 * c, 0.65 * c, 0, 0.85 * c, 0.15], 0.85 * c, [[0.2 * c, c, 0.12 * c, 0]]),
  S: ({ cap: c }) => g([0.7 * c, 0.9 * c, 0.5 * c, c, 0.2 * c, 0.85 * c, 0.2 * c, 0.6 * c, 0.5 * c, 0.45 * c, 0.6 * c, 0.2 * c, 0.4 * c, 0, 0.1 * c, 0.05 * c, 0.3 * c, 0.05, 0.75 * c, 0.2], 0.75 * c),
  T: ({ cap: c }) => g([0.45 * c, c, 0.38 * c, 0.3 * c, 0.3 * c, 0, 0.12 * c, 0.05 * c, 0.2 * c, 0.1, 0.6 * c, 0.2], 0.6 * c, [[0, 0.92 * c, 0.4 * c, c, 0.8 * c, 1.02 * c]]),
  W: ({ cap: c }) => g([0, c, 0.15 * c, 0, 0.35 * c, 0.7 * c, 0.5 * c, 0, 0.7 * c, c, 0.85 * c, 0.9 * c], 0.85 * c, [], false),
  Z: ({ cap: c }) => g([0.05 * c, 0.9 * c, 0.3 * c, c, 0.7 * c, c, 0.1 * c, 0.02, 0.35 * c, 0.05, 0.8 * c, 0.2], 0.8 * c),
};

/** Letters drawn like vowels and consonants so pseudo-names alternate them the way names do. */
export const VOWELS = ['a', 'e', 'i', 'o', 'u', 'y'];
export const CONSONANTS = ['b', 'c', 'd', 'f', 'g', 'h', 'k', 'l', 'm', 'n', 'r', 's', 't', 'v', 'w'];
export const CAPITALS = Object.keys(UPPER);
