// Verification and identification metrics over similarity scores, pure functions of score lists. Scores are
// similarities (higher = more alike); "accept" always means score ≥ threshold.
//   FAR(t) = share of impostor scores ≥ t     FRR(t) = share of genuine scores < t

/** One operating point of the error trade-off. */
export interface ErrorPoint {
  threshold: number;
  far: number;
  frr: number;
}

/** FAR and FRR at `threshold`. */
export function ratesAt(genuine: ArrayLike<number>, impostor: ArrayLike<number>, threshold: number): { far: number; frr: number } {
  let fa = 0, fr = 0;
  for (let i = 0; i < impostor.length; i++) if (impostor[i] >= threshold) fa++;
  for (let i = 0; i < genuine.length; i++) if (genuine[i] < threshold) fr++;
  return { far: impostor.length ? fa / impostor.length : 0, frr: genuine.length ? fr / genuine.length : 0 };
}

const ascending = (a: ArrayLike<number>): Float64Array => Float64Array.from(a).sort();

/**
 * The full trade-off: one point per distinct score used as threshold (plus +∞: accept nothing), by one sort
 * and a sweep, O(n log n). Points run from the lowest threshold (FAR 1, FRR 0) to the highest.
 */
export function errorCurve(genuine: ArrayLike<number>, impostor: ArrayLike<number>): ErrorPoint[] {
  if (genuine.length === 0 || impostor.length === 0) throw new Error('errorCurve: need genuine and impostor scores');
  const g = ascending(genuine), im = ascending(impostor);
  const ts = ascending([...g, ...im]);
  const out: ErrorPoint[] = [];
  let gi = 0, ii = 0;
  for (let k = 0; k < ts.length; k++) {
    const t = ts[k];
    if (k > 0 && ts[k - 1] === t) continue;
    while (gi < g.length && g[gi] < t) gi++; // genuine below t: rejected
    while (ii < im.length && im[ii] < t) ii++; // impostors ≥ t: accepted
    out.push({ threshold: t, far: (im.length - ii) / im.length, frr: gi / g.length });
  }
  out.push({ threshold: Infinity, far: 0, frr: 1 });
  return out;
}

/** Equal error rate: at the threshold where FAR and FRR are closest, their mean (and that threshold). */
export function equalError(genuine: ArrayLike<number>, impostor: ArrayLike<number>): { eer: number; threshold: number } {
  let best = { gap: Infinity, eer: 1, threshold: 0 };
  for (const p of errorCurve(genuine, impostor)) {
    const gap = Math.abs(p.far - p.frr);
    if (gap < best.gap) best = { gap, eer: (p.far + p.frr) / 2, threshold: p.threshold };
  }
  return { eer: best.eer, threshold: Number.isFinite(best.threshold) ? best.threshold : 1 };
}

/**
 * The lowest threshold whose FAR is at most `far`: halfway between the impostor score that must be rejected
 * and the next higher one (so a threshold never sits exactly on a measured score). Ties are rejected together.
 */
export function thresholdAtFar(impostor: ArrayLike<number>, far: number): number {
  if (impostor.length === 0) throw new Error('thresholdAtFar: no impostor scores');
  const d = Float64Array.from(impostor).sort().reverse(); // descending
  let k = Math.floor(far * d.length + 1e-9); // impostors that may be accepted
  if (k >= d.length) return d[d.length - 1];
  while (k > 0 && d[k - 1] === d[k]) k--; // a tie with the first rejected score must be rejected too
  return k === 0 ? d[0] + 1e-6 : (d[k - 1] + d[k]) / 2;
}

/** Share of queries whose true class is among the k highest scores (ties broken against the truth). */
export function topKRate(scores: ArrayLike<number>[], truth: ArrayLike<number>, k: number): number {
  if (scores.length === 0) return 0;
  let hit = 0;
  scores.forEach((row, q) => {
    const s = row[truth[q]];
    let above = 0;
    for (let c = 0; c < row.length; c++) if (c !== truth[q] && row[c] >= s) above++;
    if (above < k) hit++;
  });
  return hit / scores.length;
}

/**
 * Open-set identification at `threshold`: the detection-and-identification rate (enrolled queries whose best
 * match is their own class and scores ≥ threshold) and the false-alarm rate (non-enrolled queries whose best
 * score reaches the threshold).
 */
export function openSetRates(enrolled: ArrayLike<number>[], truth: ArrayLike<number>, impostors: ArrayLike<number>[], threshold: number): { dir: number; far: number } {
  const best = (row: ArrayLike<number>): number => {
    let b = 0;
    for (let c = 1; c < row.length; c++) if (row[c] > row[b]) b = c;
    return b;
  };
  let det = 0;
  enrolled.forEach((row, q) => {
    const b = best(row);
    if (b === truth[q] && row[b] >= threshold) det++;
  });
  let fa = 0;
  for (const row of impostors) if (row.length > 0 && row[best(row)] >= threshold) fa++;
  return { dir: enrolled.length ? det / enrolled.length : 0, far: impostors.length ? fa / impostors.length : 0 };
}

/** The top score of each row (a query's best match). */
export function rowMax(rows: ArrayLike<number>[]): number[] {
  return rows.map((r) => {
    let m = -Infinity;
    for (let i = 0; i < r.length; i++) m = Math.max(m, r[i]);
    return m;
  });
}

/** At most `max` points of a curve, evenly spaced along it (for plots and results.json). */
export function thinCurve(points: ErrorPoint[], max = 200): ErrorPoint[] {
  if (points.length <= max) return points;
  return Array.from({ length: max }, (_, i) => points[Math.round((i * (points.length - 1)) / (max - 1))]);
}
