// Finds long, thin, slightly tilted ruled lines in a binary mask: a global skew search over projections,
// then a per-line refinement on vertical strips so every line gets its own tilt (perspective).

/**
 * A fitted line. For horizontal lines y = intercept + slope·x; for vertical lines x = intercept + slope·y.
 * `support` is the fraction of strips along the line where it was seen.
 */
export interface FittedLine {
  intercept: number;
  slope: number;
  support: number;
}

/** Options for {@link findHorizontalLines}. */
export interface LineSearchOptions {
  /** Largest skew searched, in degrees. */
  maxSkewDeg?: number;
  /** Number of strips used to refine each line. */
  strips?: number;
  /** A line must cover at least this fraction of the strips. */
  minSupport?: number;
  /** Shortest horizontal run (pixels) that counts as part of a line rather than handwriting. */
  minRun?: number;
}

/** Position of a horizontal line at x (or of a vertical line at y). */
export function lineAt(l: FittedLine, t: number): number {
  return l.intercept + l.slope * t;
}

/** Keeps only pixels in horizontal runs at least `minRun` long (after a 1-px vertical dilation for tilt). */
function horizontalRuns(mask: Uint8Array, w: number, h: number, minRun: number): Uint8Array {
  const dil = new Uint8Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      dil[i] = mask[i] | (y > 0 ? mask[i - w] : 0) | (y < h - 1 ? mask[i + w] : 0);
    }
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    let x = 0;
    while (x < w) {
      if (!dil[y * w + x]) {
        x++;
        continue;
      }
      let e = x;
      while (e < w && dil[y * w + e]) e++;
      // Keep the original (undilated) pixels of long runs so line centres stay precise.
      if (e - x >= minRun) for (let k = x; k < e; k++) out[y * w + k] = mask[y * w + k];
      x = e;
    }
  }
  return out;
}

/** The skew (as a slope) whose projection profile is sharpest, searched over ±maxSkewDeg. */
function bestSkew(runs: Uint8Array, w: number, h: number, maxSkewDeg: number): number {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (runs[y * w + x]) (xs.push(x), ys.push(y));
  const pad = Math.ceil(w * Math.tan((maxSkewDeg * Math.PI) / 180)) + 1;
  const hist = new Float64Array(h + 2 * pad);
  let best = 0;
  let bestScore = -1;
  for (let deg = -maxSkewDeg; deg <= maxSkewDeg + 1e-9; deg += 0.1) {
    const slope = Math.tan((deg * Math.PI) / 180);
    hist.fill(0);
    for (let i = 0; i < xs.length; i++) hist[Math.round(ys[i] - slope * xs[i]) + pad]++;
    let score = 0;
    for (let i = 0; i < hist.length; i++) score += hist[i] * hist[i];
    if (score > bestScore) (bestScore = score), (best = slope);
  }
  return best;
}

/** Least-squares line through points, dropping outliers (> tol px) and refitting. */
function robustFit(px: number[], py: number[], tol: number): { a: number; b: number; keep: number } | null {
  let idx = px.map((_, i) => i);
  let a = 0;
  let b = 0;
  for (let iter = 0; iter < 4; iter++) {
    if (idx.length < 2) return null;
    let sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (const i of idx) (sx += px[i]), (sy += py[i]), (sxx += px[i] * px[i]), (sxy += px[i] * py[i]);
    const n = idx.length;
    const den = n * sxx - sx * sx;
    b = den === 0 ? 0 : (n * sxy - sx * sy) / den;
    a = (sy - b * sx) / n;
    const next = px.map((_, i) => i).filter((i) => Math.abs(py[i] - (a + b * px[i])) <= tol);
    if (next.length === idx.length && next.every((v, k) => v === idx[k])) break;
    idx = next;
  }
  return { a, b, keep: idx.length };
}

