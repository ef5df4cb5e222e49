// Connected components of a binary mask (8-connected), for digit segmentation and ruling remnants.
import type { Box } from './digit-glyph.ts';

/** A connected component's bounding box (end-exclusive) and pixel count. */
export interface Component extends Box {
  area: number;
}

/** 8-connected components of mask (w×h): their boxes and a label per pixel (index into boxes, −1 off the mask). */
export function components(mask: Uint8Array, w: number, h: number): { boxes: Component[]; labels: Int32Array } {
  const labels = new Int32Array(w * h).fill(-1);
  const seen = new Uint8Array(w * h);
  const out: Component[] = [];
  const stack: number[] = [];
  for (let s = 0; s < w * h; s++) {
    if (!mask[s] || seen[s]) continue;
    const c: Component = { x0: w, y0: h, x1: 0, y1: 0, area: 0 };
    seen[s] = 1;
    stack.push(s);
    while (stack.length > 0) {
      const i = stack.pop() as number;
      const x = i % w;
      const y = (i - x) / w;
      labels[i] = out.length;
      c.area++;
      c.x0 = Math.min(c.x0, x);
      c.y0 = Math.min(c.y0, y);
      c.x1 = Math.max(c.x1, x + 1);
      c.y1 = Math.max(c.y1, y + 1);
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
          const j = ny * w + nx;
          if (mask[j] && !seen[j]) (seen[j] = 1), stack.push(j);
        }
    }
    out.push(c);
  }
  return { boxes: out, labels };
}

