// Smooth pen paths through control points: centripetal Catmull–Rom, which passes through every point
// without the cusps and self-loops the uniform variant makes at uneven spacing.

/** A path as parallel coordinate arrays. */
export interface Path {
  xs: Float64Array;
  ys: Float64Array;
}

/** Samples the spline through (xs[i], ys[i]) at roughly `step` units apart (ends included). */
export function catmullRom(xs: ArrayLike<number>, ys: ArrayLike<number>, step: number): Path {
  // Drop repeated points: a zero-length chord has no tangent.
  const px: number[] = [], py: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    const n = px.length;
    if (n > 0 && Math.hypot(xs[i] - px[n - 1], ys[i] - py[n - 1]) < 1e-6) continue;
    px.push(xs[i]);
    py.push(ys[i]);
  }
  const n = px.length;
  if (n < 2) return { xs: Float64Array.from(px), ys: Float64Array.from(py) };
  const ox: number[] = [], oy: number[] = [];
  for (let i = 0; i < n - 1; i++) {
    // Phantom end points mirror the neighbour so the path starts and ends along its first/last chord.
    const x0 = i > 0 ? px[i - 1] : 2 * px[0] - px[1], y0 = i > 0 ? py[i - 1] : 2 * py[0] - py[1];
    const x3 = i + 2 < n ? px[i + 2] : 2 * px[n - 1] - px[n - 2], y3 = i + 2 < n ? py[i + 2] : 2 * py[n - 1] - py[n - 2];
    const x1 = px[i], y1 = py[i], x2 = px[i + 1], y2 = py[i + 1];
    const t0 = 0;
    const t1 = t0 + Math.max(Math.sqrt(Math.hypot(x1 - x0, y1 - y0)), 1e-4);
    const t2 = t1 + Math.sqrt(Math.hypot(x2 - x1, y2 - y1));
    const t3 = t2 + Math.max(Math.sqrt(Math.hypot(x3 - x2, y3 - y2)), 1e-4);
    const steps = Math.max(1, Math.ceil(Math.hypot(x2 - x1, y2 - y1) / step) * 2);
    for (let s = 0; s < steps; s++) {
      const t = t1 + ((t2 - t1) * s) / steps;
      // Barry–Goldman pyramid.
      const a1x = lerp(x0, x1, t0, t1, t), a1y = lerp(y0, y1, t0, t1, t);
      const a2x = lerp(x1, x2, t1, t2, t), a2y = lerp(y1, y2, t1, t2, t);
      const a3x = lerp(x2, x3, t2, t3, t), a3y = lerp(y2, y3, t2, t3, t);
      const b1x = lerp(a1x, a2x, t0, t2, t), b1y = lerp(a1y, a2y, t0, t2, t);
      const b2x = lerp(a2x, a3x, t1, t3, t), b2y = lerp(a2y, a3y, t1, t3, t);
      ox.push(lerp(b1x, b2x, t1, t2, t));
      oy.push(lerp(b1y, b2y, t1, t2, t));
    }
  }
  ox.push(px[n - 1]);
  oy.push(py[n - 1]);
  return { xs: Float64Array.from(ox), ys: Float64Array.from(oy) };
}

function lerp(a: number, b: number, ta: number, tb: number, t: number): number {
  return ((tb - t) * a + (t - ta) * b) / (tb - ta);
}

/** Cumulative arc length along a path, normalised to [0, 1] (all zeros for a single point). */
export function arcPositions(p: Path): Float64Array {
  const n = p.xs.length;
  const s = new Float64Array(n);
  for (let i = 1; i < n; i++) s[i] = s[i - 1] + Math.hypot(p.xs[i] - p.xs[i - 1], p.ys[i] - p.ys[i - 1]);
  const total = s[n - 1] || 1;
  for (let i = 0; i < n; i++) s[i] /= total;
  return s;
}
