// Threshold-free and threshold metrics for a binary detector whose score is p(genuine): genuine = 1.

/** Area under the ROC curve: the probability that a random genuine scores above a random fake (ties count ½). */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => scores[i] - scores[j]);
  // Mann–Whitney U with average ranks for ties.
  let rankSumPos = 0;
  let nPos = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (labels[order[k]] === 1) (rankSumPos += rank), nPos++;
    i = j + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) throw new Error('rocAuc: need both genuine and generated samples');
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** Error rates when "genuine" means score ≥ threshold. */
export function errorRates(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): { far: number; frr: number } {
  let pos = 0, neg = 0, fa = 0, fr = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] === 1) {
      pos++;
      if (scores[i] < threshold) fr++;
    } else {
      neg++;
      if (scores[i] >= threshold) fa++;
    }
  }
  return { far: neg ? fa / neg : 0, frr: pos ? fr / pos : 0 };
}

/**
 * Equal error rate: over thresholds at every observed score, the one where false acceptance (generated
 * called genuine) and false rejection (genuine called generated) are closest; EER is their mean there.
 * Every threshold in (previous observed score, that score] gives the same verdicts on these scores; the one
 * returned is the middle of that interval, not its upper end. With separable scores the upper end is the
 * lowest genuine score seen, so a new genuine image scoring a hair below it would already be called
 * generated; the middle keeps the margin on both sides.
 */
export function equalErrorRate(scores: ArrayLike<number>, labels: ArrayLike<number>): { eer: number; threshold: number } {
  const candidates = Array.from(new Set(Array.from(scores))).sort((a, b) => a - b);
  candidates.push(Infinity);
  let best = { gap: Infinity, eer: 1, index: candidates.length - 1 };
  candidates.forEach((t, index) => {
    const { far, frr } = errorRates(scores, labels, t);
    const gap = Math.abs(far - frr);
    if (gap < best.gap) best = { gap, eer: (far + frr) / 2, index };
  });
  const upper = candidates[best.index];
  const lower = best.index > 0 ? candidates[best.index - 1] : upper;
  if (!Number.isFinite(upper)) return { eer: best.eer, threshold: 1 };
  return { eer: best.eer, threshold: (lower + upper) / 2 };
}

/** Share of correct verdicts at `threshold`. */
export function binaryAccuracy(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): number {
  let ok = 0;
  for (let i = 0; i < scores.length; i++) if ((scores[i] >= threshold ? 1 : 0) === labels[i]) ok++;
  return ok / scores.length;
}
