import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../apps/trainer/src/backend/select.ts';
import { leaveOneOutFolds, loadFolderDataset, synthesizeDataset } from '../apps/trainer/src/data/index.ts';
import { crossValidate, memberSeed } from '../apps/trainer/src/evaluate/classifier-cross-validate.ts';
import { combinedScores, meanScores, softmaxRows } from '../apps/trainer/src/evaluate/classifier-ensemble.ts';
import { readClassifierFold } from '../apps/trainer/src/evaluate/classifier-fold-run.ts';
import { argmax } from '../apps/trainer/src/evaluate/classifier-metrics.ts';
import { sig } from './helpers/sig-cli.ts';

describe('score combinations', () => {
  it('softmaxRows: rows sum to 1, a lower temperature sharpens, order is kept', () => {
    const s = new Float32Array([0.9, 0.5, 0.1, 0.2, 0.3, 0.4]);
    const warm = softmaxRows(s, 3, 1);
    const cold = softmaxRows(s, 3, 0.05);
    for (const p of [warm, cold]) for (let i = 0; i < 2; i++) expect(p[i * 3] + p[i * 3 + 1] + p[i * 3 + 2]).toBeCloseTo(1, 6);
    expect(cold[0]).toBeGreaterThan(warm[0]);
    expect(Array.from(argmax({ data: cold, classes: 3 }))).toEqual([0, 2]);
    // Large scores do not overflow.
    expect(softmaxRows(new Float32Array([1000, 999]), 2, 0.01)[0]).toBeCloseTo(1, 6);
  });

  it('combinedScores averages the softmax with the prototype probabilities, so either can overrule a weak other', () => {
    // Sample 0: softmax unsure (0.4 vs 0.35), prototype sure of class 1 → combined picks 1.
    // Sample 1: softmax sure of class 2, prototype mildly prefers 0 → combined keeps 2.
    const probs = new Float32Array([0.4, 0.35, 0.25, 0.05, 0.05, 0.9]);
    const cos = new Float32Array([0.5, 0.8, 0.4, 0.62, 0.6, 0.58]);
    const c = combinedScores(probs, cos, 3, 0.05);
    expect(Array.from(argmax({ data: c, classes: 3 }))).toEqual([1, 2]);
    expect(c[0] + c[1] + c[2]).toBeCloseTo(1, 6);
    expect(() => combinedScores(probs, cos.subarray(0, 3), 3)).toThrow(/shapes differ/);
  });

  it('meanScores is the element-wise mean', () => {
    expect(Array.from(meanScores([new Float32Array([1, 0]), new Float32Array([0, 1]), new Float32Array([0.5, 0.5])]))).toEqual([0.5, 0.5]);
    expect(() => meanScores([])).toThrow();
  });

  it('member seeds differ across members and folds; member 1 keeps the single-model seed', () => {
    expect(memberSeed(1, 0, 0)).toBe(1);
    expect(memberSeed(1, 2, 0)).toBe(3);
    const seeds = new Set([0, 1, 2, 3].flatMap((f) => [0, 1, 2].map((m) => memberSeed(1, f, m))));
    expect(seeds.size).toBe(12);
  });
});

describe('sig eval classifier --ensemble', () => {
  let dir: string;
  let data: string;
  beforeAll(async () => {
    await selectBackend('wasm', { log: () => {} });
    dir = await mkdtemp(join(tmpdir(), 'sig-classifier-ensemble-'));
    data = join(dir, 'synth');
    await synthesizeDataset({ writers: 4, perWriter: 6, seed: 5, out: data });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('trains N members per fold, reports each and the averaged softmax / prototype / combined scores', async () => {
    const out = join(dir, 'eval');
    const res = await crossValidate({
      data,
      folds: 3,
      only: [2],
      ensemble: 2,
      out,
      model: { inputHeight: 32, inputWidth: 64, widthMultiplier: 0.125, dropout: 0.2 },
      train: { seed: 1, epochs: 4, batchSize: 10, patience: 0, valFraction: 0 },
      quiet: true,
      log: () => {},
    });
    expect(res.folds.map((f) => f.fold)).toEqual([2]);
    const f = res.folds[0];
    expect(f.members.map((m) => m.seed)).toEqual([memberSeed(1, 1, 0), memberSeed(1, 1, 1)]);
    for (const m of f.members) for (const s of [m.softmax, m.prototype, m.combined]) expect(s.samples).toBe(4);
    expect(f.members[0].steps).toBe(f.members[1].steps);
    expect(f.steps).toBe(2 * f.members[0].steps);
    expect(f.combined.samples).toBe(4);
    expect(res.meanCombined.top1).toBe(f.combined.top1);
    expect(existsSync(join(out, 'fold-2', 'model', 'model.json'))).toBe(true);
    expect(existsSync(join(out, 'fold-2', 'member-2', 'model', 'model.json'))).toBe(true);
    const json = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(json.config).toMatchObject({ ensemble: 2, folds: 3, prototypeTemperature: 0.05 });
    // A subset run still maps its fold folder to the right held-out signatures (k = 3, not 1).
    const fold = await readClassifierFold(join(out, 'fold-2'));
    expect(fold.trainedOn.size).toBe(4 * 5);
    const held = leaveOneOutFolds(await loadFolderDataset(data), 3)[1].test.map((it) => resolve(it.path));
    expect(held).toHaveLength(4);
    for (const p of held) expect(fold.trainedOn.has(p)).toBe(false);
  }, 60_000);
});

describe('sig eval classifier: bad --ensemble / --only', () => {
  const cases: [string[], RegExp][] = [
    [['--ensemble', '0'], /--ensemble must be an integer ≥ 1/],
    [['--folds', '4', '--only', '1,5'], /--only must list folds from 1 to 4/],
  ];
  for (const [args, msg] of cases) {
    it(`${args.join(' ')}: one line, non-zero exit`, async () => {
      const r = await sig(['eval', 'classifier', '--data', '.', ...args]);
      expect(r.code).not.toBe(0);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(msg);
    });
  }
});
