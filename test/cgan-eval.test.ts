import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PreprocessConfig, RunInfo } from '@sig/shared';
import { synthesizeDataset } from '../apps/trainer/src/data/index.ts';
import { buildClassifier } from '../apps/trainer/src/model/classifier.ts';
import { saveModel } from '../apps/trainer/src/model/io.ts';
import { trainCganRun } from '../apps/trainer/src/train/cgan-run.ts';
import { evalCganRun } from '../apps/trainer/src/evaluate/cgan-eval-run.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('sig eval cgan, tiny end to end', () => {
  it('reports finite TSTR accuracy, label agreement and Fréchet distance on the held-out real images', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cgan-eval-'));
    dirs.push(dir);
    const data = join(dir, 'data');
    await synthesizeDataset({ writers: 3, perWriter: 6, seed: 2, out: data });
    const gan = join(dir, 'gan');
    await trainCganRun({
      data, out: gan, backend: 'wasm', model: { genFilters: 8, discFilters: 4 },
      train: { steps: 2, batch: 4, seed: 1, sampleEvery: 2, checkpointEvery: 2, snapshotEvery: 2, holdout: 0.34, gridLabels: 3 },
    });
    // An (untrained) classifier run folder in the layout `sig train classifier` writes.
    const cls = join(dir, 'cls');
    const config = { classes: 3, inputHeight: 32, inputWidth: 64, widthMultiplier: 0.05 };
    await saveModel(buildClassifier(config), join(cls, 'model'));
    const info = RunInfo.parse({
      kind: 'classifier', name: 'classifier', createdAt: new Date().toISOString(), labels: ['1', '2', '3'],
      preprocess: PreprocessConfig.parse({ height: 32, width: 64 }), config, dataset: { path: data, classes: 3, samples: 18 }, seed: 1, backend: 'wasm',
    });
    await writeFile(join(cls, 'run.json'), JSON.stringify(info));

    const r = await evalCganRun({ run: gan, classifier: cls, data, backend: 'wasm', eval: { perLabel: 4, tstrPerLabel: 4, tstrEpochs: 1, tstrWidth: 0.05, seed: 1, truncation: 2, tstrJudge: true } });
    const held = (RunInfo.parse(JSON.parse(await readFile(join(gan, 'run.json'), 'utf8'))).dataset as unknown as { heldOut: string[] }).heldOut;
    expect(r.realImages).toBe(held.length);
    expect(r.generatedImages).toBe(12);
    // Each rate is a count over its own set: held-out real images for the three classifiers (TSTR, its train-on-real
    // reference TRTR, the judge), generated for agreement.
    const count = (rate: number, n: number): number => rate * n;
    for (const [rate, n] of [[r.tstrAccuracy, r.realImages], [r.trtrAccuracy, r.realImages], [r.classifierRealAccuracy, r.realImages], [r.labelAgreement, r.generatedImages]]) {
      expect(count(rate, n)).toBeCloseTo(Math.round(count(rate, n)), 9);
      expect(Math.round(count(rate, n))).toBeGreaterThanOrEqual(0);
      expect(Math.round(count(rate, n))).toBeLessThanOrEqual(n);
    }
    expect(r.chance).toBeCloseTo(1 / 3, 12);
    // --tstr-judge: the judge's recipe (here the schema defaults: 70 epochs of 32) for its step budget over the
    // CGAN's real training images, whatever the number of generated images.
    const { ClassifierTrainConfig } = await import('@sig/shared');
    const judgeTrain = ClassifierTrainConfig.parse({});
    expect(r.tstrJudgeRecipeSteps).toBe(judgeTrain.epochs * Math.ceil((18 - held.length) / judgeTrain.batchSize));
    expect(Math.round(r.tstrJudgeRecipe! * r.realImages)).toBeCloseTo(r.tstrJudgeRecipe! * r.realImages, 9);
    // Two generator steps are far from the real images; the real-vs-real reference exists (there is a held-out split).
    expect(r.frechetDistance).toBeGreaterThan(0);
    expect(Number.isFinite(r.frechetRealVsReal)).toBe(true);
    // (d) both nearest-training-image medians exist with a held-out split; no real held-out image is a training image.
    expect(r.nearestTrainingGenerated).toBeGreaterThan(0);
    expect(r.nearestTrainingRealHeldOut).toBeGreaterThan(0);
    const written = JSON.parse(await readFile(join(gan, 'quality.json'), 'utf8'));
    expect(written.realSource).toBe('cgan held-out split');
    expect(written.nearestTrainingGenerated).toBe(r.nearestTrainingGenerated);
    expect(written.truncation).toBe(2);
  });
});
