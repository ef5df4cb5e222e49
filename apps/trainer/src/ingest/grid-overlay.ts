// A picture of what the grid detector found (lines drawn over the sheet), for checking ingestion by eye.
import type { GrayImage, RawImage } from '@sig/shared';
import { lineAt } from './ruled-lines.ts';
import type { SheetGrid } from './sheet-grid.ts';

type Rgb = [number, number, number];

function plot(img: RawImage, x: number, y: number, c: Rgb): void {
  const xi = Math.round(x);
  const yi = Math.round(y);
  if (xi < 0 || yi < 0 || xi >= img.width || yi >= img.height) return;
  const i = (yi * img.width + xi) * 3;
  img.data[i] = c[0];
  img.data[i + 1] = c[1];
  img.data[i + 2] = c[2];
}

/** Draws detected lines (red; inferred ones orange) and row labels' cells (green ID boxes) over the sheet. */
export function drawGridOverlay(gray: GrayImage, grid: SheetGrid, labels: string[] = []): RawImage {
  const { width: w, height: h } = gray;
  const img: RawImage = { width: w, height: h, channels: 3, data: new Uint8Array(w * h * 3) };
  // Fade the sheet so the drawn lines stand out.
  for (let i = 0; i < w * h; i++) {
    const v = 128 + (gray.data[i] >> 1);
    img.data[3 * i] = img.data[3 * i + 1] = img.data[3 * i + 2] = v;
  }
  for (const l of grid.horizontal) {
    const c: Rgb = l.support > 0 ? [230, 0, 0] : [255, 150, 0];
    for (let x = 0; x < w; x++) plot(img, x, lineAt(l, x), c);
  }
  for (const l of grid.vertical) {
    const c: Rgb = l.support > 0 ? [230, 0, 0] : [255, 150, 0];
    for (let y = 0; y < h; y++) plot(img, lineAt(l, y), y, c);
  }
  // Row labels as small tick marks: one short green bar per digit of the ID read, so the picture shows the row order.
  grid.rows.forEach((cells, r) => {
    const id = cells[0];
    const label = labels[r] ?? '';
    for (let k = 0; k < label.length; k++)
      for (let d = 0; d < 6; d++) plot(img, id.topLeft.x + 4 + 3 * k, id.topLeft.y + 3 + d, [0, 170, 0]);
  });
  return img;
}
