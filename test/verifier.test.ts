// The pairwise verifier (model/verifier.ts, train/verifier*.ts, evaluate/verifier-scores.ts): pairs drawn as
// documented, a head that is symmetric and equal in plain arithmetic to TF.js, enrolment and fusion scores
// by hand, and a small verifier trained in CI time on synthetic writers that separates writers it never saw,
// resumes where it stopped, and fuses with the committed embedding in `sig eval verification`.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunInfo } from '@sig/shared';
import { selectBackend } from '../apps/trainer/src/backend/select.ts';
import { synthesizeDataset } from '../apps/trainer/src/data/index.ts';
import { runVerificationProtocol, type Enrol } from '../apps/trainer/src/evaluate/verification-protocol.ts';
import { evaluateVerification } from '../apps/trainer/src/evaluate/verification-run.ts';
import { fusedEnrolment, pairHead, verifierEnrolment } from '../apps/trainer/src/evaluate/verifier-scores.ts';
import { buildVerifier, verifierTrunk } from '../apps/trainer/src/model/verifier.ts';
import { pairSampler } from '../apps/trainer/src/train/verifier-pairs.ts';
import { trainVerifierRun } from '../apps/trainer/src/train/verifier-run.ts';
import { expectOneLineError, sig } from './helpers/sig-cli.ts';

