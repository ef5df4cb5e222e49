import { describe, expect, it } from 'vitest';
import { Rng } from '@sig/shared';
import { frechetDistance, frechetFromMoments, sqrtPsd, symmetricEigen } from '../apps/trainer/src/evaluate/gan-frechet.ts';

function gaussianSet(n: number, d: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const x = new Float32Array(n * d);
  // Correlated features: x_j = z_j + 0.5 z_{j-1}.
  for (let i = 0; i < n; i++) {
    let prev = 0;
    for (let j = 0; j < d; j++) {
      const z = rng.normal();
      x[i * d + j] = z + 0.5 * prev;
      prev = z;
    }
  }
  return x;
}

describe('Fréchet distance', () => {
  it('is ≈ 0 for identical sets', () => {
    const a = gaussianSet(300, 32, 1);
    expect(frechetDistance(a, 300, a, 300, 32)).toBeLessThan(1e-6);
  });

  it('of a set and its copy shifted by δ equals ‖δ‖² (same covariance)', () => {
    const d = 24;
    const a = gaussianSet(200, d, 2);
    const b = new Float32Array(a.length);
    const delta = Array.from({ length: d }, (_, j) => 0.1 * (j % 5) - 0.2);
    for (let i = 0; i < 200; i++) for (let j = 0; j < d; j++) b[i * d + j] = a[i * d + j] + delta[j];
    const expected = delta.reduce((s, v) => s + v * v, 0);
    expect(frechetDistance(a, 200, b, 200, d)).toBeCloseTo(expected, 3);
  });

  it('matches the closed form for diagonal Gaussians: ‖Δμ‖² + Σ(σ₁ − σ₂)²', () => {
    const d = 3;
    const mu1 = Float64Array.from([0, 1, 2]);
    const mu2 = Float64Array.from([1, 1, 0]);
    const s1 = [1, 2, 3];
    const s2 = [2, 2, 0.5];
    const c1 = new Float64Array(9), c2 = new Float64Array(9);
    for (let i = 0; i < 3; i++) (c1[i * 4] = s1[i] ** 2), (c2[i * 4] = s2[i] ** 2);
    const expected = 1 + 0 + 4 + (1 - 2) ** 2 + 0 + (3 - 0.5) ** 2;
    expect(frechetFromMoments(mu1, c1, mu2, c2, d)).toBeCloseTo(expected, 8);
  });

  it('matches the 2×2 closed form for non-commuting covariances', () => {
    // Tr √(Σ₁Σ₂) = √(tr(Σ₁Σ₂) + 2 √(det Σ₁ det Σ₂)) for 2×2 PSD matrices.
    const c1 = Float64Array.from([2, 0.8, 0.8, 1]);
    const c2 = Float64Array.from([1, -0.3, -0.3, 3]);
    const trProd = c1[0] * c2[0] + c1[1] * c2[2] + c1[2] * c2[1] + c1[3] * c2[3];
    const det = (c: Float64Array): number => c[0] * c[3] - c[1] * c[2];
    const trSqrt = Math.sqrt(trProd + 2 * Math.sqrt(det(c1) * det(c2)));
    const expected = 0.25 + (2 + 1 + 1 + 3) - 2 * trSqrt;
    const got = frechetFromMoments(Float64Array.from([0.5, 0]), c1, Float64Array.from([0, 0]), c2, 2);
    expect(got).toBeCloseTo(expected, 9);
  });

  it('eigen-decomposition and square root reconstruct the matrix', () => {
    const d = 6;
    const x = gaussianSet(50, d, 3);
    const m = new Float64Array(d * d);
    for (let i = 0; i < 50; i++) for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) m[a * d + b] += x[i * d + a] * x[i * d + b];
    const { values } = symmetricEigen(m, d);
    let tr = 0;
    for (let i = 0; i < d; i++) tr += m[i * d + i];
    expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(tr, 6);
    const r = sqrtPsd(m, d);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += r[i * d + k] * r[k * d + j];
        expect(s).toBeCloseTo(m[i * d + j], 6);
      }
    }
  });

  it('grows with the shift between two random Gaussian samples', () => {
    const a = gaussianSet(400, 8, 4);
    const b = gaussianSet(400, 8, 5);
    const c = Float32Array.from(b, (v) => v + 1);
    const near = frechetDistance(a, 400, b, 400, 8);
    const far = frechetDistance(a, 400, c, 400, 8);
    expect(near).toBeLessThan(0.5);
    expect(far).toBeGreaterThan(near + 7);
  });
});

import { accuracy, argmaxRows, labelAgreement } from '../apps/trainer/src/evaluate/gan-quality.ts';

describe('label agreement and accuracy', () => {
  it('counts per conditioning label', () => {
    const r = labelAgreement([0, 1, 1, 2, 0, 2], [0, 1, 0, 2, 0, 1], 3);
    expect(r.overall).toBeCloseTo(4 / 6, 12);
    expect(r.perLabel).toEqual([2 / 3, 1 / 2, 1]);
    expect(accuracy([1, 2], [1, 3])).toBe(0.5);
    expect(Array.from(argmaxRows([0.1, 0.7, 0.2, 0.5, 0.2, 0.3], 2, 3))).toEqual([1, 0]);
  });
});
