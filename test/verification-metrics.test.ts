// Verification metrics and the protocol on hand-made score lists and vectors, with the answers worked out by hand.
import { describe, expect, it } from 'vitest';
import { equalError, errorCurve, openSetRates, ratesAt, rowMax, thresholdAtFar, topKRate } from '../apps/trainer/src/evaluate/verification-metrics.ts';
import { calibrateThresholds, enrolment, runVerificationProtocol, type EmbeddedSet } from '../apps/trainer/src/evaluate/verification-protocol.ts';

describe('FAR, FRR, EER, DET', () => {
  it('counts acceptance as score ≥ threshold', () => {
    expect(ratesAt([0.9, 0.8, 0.4], [0.1, 0.5, 0.8], 0.8)).toEqual({ far: 1 / 3, frr: 1 / 3 });
    expect(ratesAt([0.9], [0.1], 0.95)).toEqual({ far: 0, frr: 1 });
  });

  it('errorCurve sweeps every distinct score, from accept-all to accept-none', () => {
    const c = errorCurve([0.9, 0.7], [0.2, 0.7]);
    expect(c).toEqual([
      { threshold: 0.2, far: 1, frr: 0 },
      { threshold: 0.7, far: 0.5, frr: 0 },
      { threshold: 0.9, far: 0, frr: 0.5 },
      { threshold: Infinity, far: 0, frr: 1 },
    ]);
  });

  it('EER is 0 for separated scores, 0.5 for identical ones, and the crossing in between', () => {
    expect(equalError([0.8, 0.9], [0.1, 0.2]).eer).toBe(0);
    expect(equalError([0.8, 0.9], [0.1, 0.2]).threshold).toBe(0.8);
    expect(equalError([0.5, 0.5], [0.5, 0.5]).eer).toBe(0.5);
    // genuine 0.3 0.6 0.7 0.9, impostor 0.1 0.2 0.4 0.8: at t = 0.6 FAR 1/4 (0.8), FRR 1/4 (0.3).
    const e = equalError([0.3, 0.6, 0.7, 0.9], [0.1, 0.2, 0.4, 0.8]);
    expect(e.eer).toBeCloseTo(0.25, 12);
    expect(e.threshold).toBe(0.6);
  });

  it('the FAR threshold lets through at most that share of impostors, never splitting ties', () => {
    const imp = Array.from({ length: 100 }, (_, i) => i / 100); // 0.00 … 0.99
    const t1 = thresholdAtFar(imp, 0.01);
    expect(ratesAt([], imp, t1).far).toBe(0.01);
    expect(t1).toBeCloseTo(0.985, 12);
    expect(ratesAt([], imp, thresholdAtFar(imp, 0.05)).far).toBe(0.05);
    expect(ratesAt([], imp, thresholdAtFar(imp, 0.001)).far).toBe(0); // 0.1 % of 100 rounds down to none
    // Two impostors tie at the top: allowing one means rejecting both.
    expect(ratesAt([], [0.9, 0.9, 0.1, 0.2], thresholdAtFar([0.9, 0.9, 0.1, 0.2], 0.25)).far).toBe(0);
  });
});

describe('identification', () => {
  const scores = [
    [0.9, 0.1, 0.2], // truth 0: rank 1
    [0.8, 0.7, 0.1], // truth 1: rank 2
    [0.5, 0.6, 0.4], // truth 2: rank 3
    [0.3, 0.3, 0.1], // truth 1: tied with 0 → counted against the truth (rank 2)
  ];
  const truth = [0, 1, 2, 1];
  it('top-k with ties counted against the truth', () => {
    expect(topKRate(scores, truth, 1)).toBe(0.25);
    expect(topKRate(scores, truth, 2)).toBe(0.75);
    expect(topKRate(scores, truth, 3)).toBe(1);
  });
  it('open set: detected and identified, and impostor queries above the threshold', () => {
    // At 0.75: query 0 (0.9, right) counts; query 1's best is 0.8 but wrong.
    expect(openSetRates(scores, truth, [[0.76, 0.1], [0.2, 0.74]], 0.75)).toEqual({ dir: 0.25, far: 0.5 });
    expect(rowMax([[0.1, 0.4], [0.3]])).toEqual([0.4, 0.3]);
  });
});

/** Writers on a circle of 2-D unit vectors: writer w's signatures at angle w·90° ± a small jitter. */
function circleSet(perWriter: number, writers: number, forgeAngle?: number): EmbeddedSet {
  const vectors: number[] = [], writer: number[] = [], forged: number[] = [];
  for (let w = 0; w < writers; w++) {
    for (let i = 0; i < perWriter; i++) {
      const a = (w * Math.PI) / 2 + (i % 2 ? 0.05 : -0.05) * (1 + i / perWriter);
      vectors.push(Math.cos(a), Math.sin(a));
      writer.push(w);
      forged.push(0);
    }
    if (forgeAngle !== undefined) {
      const a = (w * Math.PI) / 2 + forgeAngle;
      vectors.push(Math.cos(a), Math.sin(a));
      writer.push(w);
      forged.push(1);
    }
  }
  return { dim: 2, vectors: Float32Array.from(vectors), writer: Int32Array.from(writer), forged: Uint8Array.from(forged), writers: Array.from({ length: writers }, (_, w) => `w${w}`) };
}

