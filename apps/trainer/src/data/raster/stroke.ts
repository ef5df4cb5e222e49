// Anti-aliased, variable-width pen strokes on a coverage canvas, in plain typed arrays (no canvas library):
// each segment between consecutive path samples is a tapered capsule whose edge is blurred over one pixel.
import type { Path } from './spline.ts';

/** Ink coverage in [0, 1] per pixel, row-major; 0 is bare paper. */
export interface Coverage {
  width: number;
  height: number;
  data: Float32Array;
}

export function newCoverage(width: number, height: number): Coverage {
  return { width, height, data: new Float32Array(width * height) };
}

/**
 * Draws `path` (pixel coordinates, y down) with pen radius `radius[i]` and ink opacity `alpha[i]` at each
 * sample. Overlaps keep the darker value (a pen retracing its line does not darken it twice).
 */
export function drawStroke(cov: Coverage, path: Path, radius: ArrayLike<number>, alpha: ArrayLike<number>): void {
  const { xs, ys } = path;
  const n = xs.length;
  if (n === 1) {
    drawSegment(cov, xs[0], ys[0], xs[0], ys[0], radius[0], radius[0], alpha[0], alpha[0]);
    return;
  }
  for (let i = 0; i + 1 < n; i++) {
    drawSegment(cov, xs[i], ys[i], xs[i + 1], ys[i + 1], radius[i], radius[i + 1], alpha[i], alpha[i + 1]);
  }
}

function drawSegment(
  cov: Coverage,
  x0: number, y0: number, x1: number, y1: number,
  r0: number, r1: number, a0: number, a1: number,
): void {
  const { width: w, height: h, data } = cov;
  const rmax = Math.max(r0, r1) + 1;
  const minX = Math.max(0, Math.floor(Math.min(x0, x1) - rmax));
  const maxX = Math.min(w - 1, Math.ceil(Math.max(x0, x1) + rmax));
  const minY = Math.max(0, Math.floor(Math.min(y0, y1) - rmax));
  const maxY = Math.min(h - 1, Math.ceil(Math.max(y0, y1) + rmax));
  const dx = x1 - x0, dy = y1 - y0;
  const len2 = dx * dx + dy * dy;
  for (let py = minY; py <= maxY; py++) {
    const cy = py + 0.5;
    for (let px = minX; px <= maxX; px++) {
      const cx = px + 0.5;
      let t = len2 > 0 ? ((cx - x0) * dx + (cy - y0) * dy) / len2 : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = x0 + t * dx - cx, ey = y0 + t * dy - cy;
      const d = Math.sqrt(ex * ex + ey * ey);
      const r = r0 + (r1 - r0) * t;
      let c = r - d + 0.5; // distance-based coverage: a one-pixel linear ramp across the edge
      if (c <= 0) continue;
      if (c > 1) c = 1;
      // A pen thinner than a pixel covers only part of it even at its centre.
      if (r < 0.5) c *= 2 * r;
      const v = c * (a0 + (a1 - a0) * t);
      const k = py * w + px;
      if (v > data[k]) data[k] = v;
    }
  }
}
