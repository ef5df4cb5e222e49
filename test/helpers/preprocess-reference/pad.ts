// Frozen copy of packages/shared/src/preprocess/pad.ts before crop, pad and resize became one pass (resizeGrayWindow).
import type { FloatImage } from '../../../packages/shared/src/image/types.ts';
import type { Box } from './ink-box.ts';

/** The region `box` of `img`; parts outside the image are filled with `fill`. */
export function cropFloat(img: FloatImage, box: Box, fill = 0): FloatImage {
  const out = new Float32Array(box.width * box.height).fill(fill);
  const x0 = Math.max(0, box.x);
  const x1 = Math.min(img.width, box.x + box.width);
  for (let y = Math.max(0, box.y); y < Math.min(img.height, box.y + box.height); y++) {
    if (x1 <= x0) break;
    const src = y * img.width;
    out.set(img.data.subarray(src + x0, src + x1), (y - box.y) * box.width + (x0 - box.x));
  }
  return { width: box.width, height: box.height, data: out };
}

/** Box grown on every side by `margin` pixels. */
export function growBox(box: Box, margin: number): Box {
  const m = Math.round(margin);
  return { x: box.x - m, y: box.y - m, width: box.width + 2 * m, height: box.height + 2 * m };
}

/** Centres `img` on a canvas with the aspect ratio width/height = `aspect`, filled with `fill`. */
export function padToAspect(img: FloatImage, aspect: number, fill = 0): FloatImage {
  let w = img.width;
  let h = img.height;
  if (w / h > aspect) h = Math.round(w / aspect);
  else w = Math.round(h * aspect);
  if (w === img.width && h === img.height) return img;
  return cropFloat(img, { x: -Math.floor((w - img.width) / 2), y: -Math.floor((h - img.height) / 2), width: w, height: h }, fill);
}
