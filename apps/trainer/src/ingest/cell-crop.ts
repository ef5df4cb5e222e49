// Cutting a table cell out of the sheet: the largest axis-aligned rectangle inside the cell's (slightly
// tilted) quadrilateral, moved in by an inset so the ruled lines themselves stay outside.
import type { GrayImage } from '@sig/shared';
import type { Box } from './digit-glyph.ts';
import type { CellQuad } from './sheet-grid.ts';

/** The rectangle inside `q`, `inset` pixels clear of its four lines, clamped to the image. */
export function innerBox(q: CellQuad, inset: number, width: number, height: number): Box {
  return {
    x0: Math.max(0, Math.ceil(Math.max(q.topLeft.x, q.bottomLeft.x) + inset)),
    x1: Math.min(width, Math.floor(Math.min(q.topRight.x, q.bottomRight.x) - inset + 1)),
    y0: Math.max(0, Math.ceil(Math.max(q.topLeft.y, q.topRight.y) + inset)),
    y1: Math.min(height, Math.floor(Math.min(q.bottomLeft.y, q.bottomRight.y) - inset + 1)),
  };
}

/** Copies a rectangle out of a gray image. */
export function cropGray(g: GrayImage, b: Box): GrayImage {
  const w = Math.max(0, b.x1 - b.x0);
  const h = Math.max(0, b.y1 - b.y0);
  const data = new Uint8ClampedArray(w * h);
  for (let y = 0; y < h; y++) data.set(g.data.subarray((b.y0 + y) * g.width + b.x0, (b.y0 + y) * g.width + b.x0 + w), y * w);
  return { width: w, height: h, data };
}
