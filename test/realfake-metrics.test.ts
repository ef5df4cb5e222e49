import { describe, expect, it } from 'vitest';
import { binaryAccuracy, equalErrorRate, errorRates, rocAuc } from '../apps/trainer/src/evaluate/gan-roc.ts';

describe('ROC AUC and EER', () => {
  it('perfect separation: AUC 1, EER 0', () => {
    const s = [0.9, 0.8, 0.7, 0.2, 0.1];
    const y = [1, 1, 1, 0, 0];
    expect(rocAuc(s, y)).toBe(1);
    const { eer, threshold } = equalErrorRate(s, y);
    expect(eer).toBe(0);
    // the middle of the gap between the highest generated (0.2) and the lowest genuine (0.7) score
    expect(threshold).toBeCloseTo(0.45, 12);
    expect(binaryAccuracy(s, y, threshold)).toBe(1);
  });

  it('inverted scores: AUC 0', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0])).toBe(0);
  });

  it('scikit-learn example: AUC 0.75', () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
  });

  it('ties count one half', () => {
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0])).toBe(0.5);
    expect(rocAuc([0.5, 0.7, 0.5], [1, 1, 0])).toBe(0.75);
  });

  it('hand-made overlap: AUC 15/16, EER 1/4 for thresholds in (0.3, 0.6]', () => {
    const s = [0.9, 0.8, 0.7, 0.3, 0.6, 0.2, 0.1, 0.05];
    const y = [1, 1, 1, 1, 0, 0, 0, 0];
    expect(rocAuc(s, y)).toBeCloseTo(15 / 16, 12);
    const { eer, threshold } = equalErrorRate(s, y);
    expect(eer).toBeCloseTo(0.25, 12);
    // any threshold in (0.3, 0.6] gives these rates; the middle of that interval is returned
    expect(threshold).toBeCloseTo(0.45, 12);
    expect(errorRates(s, y, threshold)).toEqual({ far: 0.25, frr: 0.25 });
    expect(binaryAccuracy(s, y, 0.6)).toBe(0.75);
  });
});
