import type { GrayImage } from '../image/types.ts';

/** An axis-aligned pixel rectangle. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface InkBoxOptions {
  /** Components with fewer pixels are specks (dust, JPEG noise). Default: max(6, 0.02% of the image). */
  minArea?: number;
  /**
   * Components lying wholly within this fraction of the width (height) from the left or right (top or
   * bottom) edge are debris of a neighbouring cell's grid line or stroke, not part of the signature.
   * Default 0.03; 0 keeps them.
   */
  borderBand?: number;
}

/**
 * Bounding box of the ink (pixels `<= threshold`), ignoring isolated specks (8-connected components
 * smaller than `minArea`) and debris along the image border. Null when there is no ink left.
 */
export function inkBoundingBox(gray: GrayImage, threshold: number, opts: InkBoxOptions = {}): Box | null {
  const { width, height, data } = gray;
  const n = width * height;
  const minArea = opts.minArea ?? Math.max(6, Math.round(n * 2e-4));
  const band = opts.borderBand ?? 0.03;
  const bandX = Math.round(band * width);
  const bandY = Math.round(band * height);
  const comps = inkRunComponents(data, width, height, threshold);
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let c = 0; c < comps.count; c++) {
    const { area, bx0, bx1, by0, by1 } = comps;
    if (area[c] < minArea) continue;
    const debris =
      bx1[c] < bandX || bx0[c] >= width - bandX || by1[c] < bandY || by0[c] >= height - bandY;
    if (debris) continue;
    if (bx0[c] < x0) x0 = bx0[c];
    if (bx1[c] > x1) x1 = bx1[c];
    if (by0[c] < y0) y0 = by0[c];
    if (by1[c] > y1) y1 = by1[c];
  }
  return x1 < 0 ? null : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** Area and bounding box of each 8-connected ink component (order unspecified), and the runs that make them up. */
export interface ComponentStats {
  count: number;
  area: Int32Array;
  bx0: Int32Array;
  bx1: Int32Array;
  by0: Int32Array;
  by1: Int32Array;
  /** Horizontal ink runs: row, first and last column, and the component each belongs to. */
  runs: { count: number; y: Int32Array; x0: Int32Array; x1: Int32Array; component: Int32Array };
}

/** Union-find root of `i` in `parent`, compressing the path on the way. */
function findRoot(parent: Int32Array, i: number): number {
  let r = i;
  while (parent[r] !== r) r = parent[r];
  while (parent[i] !== r) {
    const next = parent[i];
    parent[i] = r;
    i = next;
  }
  return r;
}

/**
 * 8-connected ink components found over horizontal runs rather than pixels: each row's ink runs are
 * united with the runs of the row above that touch them (overlap or diagonal contact), so union-find
 * works per run and the per-pixel work is one comparison.
 */
export function inkRunComponents(data: Uint8ClampedArray, width: number, height: number, threshold: number): ComponentStats {
  let cap = 256;
  let rx0 = new Int32Array(cap);
  let rx1 = new Int32Array(cap);
  let ry = new Int32Array(cap);
  let parent = new Int32Array(cap);
  let nRuns = 0;
  const find = (i: number): number => findRoot(parent, i);
  let prevStart = 0;
  let prevEnd = 0;
  for (let y = 0; y < height; y++) {
    const o = y * width;
    const rowStart = nRuns;
    let j = prevStart; // first run of the row above that may touch the current run
    for (let x = 0; x < width; ) {
      if (data[o + x] > threshold) {
        x++;
        continue;
      }
      const a = x;
      while (x < width && data[o + x] <= threshold) x++;
      const b = x - 1;
      if (nRuns === cap) {
        cap *= 2;
        const grow = (arr: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
          const out = new Int32Array(cap);
          out.set(arr);
          return out;
        };
        rx0 = grow(rx0);
        rx1 = grow(rx1);
        ry = grow(ry);
        parent = grow(parent);
      }
      const id = nRuns++;
      rx0[id] = a;
      rx1[id] = b;
      ry[id] = y;
      parent[id] = id;
      while (j < prevEnd && rx1[j] < a - 1) j++;
      for (let k = j; k < prevEnd && rx0[k] <= b + 1; k++) {
        const ra = find(id);
        const rb = find(k);
        if (ra !== rb) parent[ra < rb ? rb : ra] = ra < rb ? ra : rb;
      }
    }
    prevStart = rowStart;
    prevEnd = nRuns;
  }
  // Compact component ids per root, then area and bounds.
  const compOf = new Int32Array(nRuns);
  let count = 0;
  for (let i = 0; i < nRuns; i++) {
    const r = find(i);
    compOf[i] = r === i ? count++ : compOf[r];
  }
  const area = new Int32Array(count);
  const bx0 = new Int32Array(count).fill(width);
  const by0 = new Int32Array(count).fill(height);
  const bx1 = new Int32Array(count).fill(-1);
  const by1 = new Int32Array(count).fill(-1);
  for (let i = 0; i < nRuns; i++) {
    const c = compOf[i];
    area[c] += rx1[i] - rx0[i] + 1;
    if (rx0[i] < bx0[c]) bx0[c] = rx0[i];
    if (rx1[i] > bx1[c]) bx1[c] = rx1[i];
    if (ry[i] < by0[c]) by0[c] = ry[i];
    if (ry[i] > by1[c]) by1[c] = ry[i];
  }
  return { count, area, bx0, bx1, by0, by1, runs: { count: nRuns, y: ry, x0: rx0, x1: rx1, component: compOf } };
}

/** 8-connected components of the ink (`<= threshold`): a compact id per pixel (-1 for paper) and the count. */
export function connectedComponents(
  data: Uint8ClampedArray,
  width: number,
  height: number,
  threshold: number,
): { ids: Int32Array; count: number } {
  const n = width * height;
  // Union-find over pixels (two-pass labelling); roots are the smallest index of their component.
  const parent = new Int32Array(n).fill(-1);
  const find = (i: number): number => findRoot(parent, i);
  const union = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[ra < rb ? rb : ra] = ra < rb ? ra : rb;
  };
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      if (data[i] > threshold) continue;
      parent[i] = i;
      if (x > 0 && parent[i - 1] >= 0) union(i, i - 1);
      if (y > 0) {
        const up = i - width;
        if (parent[up] >= 0) union(i, up);
        if (x > 0 && parent[up - 1] >= 0) union(i, up - 1);
        if (x < width - 1 && parent[up + 1] >= 0) union(i, up + 1);
      }
    }
  }
  for (let i = 0; i < n; i++) if (parent[i] >= 0) parent[i] = find(i);
  // Roots come before their members in scan order, so one pass assigns compact ids (encoded as -2 - id
  // while the pass runs, so they cannot be mistaken for pixel indices).
  let count = 0;
  for (let i = 0; i < n; i++) {
    const r = parent[i];
    if (r < 0) continue;
    parent[i] = r === i ? -2 - count++ : parent[r];
  }
  for (let i = 0; i < n; i++) parent[i] = parent[i] === -1 ? -1 : -2 - parent[i];
  return { ids: parent, count };
}
