// Score combinations for cross-validation: the prototype cosines turned into probabilities, the softmax and
// prototype probabilities averaged ("combined"), and several models' scores averaged (an ensemble of seeds).
// Pure functions over row-major [n, classes] arrays, like classifier-metrics.ts.

/**
 * Temperature that turns prototype cosine similarities into probabilities: softmax(cos / T). Fixed before
 * any evaluation on real data (cosines of ReLU embeddings spread over ≈ 0.3–1, so T = 0.05 gives logits
 * spanning ≈ 14, about as peaked as the label-smoothed softmax); never tuned on held-out signatures.
 */
export const PROTOTYPE_TEMPERATURE = 0.05;

/** Row-wise softmax of `scores / temperature` ([n, classes], row-major). */
export function softmaxRows(scores: Float32Array, classes: number, temperature = 1): Float32Array {
  const out = new Float32Array(scores.length);
  for (let i = 0; i < scores.length / classes; i++) {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, scores[i * classes + c] / temperature);
    let sum = 0;
    for (let c = 0; c < classes; c++) {
      const e = Math.exp(scores[i * classes + c] / temperature - max);
      out[i * classes + c] = e;
      sum += e;
    }
    for (let c = 0; c < classes; c++) out[i * classes + c] /= sum;
  }
  return out;
}

/** Mean of softmax probabilities and softmax(prototype cosines / temperature), element-wise. */
export function combinedScores(probs: Float32Array, cosines: Float32Array, classes: number, temperature = PROTOTYPE_TEMPERATURE): Float32Array {
  if (probs.length !== cosines.length) throw new Error(`score shapes differ: ${probs.length} vs ${cosines.length}`);
  const p = softmaxRows(cosines, classes, temperature);
  for (let k = 0; k < p.length; k++) p[k] = (p[k] + probs[k]) / 2;
  return p;
}

/** Element-wise mean of equally shaped score arrays (the ensemble of several models). */
export function meanScores(members: Float32Array[]): Float32Array {
  if (members.length === 0) throw new Error('meanScores: no members');
  const out = new Float32Array(members[0].length);
  for (const m of members) {
    if (m.length !== out.length) throw new Error(`score shapes differ: ${m.length} vs ${out.length}`);
    for (let k = 0; k < m.length; k++) out[k] += m[k] / members.length;
  }
  return out;
}
