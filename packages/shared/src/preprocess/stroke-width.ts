import type { GrayImage } from '../image/types.ts';
import { scratchI32 } from './scratch.ts';

/**
 * Typical pen-stroke width in pixels: the median over ink pixels (`<= threshold`) of the shorter of the
 * horizontal and vertical ink runs through the pixel. A photo taken closer or a crop upscaled 2–4× has
 * proportionally wider strokes (and ruled lines), which the line remover's thickness limit and the ink
 * grouping read in pixels; 0 when there is no ink.
 */
export function strokeWidth(gray: GrayImage, threshold: number): number {
  const { width: w, height: h, data } = gray;
  const across = scratchI32('stroke.across', w * h); // horizontal run length through each ink pixel
  for (let y = 0; y < h; y++) {
    for (let x = 0, o = y * w; x < w; ) {
      if (data[o + x] > threshold) {
        x++;
        continue;
      }
      const a = x;
      while (x < w && data[o + x] <= threshold) x++;
      across.fill(x - a, o + a, o + x);
    }
  }
  const hist = new Uint32Array(257);
  let n = 0;
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; ) {
      if (data[y * w + x] > threshold) {
        y++;
        continue;
      }
      const a = y;
      while (y < h && data[y * w + x] <= threshold) y++;
      for (let k = a; k < y; k++) hist[Math.min(256, y - a, across[k * w + x])]++;
      n += y - a;
    }
  }
  for (let v = 0, acc = 0; v < hist.length; v++) if ((acc += hist[v]) * 2 >= n && n > 0) return v;
  return 0;
}