/** Finds horizontal ruled lines in a mask (1 = dark), each fitted with its own small tilt. */
export function findHorizontalLines(mask: Uint8Array, w: number, h: number, opts: LineSearchOptions = {}): FittedLine[] {
  const maxSkewDeg = opts.maxSkewDeg ?? 3;
  const strips = opts.strips ?? 16;
  const minSupport = opts.minSupport ?? 0.5;
  const minRun = opts.minRun ?? Math.max(8, Math.round(w / 60));
  const runs = horizontalRuns(mask, w, h, minRun);
  const slope = bestSkew(runs, w, h, maxSkewDeg);

  // Projection along the skew: candidate line positions (intercepts at x = 0).
  const pad = Math.ceil(w * Math.abs(slope)) + 2;
  const prof = new Float64Array(h + 2 * pad);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) if (runs[y * w + x]) prof[Math.round(y - slope * x) + pad]++;
  const cand: number[] = [];
  for (let i = 1; i < prof.length - 1; i++) {
    const v = prof[i - 1] + prof[i] + prof[i + 1];
    if (v < 0.25 * w) continue;
    // Local maximum of the 3-bin sum within ±4 bins.
    let isMax = true;
    for (let k = -4; k <= 4 && isMax; k++) {
      const j = i + k;
      if (k === 0 || j < 1 || j >= prof.length - 1) continue;
      const u = prof[j - 1] + prof[j] + prof[j + 1];
      if (u > v || (u === v && k < 0)) isMax = false;
    }
    if (isMax) cand.push(i - pad);
  }

  // Refine each candidate on strips: the dark-pixel centroid near the predicted position.
  const sw = w / strips;
  const lines: FittedLine[] = [];
  for (const y0 of cand) {
    const px: number[] = [];
    const py: number[] = [];
    for (let s = 0; s < strips; s++) {
      const x0 = Math.floor(s * sw);
      const x1 = Math.floor((s + 1) * sw);
      const yc = y0 + slope * (x0 + x1) / 2;
      const counts: number[] = [];
      const lo = Math.round(yc) - 4;
      for (let y = lo; y <= lo + 8; y++) {
        let c = 0;
        if (y >= 0 && y < h) for (let x = x0; x < x1; x++) c += runs[y * w + x];
        counts.push(c);
      }
      let sum = 0, m = 0;
      for (let k = 0; k < counts.length; k++) (sum += counts[k]), (m += counts[k] * (lo + k));
      // A line crosses the whole strip, so its rows hold at least ~60% of the strip's width.
      if (sum < 0.6 * (x1 - x0)) continue;
      px.push((x0 + x1) / 2);
      py.push(m / sum);
    }
    if (px.length < minSupport * strips) continue;
    const fit = robustFit(px, py, 1.5);
    if (!fit || fit.keep < minSupport * strips) continue;
    lines.push({ intercept: fit.a, slope: fit.b, support: fit.keep / strips });
  }
  lines.sort((p, q) => p.intercept + p.slope * w / 2 - (q.intercept + q.slope * w / 2));
  // Merge duplicates (a thick line can give two nearby candidates).
  const merged: FittedLine[] = [];
  for (const l of lines) {
    const prev = merged[merged.length - 1];
    if (prev && Math.abs(lineAt(prev, w / 2) - lineAt(l, w / 2)) < 5) {
      if (l.support > prev.support) merged[merged.length - 1] = l;
    } else merged.push(l);
  }
  return merged;
}

/** Transposes a w×h mask to h×w. */
function transpose(mask: Uint8Array, w: number, h: number): Uint8Array {
  const t = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) t[x * h + y] = mask[y * w + x];
  return t;
}

/** Finds vertical ruled lines (x = intercept + slope·y) by searching the transposed mask. */
export function findVerticalLines(mask: Uint8Array, w: number, h: number, opts: LineSearchOptions = {}): FittedLine[] {
  return findHorizontalLines(transpose(mask, w, h), h, w, opts);
}
