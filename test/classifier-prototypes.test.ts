import { describe, expect, it } from 'vitest';
import { classPrototypes, prototypeScores } from '../apps/trainer/src/evaluate/classifier-prototypes.ts';
import { topKAccuracy } from '../apps/trainer/src/evaluate/classifier-metrics.ts';

describe('prototype scoring', () => {
  it('class means of unit embeddings; queries score by cosine similarity', () => {
    const s = Math.SQRT1_2;
    // Class 0 references point along x, class 1 along y.
    const refs = { dim: 2, data: new Float32Array([1, 0, s, -s, 0, 1, -s, s]) };
    const protos = classPrototypes(refs, new Int32Array([0, 0, 1, 1]), 2);
    const len0 = Math.hypot(protos[0], protos[1]);
    expect(len0).toBeCloseTo(1, 6);
    expect(protos[0]).toBeGreaterThan(0.9);
    const queries = { dim: 2, data: new Float32Array([0.9, 0.1, 0.2, 0.8]) };
    const scores = prototypeScores(queries, protos, 2);
    expect(topKAccuracy({ data: scores, classes: 2 }, [0, 1], 1)).toBe(1);
    expect(topKAccuracy({ data: scores, classes: 2 }, [1, 0], 1)).toBe(0);
  });
});
