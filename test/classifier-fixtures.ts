// In-memory toy "writers" for classifier tests: each writer is a few random polylines; each sample jitters
// the points and shifts the whole drawing, so classes are learnable but no two samples are identical.
import { Rng } from '@sig/shared';
import type { ImageSet } from '../apps/trainer/src/train/image-set.ts';

/** `writers` × `perWriter` images of height × width (paper 0, ink 1), groups = sample index. */
export function toyWriters(writers: number, perWriter: number, height: number, width: number, seed = 1): ImageSet {
  const n = writers * perWriter;
  const px = height * width;
  const x = new Float32Array(n * px);
  const y = new Int32Array(n);
  const groups = new Int32Array(n);
  const design = new Rng(seed);
  for (let w = 0; w < writers; w++) {
    const strokes = Array.from({ length: 3 }, () => Array.from({ length: 4 }, () => [design.uniform(0.1, 0.9), design.uniform(0.15, 0.85)] as [number, number]));
    for (let s = 0; s < perWriter; s++) {
      const i = w * perWriter + s;
      const rng = new Rng(seed * 7919 + i);
      const dx = rng.uniform(-0.05, 0.05);
      const dy = rng.uniform(-0.05, 0.05);
      const img = x.subarray(i * px, (i + 1) * px);
      for (const stroke of strokes) {
        const pts = stroke.map(([a, b]) => [a + dx + rng.normal(0, 0.015), b + dy + rng.normal(0, 0.015)]);
        for (let k = 0; k + 1 < pts.length; k++) {
          for (let t = 0; t <= 1; t += 0.02) {
            const cx = (pts[k][0] * (1 - t) + pts[k + 1][0] * t) * width;
            const cy = (pts[k][1] * (1 - t) + pts[k + 1][1] * t) * height;
            for (let oy = -1; oy <= 1; oy++) {
              for (let ox = -1; ox <= 1; ox++) {
                const xx = Math.round(cx + ox);
                const yy = Math.round(cy + oy);
                if (xx >= 0 && xx < width && yy >= 0 && yy < height) img[yy * width + xx] = 1;
              }
            }
          }
        }
      }
      y[i] = w;
      groups[i] = i;
    }
  }
  return { x, y, groups, n, height, width };
}
