// Reference copy (see README.md): the pre-optimisation implementation, kept for equivalence tests.
import type { GrayImage } from '../../../packages/shared/src/image/types.ts';

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
  const label = connectedComponents(data, width, height, threshold);
  const count = label.count;
  const area = new Int32Array(count);
  const bx0 = new Int32Array(count).fill(width);
  const by0 = new Int32Array(count).fill(height);
  const bx1 = new Int32Array(count).fill(-1);
  const by1 = new Int32Array(count).fill(-1);
  const ids = label.ids;
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      const c = ids[i];
      if (c < 0) continue;
      area[c]++;
      if (x < bx0[c]) bx0[c] = x;
      if (x > bx1[c]) bx1[c] = x;
      if (y < by0[c]) by0[c] = y;
      if (y > by1[c]) by1[c] = y;
    }
  }
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let c = 0; c < count; c++) {
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
  const find = (i: number): number => {
    let r = i;
    while (parent[r] !== r) r = parent[r];
    while (parent[i] !== r) {
      const next = parent[i];
      parent[i] = r;
      i = next;
    }
    return r;
  };
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