describe('verification protocol', () => {
  it('separated writers: perfect identification, zero random-forgery EER; forgeries between writers are caught', () => {
    const r = runVerificationProtocol(circleSet(5, 4, 0.6), { references: 3, impostorShare: 0.25, seed: 1, thresholds: { far1: 0.9, far01: 0.95, eer: 0.9 } });
    expect(r.writers).toBe(4);
    expect(r.identification).toEqual({ queries: 8, top1: 1, top5: 1 });
    expect(r.verification.genuinePairs).toBe(8);
    expect(r.verification.randomPairs).toBe(24);
    expect(r.verification.skilledPairs).toBe(4);
    expect(r.verification.eerRandom).toBe(0);
    expect(r.verification.eerSkilled).toBe(0); // cos 0.6 ≈ 0.825 < every genuine score
    expect(r.verification.atThresholds!.far1).toEqual({ threshold: 0.9, frr: 0, farRandom: 0, farSkilled: 0 });
    expect(r.openSet.impostorWriters).toBe(1);
    expect(r.openSet.atCalibratedFar1).toMatchObject({ dir: 1, far: 0 });
  });

  it('forgeries that land on the writer are accepted: skilled EER 0.5 or more', () => {
    // On the template (the references' mean direction, where the forgery lies); with max scoring the
    // references' own jitter decides, which is the next test's subject.
    const r = runVerificationProtocol(circleSet(5, 4, 0), { references: 3, impostorShare: 0, seed: 1, scoring: 'template' });
    expect(r.verification.eerSkilled).toBeGreaterThanOrEqual(0.4);
    expect(r.openSet.impostorWriters).toBe(0);
  });

  it('writers without a signature left after enrolment are skipped; fewer than 2 left is an error', () => {
    const set = circleSet(5, 4, 0.6);
    set.writer = set.writer.map((w, i) => (w === 3 && i % 6 > 2 ? 2 : w)); // writer 3 keeps 3 genuine + its forgery
    const r = runVerificationProtocol(set, { references: 3, impostorShare: 0, seed: 1 });
    expect(r.skippedWriters).toEqual(['w3']);
    expect(r.writers).toBe(3);
    expect(() => runVerificationProtocol(circleSet(5, 4), { references: 5, impostorShare: 0, seed: 1 })).toThrow(/at least 2 writers/);
  });

  it('calibration: thresholds between the impostor and genuine scores', () => {
    const c = calibrateThresholds(circleSet(6, 4, 0.6), 3);
    expect(c.eerValue).toBe(0);
    // Impostors: forgeries 0.6 rad (± the template's offset) from the writer; genuine within 0.15 rad.
    expect(c.far1).toBeGreaterThan(Math.cos(0.65));
    expect(c.far1).toBeLessThan(Math.cos(0.15));
    expect(c.far1).toBeLessThanOrEqual(c.far01);
    expect(c.writers).toBe(4);
    expect(c.genuinePairs).toBe(12);
    expect(c.impostorPairs).toBe(4 * 3 * 6 + 4);
    expect(c.scoring).toBe('max');
  });

  it('scoring: max is the best single reference, template the cosine with their normalised mean', () => {
    const at = (a: number) => [Math.cos(a), Math.sin(a)];
    const set: EmbeddedSet = { dim: 2, vectors: Float32Array.from([...at(-0.5), ...at(0), ...at(0.5), ...at(0.5)]), writer: Int32Array.from([0, 0, 0, 1]), forged: new Uint8Array(4), writers: ['a', 'b'] };
    expect(enrolment(set, [0, 1, 2], 'max')(3)).toBeCloseTo(1, 6);
    expect(enrolment(set, [0, 1, 2], 'template')(3)).toBeCloseTo(Math.cos(0.5), 6);
  });

  it('calibration: open1 sits just above the best score of any writer taken for another (the lookup impostors), far below far1', () => {
    const set = circleSet(6, 4, 0.6);
    const c = calibrateThresholds(set, 3);
    // Each writer's best cosine with a neighbouring writer's reference (90° apart, jitter ≤ 0.092 rad each).
    let outsiderBest = -Infinity;
    for (let i = 0; i < set.writer.length; i++) {
      if (set.forged[i]) continue;
      for (let j = 0; j < set.writer.length; j++) {
        if (set.forged[j] || set.writer[j] === set.writer[i] || (j % 7) > 2) continue; // references: each writer's first 3 rows of 7
        outsiderBest = Math.max(outsiderBest, set.vectors[2 * i] * set.vectors[2 * j] + set.vectors[2 * i + 1] * set.vectors[2 * j + 1]);
      }
    }
    expect(c.open1).toBeGreaterThan(outsiderBest); // 24 impostor queries: FAR 1 % accepts none of them
    expect(c.open1).toBeLessThan(outsiderBest + 1e-5);
    expect(c.open1).toBeLessThan(c.far1);
    const r = runVerificationProtocol(set, { references: 3, impostorShare: 0.25, seed: 1, thresholds: { far1: c.far1, far01: c.far01, eer: c.eer, open1: c.open1 } });
    expect(r.openSet.atCalibratedOpen1).toMatchObject({ threshold: c.open1, dir: 1, far: 0 });
  });
});