let dir: string;
beforeAll(async () => {
  await selectBackend('wasm', { log: () => {} });
  dir = await mkdtemp(join(tmpdir(), 'sig-verifier-'));
  await Promise.all([
    synthesizeDataset({ writers: 24, perWriter: 6, forgeries: 2, seed: 41, out: join(dir, 'train') }),
    synthesizeDataset({ writers: 6, perWriter: 6, forgeries: 2, seed: 42, out: join(dir, 'dev') }),
    synthesizeDataset({ writers: 12, perWriter: 6, forgeries: 2, seed: 43, out: join(dir, 'test') }),
  ]);
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('verifier pairs', () => {
  // writers 0..3 with 3 genuine each; writers 0 and 1 also have 2 forgeries each
  const y: number[] = [], forged: number[] = [];
  for (let w = 0; w < 4; w++) {
    for (let k = 0; k < 3; k++) (y.push(w), forged.push(0));
    if (w < 2) for (let k = 0; k < 2; k++) (y.push(w), forged.push(1));
  }
  const set = { y: Int32Array.from(y), forged: Uint8Array.from(forged), writers: ['a', 'b', 'c', 'd'] };
  const plan = { seed: 5, batchSize: 4000, genuineShare: 0.5, forgedShare: 0.3, forgeryWriterShare: 0.5 };

  it('draws genuine pairs of one writer, forgeries of that writer and other writers, in the planned shares', () => {
    const { a, b, label } = pairSampler(set, plan)(7);
    let genuine = 0, skilled = 0, random = 0;
    for (let k = 0; k < label.length; k++) {
      const [i, j] = [a[k], b[k]];
      if (label[k] === 1) {
        expect(y[i]).toBe(y[j]);
        expect(forged[i] + forged[j]).toBe(0);
        expect(i).not.toBe(j); // every writer here has more than one signature
        genuine++;
      } else if (forged[i] + forged[j] === 1) {
        expect(y[i]).toBe(y[j]);
        skilled++;
      } else {
        expect(forged[i] + forged[j]).toBe(0);
        expect(y[i]).not.toBe(y[j]);
        random++;
      }
    }
    const n = label.length;
    expect(genuine / n).toBeCloseTo(0.5, 1);
    // forgeries exist for writers 0 and 1 only: drawn with probability 0.5 + 0.5 × 2/4 = 0.75, then share 0.3
    expect(skilled / n).toBeCloseTo(0.75 * 0.3, 1);
    expect(random / n).toBeCloseTo(1 - 0.5 - 0.225, 1);
    // both sides hold forgeries about equally often (the pair is swapped half the time)
    const left = a.filter((i) => forged[i]).length, right = b.filter((i) => forged[i]).length;
    expect(Math.abs(left - right) / (left + right)).toBeLessThan(0.1);
  });

  it('is a pure function of (seed, step)', () => {
    const s1 = pairSampler(set, { ...plan, batchSize: 16 });
    const s2 = pairSampler(set, { ...plan, batchSize: 16 });
    expect(s1(3)).toEqual(s2(3));
    expect(s1(3)).not.toEqual(s1(4));
    expect(pairSampler(set, { ...plan, batchSize: 16, seed: 6 })(3)).not.toEqual(s1(3));
  });

  it('refuses a set with fewer than two writers', () => {
    expect(() => pairSampler({ y: Int32Array.from([0, 0]), forged: Uint8Array.from([0, 0]), writers: ['a'] }, plan)).toThrow(/at least 2 writers/);
  });
});

describe('verifier model and scores', () => {
  const cfg = { inputHeight: 32, inputWidth: 64, widthMultiplier: 0.125, featureDim: 12, hidden: 6 };

  it('gives one logit per pair, symmetric in its two inputs, equal to the plain-arithmetic head on the trunk’s features', async () => {
    const model = buildVerifier(cfg, 3);
    const ra = tf.randomUniform([5, 32, 64, 1], 0, 1, 'float32', 1);
    const rb = tf.randomUniform([5, 32, 64, 1], 0, 1, 'float32', 2);
    const ab = (await (model.predict([ra, rb]) as tf.Tensor).data()) as Float32Array;
    const ba = (await (model.predict([rb, ra]) as tf.Tensor).data()) as Float32Array;
    expect(ab.length).toBe(5);
    ab.forEach((v, k) => expect(ba[k]).toBeCloseTo(v, 5));
    const trunk = verifierTrunk(model);
    const fa = trunk.predict(ra) as tf.Tensor2D, fb = trunk.predict(rb) as tf.Tensor2D;
    const [A, B] = [await fa.data(), await fb.data()] as Float32Array[];
    const head = pairHead(model);
    for (let k = 0; k < 5; k++) {
      expect(head(A.subarray(k * 12, (k + 1) * 12), B.subarray(k * 12, (k + 1) * 12))).toBeCloseTo(ab[k], 4);
    }
    // the logits are not all equal (the head is not degenerate at initialisation)
    expect(Math.max(...ab) - Math.min(...ab)).toBeGreaterThan(1e-4);
  });

  it('enrols by the mean same-writer probability over the references, and fuses as cosine + weight × probability', () => {
    const features = { dim: 1, features: Float32Array.from([0, 1, 2, 3]) };
    const head = (a: Float32Array, b: Float32Array) => -Math.abs(a[0] - b[0]); // logit
    const score = verifierEnrolment(features, head)([0, 1]);
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    expect(score(3)).toBeCloseTo((sig(-3) + sig(-2)) / 2, 12);
    expect(score(0)).toBeCloseTo((sig(0) + sig(-1)) / 2, 12);
    const cos: Enrol = (rows) => (i) => rows.length * 10 + i; // any enrolment
    const fused = fusedEnrolment(cos, verifierEnrolment(features, head), 0.4)([0, 1]);
    expect(fused(3)).toBeCloseTo(23 + 0.4 * score(3), 12);
    expect(fusedEnrolment(cos, verifierEnrolment(features, head), 0)([0, 1])(2)).toBe(22);
  });

  it('the protocol scores with any enrolment it is given', () => {
    // 3 writers × 3 genuine + 1 forgery; 1 reference; a hand-made score: 1 for the same writer, 0.5 for a
    // forgery of it, 0 otherwise; so random EER 0 and skilled EER 0 (genuine 1 > forgery 0.5)
    const writer = Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    const forged = Uint8Array.from([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
    const set = { dim: 0, vectors: new Float32Array(0), writer, forged, writers: ['a', 'b', 'c'] };
    const enrol: Enrol = (rows) => (i) => (writer[i] === writer[rows[0]] ? (forged[i] ? 0.5 : 1) : 0);
    const r = runVerificationProtocol(set, { references: 1, impostorShare: 0, seed: 1, enrol });
    expect(r.verification).toMatchObject({ genuinePairs: 6, randomPairs: 12, skilledPairs: 3, eerRandom: 0, eerSkilled: 0 });
    expect(r.identification.top1).toBe(1);
    // a forgery scored like a genuine signature: every skilled pair ties with the genuine ones
    const blind: Enrol = (rows) => (i) => (writer[i] === writer[rows[0]] ? 1 : 0);
    expect(runVerificationProtocol(set, { references: 1, impostorShare: 0, seed: 1, enrol: blind }).verification.eerSkilled).toBeGreaterThan(0.4);
  });
});

describe('verifier training on synthetic writers', () => {
  const model = { inputHeight: 32, inputWidth: 64, widthMultiplier: 0.125, featureDim: 16, hidden: 8 };
  const train = { seed: 3, steps: 160, batchSize: 24, learningRate: 3e-3, evalEvery: 80, references: 3 };

  it('separates writers it never saw (EER far below chance), resumes, and fuses with the embedding in sig eval verification', async () => {
    const out = join(dir, 'run');
    const opts = { data: [join(dir, 'train')], holdout: [join(dir, 'dev')], out, model, train, backend: 'wasm', quiet: true };
    await trainVerifierRun({ ...opts, interruptAt: 80 });
    const { run, result } = await trainVerifierRun({ ...opts, resume: true });
    expect(result.startStep).toBe(80);
    expect(result.steps).toBe(160);
    expect(result.history.map((p) => p.step)).toEqual([80, 160]);
    expect(RunInfo.parse(JSON.parse(await readFile(join(out, 'run.json'), 'utf8')))).toMatchObject({ kind: 'verifier', metrics: run.metrics });
    expect(run.description).toMatch(/trained on .*24 writers/);

    // Twelve writers never seen in training or validation; chance is EER 0.5. The embedding is the committed one.
    const base = { model: 'models', data: join(dir, 'test'), references: 3, impostorShare: 0.25, seed: 1, command: 'test' };
    const alone = await evaluateVerification({ ...base, out: join(dir, 'eval-emb') });
    const heavy = await evaluateVerification({ ...base, verifier: out, verifierWeight: 1000, out: join(dir, 'eval-ver') });
    expect(heavy.verification.eerRandom).toBeLessThan(0.3);
    // weight 0: the fused score is the cosine, so every threshold-free number equals the embedding's alone
    const zero = await evaluateVerification({ ...base, verifier: out, verifierWeight: 0, out: join(dir, 'eval-zero') });
    expect(zero.identification).toEqual(alone.identification);
    expect(zero.verification.eerRandom).toBe(alone.verification.eerRandom);
    expect(zero.verification.eerSkilled).toBe(alone.verification.eerSkilled);
    // the embedding's thresholds are for the cosine alone: not applied to a fused score
    expect(zero.openSet.atCalibratedFar1).toBeUndefined();
    expect(alone.openSet.atCalibratedFar1).toBeDefined();
    const record = JSON.parse(await readFile(join(dir, 'eval-ver', 'results.json'), 'utf8'));
    expect(record.verifier).toMatchObject({ weight: 1000 });
    expect(record.thresholdsFrom).toMatch(/fused/);
  }, 600_000);

  it('says in one line what is wrong with bad input, and refuses to export a verifier run', async () => {
    expectOneLineError(await sig(['train', 'verifier', '--data', join(dir, 'nope'), '--out', join(dir, 'x')]), /nope/);
    expectOneLineError(await sig(['eval', 'verification', '--model', 'models', '--data', join(dir, 'test'), '--verifier', join(dir, 'test')]), /not a verifier run/);
    expectOneLineError(await sig(['export', '--run', join(dir, 'run'), '--out', join(dir, 'm')]), /not exported yet/);
  }, 120_000);
});
