// Classification metrics as pure functions over predicted scores and true labels (no TF.js, no I/O), so they
// are tested on hand-made predictions and reused by training, cross-validation and export.

/** Scores: one row of `classes` numbers per sample (probabilities or logits), row-major. */
export interface Scores {
  data: Float32Array | number[];
  classes: number;
}

/** Indices of the `k` highest scores in row `i` (ties: lower index first). */
export function topK(scores: Scores, i: number, k: number): number[] {
  const { data, classes } = scores;
  const idx = Array.from({ length: classes }, (_, c) => c);
  const row = (c: number) => data[i * classes + c];
  idx.sort((a, b) => row(b) - row(a) || a - b);
  return idx.slice(0, k);
}

/** Predicted class (arg-max) per sample. */
export function argmax(scores: Scores): Int32Array {
  const n = scores.data.length / scores.classes;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = topK(scores, i, 1)[0];
  return out;
}

/** Fraction of samples whose true label is among the `k` highest scores. */
export function topKAccuracy(scores: Scores, labels: ArrayLike<number>, k: number): number {
  if (labels.length === 0) return 0;
  let hit = 0;
  for (let i = 0; i < labels.length; i++) if (topK(scores, i, k).includes(labels[i])) hit++;
  return hit / labels.length;
}

/** `m[t][p]` = number of samples of true class t predicted as p. */
export function confusionMatrix(labels: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): number[][] {
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) m[labels[i]][predicted[i]]++;
  return m;
}

/**
 * Macro-averaged precision, recall and F1 over the classes that occur in the labels or the predictions (as
 * scikit-learn's default); an undefined ratio (no predicted / no true samples) counts as 0.
 */
export function macroPrf(confusion: number[][]): { precision: number; recall: number; f1: number } {
  const k = confusion.length;
  let p = 0;
  let r = 0;
  let f = 0;
  let counted = 0;
  for (let c = 0; c < k; c++) {
    const tp = confusion[c][c];
    let actual = 0;
    let predicted = 0;
    for (let j = 0; j < k; j++) {
      actual += confusion[c][j];
      predicted += confusion[j][c];
    }
    if (actual === 0 && predicted === 0) continue;
    const prec = predicted > 0 ? tp / predicted : 0;
    const rec = actual > 0 ? tp / actual : 0;
    p += prec;
    r += rec;
    f += prec + rec > 0 ? (2 * prec * rec) / (prec + rec) : 0;
    counted++;
  }
  return counted ? { precision: p / counted, recall: r / counted, f1: f / counted } : { precision: 0, recall: 0, f1: 0 };
}

/** The metrics `sig eval classifier` reports for one fold. */
export interface ClassifierMetrics {
  samples: number;
  top1: number;
  top5: number;
  precision: number;
  recall: number;
  f1: number;
}

/** Top-1, top-5 and macro P/R/F1 of `scores` against `labels`. */
export function classifierMetrics(scores: Scores, labels: ArrayLike<number>): ClassifierMetrics {
  const predicted = argmax(scores);
  const prf = macroPrf(confusionMatrix(labels, predicted, scores.classes));
  return {
    samples: labels.length,
    top1: topKAccuracy(scores, labels, 1),
    top5: topKAccuracy(scores, labels, Math.min(5, scores.classes)),
    ...prf,
  };
}

/** Mean of each numeric metric over folds. */
export function meanMetrics<T extends Record<string, number>>(folds: T[]): T {
  const out: Record<string, number> = {};
  if (folds.length === 0) return out as T;
  for (const key of Object.keys(folds[0])) out[key] = folds.reduce((s, m) => s + m[key], 0) / folds.length;
  return out as T;
}
