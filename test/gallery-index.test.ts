// The in-memory exact search: the same top-k as scoring every reference, through adds, replacements and removals.
import { describe, expect, it } from 'vitest';
import { EmbeddingIndex, l2Normalise, type IndexScan } from '@sig/shared';
import { QuantizedRows, simdScanAvailable } from '../packages/shared/src/usecases/quantized-rows.ts';

function vectors(n: number, dim: number, seed: number): Float32Array[] {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648), s / 2147483648 - 0.5);
  return Array.from({ length: n }, () => l2Normalise(Float32Array.from({ length: dim }, rnd)));
}

/** Every reference scored, best per student, sorted. */
function bruteForce(refs: Map<string, { student: string; v: Float32Array }>, q: Float32Array, k: number) {
  const best = new Map<string, number>();
  for (const { student, v } of refs.values()) {
    const s = v.reduce((a, x, i) => a + x * q[i], 0);
    best.set(student, Math.max(best.get(student) ?? -Infinity, s));
  }
  return [...best].sort((a, b) => b[1] - a[1]).slice(0, k).map(([id, similarity]) => ({ id, similarity }));
}

const scans: IndexScan[] = ['simd', 'scalar'];

describe('EmbeddingIndex', () => {
  it('runs the SIMD scan by default on Node', () => {
    expect(simdScanAvailable()).toBe(true);
    expect(new EmbeddingIndex(8).scan).toBe('simd');
  });

  it.each(scans)('%s: matches brute force through adds, replacements and removals (dims not a multiple of 4 or 16 too)', (scan) => {
    for (const dim of [8, 13, 40]) {
      const index = new EmbeddingIndex(dim, 4, scan); // tiny capacity: growth is exercised
      const refs = new Map<string, { student: string; v: Float32Array }>();
      const vs = vectors(300, dim, dim);
      vs.forEach((v, i) => refs.set(`g${i}`, { student: `s${i % 37}`, v }));
      index.add([...refs].map(([signatureId, r]) => ({ signatureId, studentId: r.student, vector: r.v })));
      for (const id of ['s3', 's10', 's36']) {
        index.removeStudent(id);
        for (const [k, r] of refs) if (r.student === id) refs.delete(k);
      }
      // Replace some references by signature ID (a re-embedding) and move one to another student.
      const replacement = vectors(5, dim, 99);
      for (let i = 0; i < 5; i++) {
        const sig = `g${i * 7 + 1}`;
        if (!refs.has(sig)) continue;
        const student = i === 0 ? 's99' : refs.get(sig)!.student;
        refs.set(sig, { student, v: replacement[i] });
        index.add([{ signatureId: sig, studentId: student, vector: replacement[i] }]);
      }
      expect(index.size).toBe(refs.size);
      expect(index.students).toBe(new Set([...refs.values()].map((r) => r.student)).size);
      for (const q of vectors(20, dim, 7)) {
        const got = index.search(q, 5);
        const want = bruteForce(refs, q, 5);
        expect(got.map((g) => g.id)).toEqual(want.map((w) => w.id));
        got.forEach((g, i) => expect(g.similarity).toBeCloseTo(want[i].similarity, 5));
      }
      const q = vectors(1, dim, 5)[0];
      const own = [...refs.values()].filter((r) => r.student === 's5').map((r) => r.v.reduce((a, x, i) => a + x * q[i], 0));
      const scores = index.scoreStudent(q, 's5').sort((a, b) => a - b);
      expect(scores).toHaveLength(own.length);
      own.sort((a, b) => a - b).forEach((x, i) => expect(scores[i]).toBeCloseTo(x, 5));
      expect(index.scoreStudent(q, 's3')).toEqual([]);
    }
  });

  it('simd: near-duplicate references (scores closer than the int8 step) still rank exactly, and most rows are ruled out', () => {
    const dim = 128;
    const base = vectors(1, dim, 3)[0];
    // 2 000 references within a tiny radius of one vector: the coarse scan cannot tell them apart, the exact pass must.
    const near = vectors(2000, dim, 11).map((n) => l2Normalise(base.map((x, i) => x + 0.002 * n[i])));
    const far = vectors(20_000, dim, 12);
    const refs = new Map<string, { student: string; v: Float32Array }>();
    [...near, ...far].forEach((v, i) => refs.set(`r${i}`, { student: `s${i % 5500}`, v }));
    const simd = new EmbeddingIndex(dim, 16, 'simd');
    const scalar = new EmbeddingIndex(dim, 16, 'scalar');
    const list = [...refs].map(([signatureId, r]) => ({ signatureId, studentId: r.student, vector: r.v }));
    simd.add(list);
    scalar.add(list);
    for (const q of [base, ...vectors(10, dim, 21), far[17]]) {
      const want = bruteForce(refs, q, 5);
      const got = simd.search(q, 5);
      expect(got.map((g) => g.id)).toEqual(want.map((w) => w.id));
      expect(got).toEqual(scalar.search(q, 5)); // identical scores, not merely close
    }
    simd.search(far[17], 5);
    expect(simd.rescored).toBeLessThan(refs.size / 20);
    expect(scalar.rescored).toBe(refs.size);
  });

  it('the int8 kernel gives every row an interval that holds its exact dot product', () => {
    for (const dim of [1, 16, 33, 128, 700]) {
      const vs = vectors(50, dim, dim);
      const rows = new QuantizedRows(dim, 2);
      vs.forEach((v, r) => rows.set(r, v));
      rows.move(49, 0); // row 0 now holds vs[49]
      const approx = new Float64Array(50), err = new Float64Array(50);
      for (const q of vectors(5, dim, 100 + dim)) {
        rows.scan(q, 50, approx, err);
        for (let r = 0; r < 50; r++) {
          const v = r === 0 ? vs[49] : vs[r];
          const exact = v.reduce((a, x, i) => a + x * q[i], 0);
          expect(Math.abs(approx[r] - exact)).toBeLessThanOrEqual(err[r]);
          expect(err[r]).toBeLessThan(0.05); // a bound that prunes, not a trivial one
        }
      }
    }
  });

  it('an empty index finds nobody; k larger than the students returns them all', () => {
    const index = new EmbeddingIndex(4);
    expect(index.search(new Float32Array([1, 0, 0, 0]), 3)).toEqual([]);
    index.add([{ signatureId: 'a', studentId: 'x', vector: new Float32Array([1, 0, 0, 0]) }]);
    expect(index.search(new Float32Array([1, 0, 0, 0]), 3)).toEqual([{ id: 'x', similarity: 1 }]);
    expect(() => index.search(new Float32Array(3), 1)).toThrow(/3 values/);
  });
});
