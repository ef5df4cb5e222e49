// The in-memory exact search: the same top-k as scoring every reference, through adds, replacements and removals.
import { describe, expect, it } from 'vitest';
import { EmbeddingIndex, l2Normalise } from '@sig/shared';

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

describe('EmbeddingIndex', () => {
  it('matches brute force through adds, replacements and removals (dims not a multiple of 4 too)', () => {
    for (const dim of [8, 13]) {
      const index = new EmbeddingIndex(dim, 4); // tiny capacity: growth is exercised
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

  it('an empty index finds nobody; k larger than the students returns them all', () => {
    const index = new EmbeddingIndex(4);
    expect(index.search(new Float32Array([1, 0, 0, 0]), 3)).toEqual([]);
    index.add([{ signatureId: 'a', studentId: 'x', vector: new Float32Array([1, 0, 0, 0]) }]);
    expect(index.search(new Float32Array([1, 0, 0, 0]), 3)).toEqual([{ id: 'x', similarity: 1 }]);
    expect(() => index.search(new Float32Array(3), 1)).toThrow(/3 values/);
  });
});
