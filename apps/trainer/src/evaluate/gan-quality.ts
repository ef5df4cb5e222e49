// Measured quality of a conditional generator, as pure functions over predictions and features:
//  (a) train-on-generated, test-on-real accuracy (the classifier is trained by the caller);
//  (b) label agreement: the share of samples generated for label k that a real-data classifier calls k;
//  (c) Fréchet distance between real and generated classifier embeddings (see gan-frechet.ts).
export { frechetDistance } from './gan-frechet.ts';

/** Share of positions where `pred` equals `truth`. */
export function accuracy(pred: ArrayLike<number>, truth: ArrayLike<number>): number {
  if (pred.length !== truth.length || pred.length === 0) throw new Error('accuracy: need equal, non-empty arrays');
  let ok = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === truth[i]) ok++;
  return ok / pred.length;
}

/**
 * Label agreement of generated samples: overall share assigned to their conditioning label, and the
 * share per label (NaN for a label with no samples).
 */
export function labelAgreement(pred: ArrayLike<number>, conditioned: ArrayLike<number>, numLabels: number): { overall: number; perLabel: number[] } {
  const hit = new Array<number>(numLabels).fill(0);
  const count = new Array<number>(numLabels).fill(0);
  for (let i = 0; i < pred.length; i++) {
    count[conditioned[i]]++;
    if (pred[i] === conditioned[i]) hit[conditioned[i]]++;
  }
  return { overall: accuracy(pred, conditioned), perLabel: hit.map((h, k) => (count[k] ? h / count[k] : NaN)) };
}

/** Row-wise argmax of an n × k matrix. */
export function argmaxRows(p: ArrayLike<number>, n: number, k: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (p[i * k + j] > p[i * k + best]) best = j;
    out[i] = best;
  }
  return out;
}
