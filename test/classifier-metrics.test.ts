import { describe, expect, it } from 'vitest';
import { argmax, classifierMetrics, confusionMatrix, macroPrf, meanMetrics, topKAccuracy } from '../apps/trainer/src/evaluate/classifier-metrics.ts';

// 4 samples, 3 classes. Predictions (arg-max): 0, 2, 1, 2; labels 0, 1, 1, 2.
const scores = {
  classes: 3,
  data: [
    0.7, 0.2, 0.1, // label 0 → 0 ✓
    0.1, 0.3, 0.6, // label 1 → 2 ✗ (1 second)
    0.2, 0.5, 0.3, // label 1 → 1 ✓
    0.5, 0.1, 0.4, // label 2 → 0 ✗ (2 second)
  ],
};
const labels = [0, 1, 1, 2];

describe('classifier metrics', () => {
  it('top-k accuracy counts the label among the k best scores', () => {
    expect(Array.from(argmax(scores))).toEqual([0, 2, 1, 0]);
    expect(topKAccuracy(scores, labels, 1)).toBe(0.5);
    expect(topKAccuracy(scores, labels, 2)).toBe(1);
    expect(topKAccuracy(scores, labels, 3)).toBe(1);
  });

  it('confusion matrix has true classes as rows', () => {
    expect(confusionMatrix(labels, [0, 2, 1, 0], 3)).toEqual([
      [1, 0, 0],
      [0, 1, 1],
      [1, 0, 0],
    ]);
  });

  it('macro precision, recall and F1 match a hand computation', () => {
    // class 0: tp 1, predicted 2, actual 1 → P 0.5, R 1, F1 2/3
    // class 1: tp 1, predicted 1, actual 2 → P 1, R 0.5, F1 2/3
    // class 2: tp 0, predicted 1, actual 1 → P 0, R 0, F1 0
    const m = macroPrf(confusionMatrix(labels, [0, 2, 1, 0], 3));
    expect(m.precision).toBeCloseTo(0.5, 10);
    expect(m.recall).toBeCloseTo(0.5, 10);
    expect(m.f1).toBeCloseTo(4 / 9, 10);
  });

  it('perfect predictions give 1 everywhere; classes absent from labels and predictions are ignored', () => {
    const perfect = { classes: 6, data: [1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0] };
    const m = classifierMetrics(perfect, [0, 1]);
    expect(m).toMatchObject({ samples: 2, top1: 1, top5: 1, precision: 1, recall: 1, f1: 1 });
  });

  it('top-5 uses every class when there are fewer than 5', () => {
    expect(classifierMetrics(scores, labels).top5).toBe(1);
  });

  it('means each metric over folds', () => {
    expect(meanMetrics([{ a: 1, b: 0 }, { a: 0, b: 0.5 }])).toEqual({ a: 0.5, b: 0.25 });
  });
});
