import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PreprocessConfig, RunInfo } from '@sig/shared';
import { leaveOneOutFolds, loadFolderDataset, synthesizeDataset } from '../apps/trainer/src/data/index.ts';
import { buildClassifier } from '../apps/trainer/src/model/classifier.ts';
import { saveModel } from '../apps/trainer/src/model/io.ts';
import { trainCganRun, type CganRunOptions } from '../apps/trainer/src/train/cgan-run.ts';
import { evalCganRun } from '../apps/trainer/src/evaluate/cgan-eval-run.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const tinyGan = (data: string, out: string, train: CganRunOptions['train']): CganRunOptions => ({
  data, out, backend: 'wasm', model: { genFilters: 8, discFilters: 4 },
  train: { steps: 1, batch: 4, seed: 1, sampleEvery: 1, checkpointEvery: 1, snapshotEvery: 1, holdout: 0.34, gridLabels: 3, ...train },
});
const heldOut = async (run: string): Promise<string[]> =>
  (RunInfo.parse(JSON.parse(await readFile(join(run, 'run.json'), 'utf8'))).dataset as unknown as { heldOut: string[] }).heldOut.map((p) => resolve(p));

describe('sig eval cgan with a `sig eval classifier` fold as the real-data classifier', () => {
  it('--holdout-last holds out fold 1 exactly; the fold is accepted for it and refused for a split it trained on', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cgan-fold-'));
    dirs.push(dir);
    const data = join(dir, 'data');
    await synthesizeDataset({ writers: 3, perWriter: 6, seed: 2, out: data });
    const index = await loadFolderDataset(data);

    // The CGAN's held-out images are each label's last signature: the test side of `--folds 1`, fold 1.
    const last = join(dir, 'gan-last');
    await trainCganRun(tinyGan(data, last, { holdoutLast: true }));
    const fold1 = leaveOneOutFolds(index, 1)[0].test.map((it) => resolve(it.path)).sort();
    expect((await heldOut(last)).sort()).toEqual(fold1);
    expect(fold1).toHaveLength(3);

    // A fold folder as `sig eval classifier --folds 1` leaves it: fold-1/model and ../results.json, no run.json.
    const cv = join(dir, 'cv');
    const model = { classes: 3, inputHeight: 32, inputWidth: 64, widthMultiplier: 0.05 };
    const preprocess = PreprocessConfig.parse({ height: 32, width: 64 });
    await mkdir(cv, { recursive: true });
    await saveModel(buildClassifier(model), join(cv, 'fold-1', 'model'));
    await writeFile(join(cv, 'results.json'), JSON.stringify({ data: index.root, folds: [{ fold: 1 }], config: { model, train: { seed: 1 }, preprocess } }));

    const opts = { classifier: join(cv, 'fold-1'), data, backend: 'wasm', eval: { perLabel: 2, tstrPerLabel: 2, tstrEpochs: 1, tstrWidth: 0.05, seed: 1 } };
    const r = await evalCganRun({ ...opts, run: last });
    expect(r.realImages).toBe(3);
    expect(JSON.parse(await readFile(join(last, 'quality.json'), 'utf8')).classifierSource).toMatch(/verified/);

    // A random 2-of-6 split holds out at least one non-last signature per label, which fold 1 trained on.
    const random = join(dir, 'gan-random');
    await trainCganRun(tinyGan(data, random, {}));
    await expect(evalCganRun({ ...opts, run: random })).rejects.toThrow(/training side of classifier fold/);
  }, 120_000);
});
