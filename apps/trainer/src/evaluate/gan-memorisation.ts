// (d) Does the generator copy its training images? For each image, the distance (classifier embedding, L2) to
// the nearest training image of the same label. Held-out real signatures give the scale of a genuinely new
// signature; samples much closer than that are near-copies of one training signature, samples about as far
// vary within the student like real signatures do. Pure functions over embeddings.

/** Per query row, the L2 distance to the nearest reference row with the same label (NaN if the label has none). */
export function nearestSameLabelDistance(
  queries: Float32Array,
  queryLabels: ArrayLike<number>,
  refs: Float32Array,
  refLabels: ArrayLike<number>,
  d: number,
): Float64Array {
  const out = new Float64Array(queryLabels.length);
  for (let i = 0; i < queryLabels.length; i++) {
    let best = Infinity;
    for (let j = 0; j < refLabels.length; j++) {
      if (refLabels[j] !== queryLabels[i]) continue;
      let s = 0;
      for (let t = 0; t < d; t++) {
        const diff = queries[i * d + t] - refs[j * d + t];
        s += diff * diff;
      }
      if (s < best) best = s;
    }
    out[i] = best === Infinity ? NaN : Math.sqrt(best);
  }
  return out;
}

/** Median of the finite values (NaN when there are none). */
export function median(values: ArrayLike<number>): number {
  const v = Array.from(values).filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}
