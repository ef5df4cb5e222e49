import { describe, expect, it } from 'vitest';
import { median, nearestSameLabelDistance } from '../apps/trainer/src/evaluate/gan-memorisation.ts';

describe('nearest same-label training image (eval cgan (d))', () => {
  it('measures to the nearest reference of the same label only', () => {
    // 2-D points; references: label 0 at (0,0) and (10,0), label 1 at (0,1).
    const refs = Float32Array.from([0, 0, 10, 0, 0, 1]);
    const refLabels = [0, 0, 1];
    const q = Float32Array.from([0, 1, 9, 0, 3, 4, 5, 5]);
    const d = nearestSameLabelDistance(q, [0, 0, 1, 2], refs, refLabels, 2);
    expect(d[0]).toBeCloseTo(1, 6); // label 0: (0,0) is nearer than label 1's (0,1) would be
    expect(d[1]).toBeCloseTo(1, 6);
    expect(d[2]).toBeCloseTo(Math.hypot(3, 3), 6);
    expect(Number.isNaN(d[3])).toBe(true); // no reference with label 2
  });
  it('a copy of a training image is at distance 0; median ignores NaN', () => {
    const refs = Float32Array.from([1, 2, 3]);
    expect(nearestSameLabelDistance(Float32Array.from([1, 2, 3]), [4], refs, [4], 3)[0]).toBe(0);
    expect(median([3, NaN, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(Number.isNaN(median([NaN]))).toBe(true);
  });
});
