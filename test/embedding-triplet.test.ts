// The batch-hard triplet term and its P × K batches: the value on hand-made unit vectors, which pairs count as
// positives and negatives (a writer's own forgery is a negative), one update pulling a writer's signatures
// together, and batches that are whole writer groups, reproducible per step.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '@sig/shared';
import { selectBackend } from '../apps/trainer/src/backend/select.ts';
import { batchSampler } from '../apps/trainer/src/train/embedding-batches.ts';
import { batchHardTriplet, embeddingLoss, embeddingTargets } from '../apps/trainer/src/train/embedding-loss.ts';

beforeAll(async () => {
  await selectBackend('wasm', { log: () => {} });
});

const unit = (deg: number) => [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)];
const softplus = (x: number) => Math.log1p(Math.exp(x));

describe('batchHardTriplet', () => {
  it('takes each genuine anchor’s least similar positive and most similar negative; a forgery of its own writer is a negative', async () => {
    // Writer 0: genuine at 0° and 30°, a forgery at 10°. Writer 1: genuine at 90° and 100°.
    const e = tf.tensor2d([unit(0), unit(30), unit(10), unit(90), unit(100)]);
    const onehot = tf.tensor2d([[1, 0], [1, 0], [1, 0], [0, 1], [0, 1]]);
    const genuine = tf.tensor1d([1, 1, 0, 1, 1]);
    const m = 0.2, s = 10;
    const got = (await batchHardTriplet(e, onehot, genuine, m, s).data())[0];
    const c = (a: number, b: number) => Math.cos(((a - b) * Math.PI) / 180);
    // Anchor 0°: positive 30°, hardest negative the forgery at 10°. Anchor 30°: positive 0°, negative 10°.
    // Anchor 90°: positive 100°, negative 30°. Anchor 100°: positive 90°, negative 30°. The forgery is no anchor.
    const terms = [
      [c(0, 10), c(0, 30)],
      [c(30, 10), c(30, 0)],
      [c(90, 30), c(90, 100)],
      [c(100, 30), c(100, 90)],
    ].map(([neg, pos]) => softplus(s * (neg - pos + m)) / s);
    expect(got).toBeCloseTo(terms.reduce((a, b) => a + b) / 4, 5);
  });

  it('ignores anchors without a positive in the batch, and is 0-weighted when none has one', async () => {
    const e = tf.tensor2d([unit(0), unit(40), unit(80)]);
    const onehot = tf.tensor2d([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    expect((await batchHardTriplet(e, onehot, tf.ones([3]), 0.2, 10).data())[0]).toBe(0);
  });

  it('one gradient step on the term alone brings a writer’s signatures closer than its forgery', async () => {
    const v = tf.variable(tf.tensor2d([unit(0), unit(50), unit(20), unit(120), unit(140)]));
    const onehot = tf.tensor2d([[1, 0], [1, 0], [1, 0], [0, 1], [0, 1]]);
    const yTrue = tf.tensor2d(embeddingTargets(Int32Array.from([0, 0, 0, 1, 1]), Uint8Array.from([0, 0, 1, 0, 0]), 2), [5, 3]);
    const loss = embeddingLoss({ scale: 10, margin: 0, forgeryWeight: 0, forgeryMargin: 0.2, tripletWeight: 1, tripletMargin: 0.2 });
    const cosOf = () => tf.tidy(() => {
      const u = tf.div(v, tf.norm(v, 2, 1, true));
      const d = tf.matMul(u, u, false, true).arraySync() as number[][];
      return { pos: d[0][1], forgery: d[0][2] };
    });
    const before = cosOf();
    const head = tf.tensor2d([[1, 0], [0, 1]]); // fixed writer directions for the cosine part
    const opt = tf.train.sgd(0.05);
    for (let i = 0; i < 5; i++)
      opt.minimize(() => {
        const u = tf.div(v, tf.norm(v, 2, 1, true));
        return loss(yTrue, tf.concat([tf.matMul(u, head), u], 1));
      });
    const after = cosOf();
    expect(after.pos).toBeGreaterThan(before.pos);
    expect(after.pos - after.forgery).toBeGreaterThan(before.pos - before.forgery);
  });
});

describe('P × K batches', () => {
  // Writers 0–2 with 5 genuine and 2 forgeries each, writer 3 with 3 genuine and none, writer 4 with 1 genuine.
  const y: number[] = [], forged: number[] = [];
  const add = (w: number, g: number, f: number) => {
    for (let i = 0; i < g; i++) (y.push(w), forged.push(0));
    for (let i = 0; i < f; i++) (y.push(w), forged.push(1));
  };
  [[0, 5, 2], [1, 5, 2], [2, 5, 2], [3, 3, 0], [4, 1, 0]].forEach(([w, g, f]) => add(w, g, f));
  const set = { y: Int32Array.from(y), forged: Uint8Array.from(forged), writers: ['a', 'b', 'c', 'd', 'e'] };

  it('are groups of K images of distinct writers, one of them a forgery when the writer has any, the same for a step', () => {
    const at = batchSampler(set, { seed: 4, batchSize: 12, forgeryWeight: 0, tripletWeight: 1, perWriter: 4 });
    const seen = new Set<number>();
    for (let step = 0; step < 20; step++) {
      const idx = at(step);
      expect(idx).toHaveLength(12);
      expect(at(step)).toEqual(idx);
      const writers: number[] = [];
      for (let g = 0; g < 3; g++) {
        const group = idx.slice(g * 4, g * 4 + 4);
        const w = set.y[group[0]];
        expect(group.every((i) => set.y[i] === w)).toBe(true);
        expect(w).not.toBe(4); // one genuine signature: no positive, never drawn
        const nForged = group.filter((i) => set.forged[i]).length;
        expect(nForged).toBe(w === 3 ? 0 : 1);
        writers.push(w);
        seen.add(w);
      }
      expect(new Set(writers).size).toBe(3);
    }
    expect([...seen].sort()).toEqual([0, 1, 2, 3]);
    expect(at(1)).not.toEqual(at(2));
  });

  it('are refused, in a readable error, when fewer than two writers have two genuine signatures', () => {
    const lonely = { y: Int32Array.from([0, 0, 1]), forged: Uint8Array.from([0, 0, 0]), writers: ['a', 'b'] };
    expect(() => batchSampler(lonely, { seed: 1, batchSize: 8, forgeryWeight: 0, tripletWeight: 1, perWriter: 4 })).toThrow(UserError);
    expect(() => batchSampler(lonely, { seed: 1, batchSize: 8, forgeryWeight: 0, tripletWeight: 0, perWriter: 4 })).not.toThrow();
  });

  it('without the triplet term are uniform draws over the genuine images (the forgery term off)', () => {
    const idx = batchSampler(set, { seed: 4, batchSize: 50, forgeryWeight: 0, tripletWeight: 0, perWriter: 4 })(0);
    expect(idx).toHaveLength(50);
    expect(idx.every((i) => set.forged[i] === 0)).toBe(true);
  });
});
