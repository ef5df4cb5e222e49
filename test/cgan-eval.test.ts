import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PreprocessConfig, RunInfo } from '@sig/shared';
import { loadFolderDataset, loadPreprocessed, synthesizeDataset } from '../apps/trainer/src/data/index.ts';
import { generatedToPngs } from '../apps/trainer/src/evaluate/gan-samples.ts';
import { buildClassifier } from '../apps/trainer/src/model/classifier.ts';
import { saveModel } from '../apps/trainer/src/model/io.ts';
import { trainCganRun } from '../apps/trainer/src/train/cgan-run.ts';
import { evalCganRun } from '../apps/trainer/src/evaluate/cgan-eval-run.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** A 2-step (or `steps`) CGAN run on 3 synthetic writers (a third of each held out), a snapshot every 2 steps, and an untrained classifier run beside it. */
async function tinyRuns(steps = 2): Promise<{ dir: string; data: string; gan: string; cls: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'cgan-eval-'));
  dirs.push(dir);
  const data = join(dir, 'data');
  await synthesizeDataset({ writers: 3, perWriter: 6, seed: 2, out: data });
  const gan = join(dir, 'gan');
  await trainCganRun({
    data, out: gan, backend: 'wasm', model: { genFilters: 8, discFilters: 4 },
    train: { steps, batch: 4, seed: 1, sampleEvery: 2, checkpointEvery: 2, snapshotEvery: 2, holdout: 0.34, gridLabels: 3 },
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
  return { dir, data, gan, cls };
}

const heldOutOf = async (gan: string): Promise<string[]> =>
  (RunInfo.parse(JSON.parse(await readFile(join(gan, 'run.json'), 'utf8'))).dataset as unknown as { heldOut: string[] }).heldOut;

describe('sig eval cgan, tiny end to end', () => {
  it('reports finite TSTR accuracy, label agreement and Fréchet distance on the held-out real images', async () => {
    const { data, gan, cls } = await tinyRuns();
    const r = await evalCganRun({ run: gan, classifier: cls, data, backend: 'wasm', eval: { perLabel: 4, tstrPerLabel: 4, tstrEpochs: 1, tstrWidth: 0.05, seed: 1, truncation: 2, tstrJudge: true } });
    const held = await heldOutOf(gan);
    expect(r.realImages).toBe(held.length);
    expect(r.generatedImages).toBe(12);
    // Each rate is a count over its own set: held-out real images for the four classifiers (TSTR, its train-on-real
    // reference TRTR at native size and at the generator's, the judge), generated for agreement.
    const count = (rate: number, n: number): number => rate * n;
    for (const [rate, n] of [[r.tstrAccuracy, r.realImages], [r.trtrAccuracy, r.realImages], [r.trtrAccuracyAtGeneratorSize, r.realImages], [r.classifierRealAccuracy, r.realImages], [r.labelAgreement, r.generatedImages]]) {
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

  it('measures a snapshot of the run (--snapshot) in place of its final generator, and leaves out the TRTR references on --no-trtr', async () => {
    const { dir, data, gan, cls } = await tinyRuns(4);
    const settings = { perLabel: 2, tstrPerLabel: 2, tstrEpochs: 1, tstrWidth: 0.05, seed: 1 };
    const measure = (extra: object, name: string) => evalCganRun({ run: gan, classifier: cls, data, out: join(dir, name), backend: 'wasm', eval: { ...settings, ...extra } });
    const final = await measure({}, 'final.json');
    const last = await measure({ snapshot: 4, trtr: false }, 'step4.json');
    const early = await measure({ snapshot: 2, trtr: false }, 'step2.json');
    // The snapshot of the last step is the final generator: the same samples, so the same figures to the bit.
    expect(last.snapshot).toBe(4);
    expect(final.snapshot).toBeNull();
    for (const key of ['tstrAccuracy', 'labelAgreement', 'frechetDistance', 'nearestTrainingGenerated', 'frechetAtGeneratorSize'] as const) expect(last[key]).toBe(final[key]);
    // Two steps earlier the generator is another one.
    expect(early.frechetDistance).not.toBe(final.frechetDistance);
    // The references are the same for every generator of one split; --no-trtr leaves them out, and only them.
    expect(Number.isFinite(final.trtrAccuracy) && Number.isFinite(final.trtrAccuracyAtGeneratorSize)).toBe(true);
    expect(last.trtrAccuracy).toBeNaN();
    expect(last.trtrAccuracyAtGeneratorSize).toBeNaN();
    expect(last.frechetRealVsReal).toBe(final.frechetRealVsReal);
    expect(JSON.parse(await readFile(join(dir, 'step2.json'), 'utf8')).snapshot).toBe(2);
    // A step without a snapshot is one line naming those there are.
    await expect(measure({ snapshot: 3 }, 'x.json')).rejects.toThrow(/has no generator snapshot at step 3 \(its snapshots: steps 2, 4\)/);
  });

  it('measures a folder of another generator\'s samples (--samples) by the same protocol: copies of the training images are at distance 0', async () => {
    const { dir, data, gan, cls } = await tinyRuns();
    // A "generator" that copies the CGAN's real training images: two for the agreement/distance set, two for TSTR.
    const held = new Set((await heldOutOf(gan)).map((p) => resolve(p)));
    const train = (await loadFolderDataset(data)).items.filter((it) => !held.has(resolve(it.path)));
    const samples = join(dir, 'copies');
    for (const label of ['1', '2', '3']) {
      const own = train.filter((it) => it.label === label);
      expect(own.length).toBeGreaterThanOrEqual(2);
      await mkdir(join(samples, label), { recursive: true });
      for (let i = 0; i < 4; i++) await copyFile(own[i % own.length].path, join(samples, label, `s${i}-${basename(own[i % own.length].path)}`));
    }
    const out = join(dir, 'copies.json');
    const settings = { perLabel: 2, tstrPerLabel: 2, tstrEpochs: 1, tstrWidth: 0.05, seed: 1 };
    const r = await evalCganRun({ run: gan, classifier: cls, data, samples, out, backend: 'wasm', eval: settings });
    expect(r.generatedImages).toBe(6);
    expect(r.tstrTrainImages).toBe(6);
    // Each sample is a training image, byte for byte: its nearest same-label training image is itself.
    expect(r.nearestTrainingGenerated).toBe(0);
    expect(r.nearestTrainingRealHeldOut).toBeGreaterThan(0);
    const written = JSON.parse(await readFile(out, 'utf8'));
    expect(written.samples).toBe(resolve(samples));
    // Native-size training files are not what a 64 × 64 generator can draw; at the generator's size they are
    // measured as the real images are there.
    expect(r.generatorSize).toBe(64);
    expect(r.nearestTrainingGeneratedAtGeneratorSize).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(r.frechetRealVsRealAtGeneratorSize)).toBe(true);

    // One line for what cannot be measured: too few images for a label, a label the run lacks, truncation, a snapshot.
    const fails = (extra: object, dirOf = samples) => evalCganRun({ run: gan, classifier: cls, data, samples: dirOf, out, backend: 'wasm', eval: { ...settings, ...extra } });
    await expect(fails({ tstrPerLabel: 3 })).rejects.toThrow(/has 4 images for label '1'; --per-label 2 \+ --tstr-per-label 3 = 5 are needed/);
    await expect(fails({ truncation: 2 })).rejects.toThrow(/--truncation applies to the run's generator/);
    await expect(fails({ snapshot: 2 })).rejects.toThrow(/--snapshot applies to the run's generator/);
    await mkdir(join(samples, '99'));
    await copyFile(train[0].path, join(samples, '99', 'x.png'));
    await expect(fails({})).rejects.toThrow(/has label '99', which the CGAN run does not have/);
  });

  it('at the generator\'s size real images take the samples\' path: the held-out images reduced to 64 × 64 and given as samples are the held-out set there exactly', async () => {
    const { dir, data, gan, cls } = await tinyRuns();
    const info = RunInfo.parse(JSON.parse(await readFile(join(gan, 'run.json'), 'utf8')));
    const held = new Set((await heldOutOf(gan)).map((p) => resolve(p)));
    const items = (await loadFolderDataset(data)).items.filter((it) => held.has(resolve(it.path)));
    const b = await loadPreprocessed(items, info.preprocess);
    const pngs = await generatedToPngs(b.x, b.n, info.preprocess.width, info.preprocess.range);
    const samples = join(dir, 'held-small');
    for (const label of ['1', '2', '3']) {
      const own = items.map((it, i) => ({ it, i })).filter(({ it }) => it.label === label);
      expect(own.length).toBe(2);
      await mkdir(join(samples, label), { recursive: true });
      // the two held-out images for agreement and distances, the same two again for TSTR
      for (let k = 0; k < 4; k++) await writeFile(join(samples, label, `${k}.png`), pngs[own[k % 2].i]);
    }
    const r = await evalCganRun({ run: gan, classifier: cls, data, samples, out: join(dir, 'q.json'), backend: 'wasm', eval: { perLabel: 2, tstrPerLabel: 2, tstrEpochs: 1, tstrWidth: 0.05, seed: 1 } });
    // the same six images on both sides: no distance between the sets, the same nearest training images
    expect(r.frechetAtGeneratorSize).toBeLessThan(1e-6 * Math.max(1, r.frechetRealVsRealAtGeneratorSize));
    expect(r.nearestTrainingGeneratedAtGeneratorSize).toBeCloseTo(r.nearestTrainingRealHeldOutAtGeneratorSize, 6);
    // at native size the same samples are another set (less detail than the files)
    expect(r.frechetDistance).toBeGreaterThan(r.frechetAtGeneratorSize);
  });
});
