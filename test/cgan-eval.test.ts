import { existsSync } from 'node:fs';
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
import { finalGeneratorDir } from '../apps/trainer/src/train/run-json.ts';

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

describe('a CGAN run in progress or interrupted', () => {
  const flat = async (dir: string): Promise<number[]> => {
    const { loadModel } = await import('../apps/trainer/src/model/io.ts');
    const m = await loadModel(dir);
    const out = m.getWeights().flatMap((w) => Array.from(w.dataSync()));
    m.dispose();
    return out;
  };

  it('has its run.json from the start: its snapshots can be measured, its final generator is one readable refusal', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cgan-eval-'));
    dirs.push(dir);
    const { data, cls } = await tinyRuns();
    const gan = join(dir, 'gan');
    await trainCganRun({
      data, out: gan, backend: 'wasm', model: { genFilters: 8, discFilters: 4 }, interruptAt: 2,
      train: { steps: 4, batch: 4, seed: 1, sampleEvery: 2, checkpointEvery: 2, snapshotEvery: 2, holdout: 0.34, gridLabels: 3 },
    });
    expect(RunInfo.parse(JSON.parse(await readFile(join(gan, 'run.json'), 'utf8'))).seconds).toBeUndefined();
    const settings = { perLabel: 2, tstrPerLabel: 2, tstrEpochs: 1, tstrWidth: 0.05, seed: 1, trtr: false };
    await expect(evalCganRun({ run: gan, classifier: cls, data, backend: 'wasm', eval: settings })).rejects.toThrow(
      /has no final generator yet \(training not finished or interrupted, snapshots so far at steps 2…2; sig train cgan --resume finishes it\); --snapshot <step> measures a snapshot/,
    );
    const r = await evalCganRun({ run: gan, classifier: cls, data, backend: 'wasm', out: join(dir, 'q.json'), eval: { ...settings, snapshot: 2 } });
    expect(r.snapshot).toBe(2);
    expect(r.realImages).toBe((await heldOutOf(gan)).length);
  });

  it('resumes with its own data, split, seed and batch whatever the command line says: an interrupted run finishes as the uninterrupted one; resumed to more steps, a finished run is unfinished again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cgan-resume-'));
    dirs.push(dir);
    const data = join(dir, 'data');
    const other = join(dir, 'other');
    await synthesizeDataset({ writers: 3, perWriter: 6, seed: 2, out: data });
    await synthesizeDataset({ writers: 3, perWriter: 6, seed: 9, out: other });
    const model = { genFilters: 8, discFilters: 4, emaDecay: 0.5 };
    const train = { steps: 4, batch: 4, seed: 1, sampleEvery: 2, checkpointEvery: 2, snapshotEvery: 2, holdout: 0.34, gridLabels: 3 };
    const whole = join(dir, 'whole');
    const cut = join(dir, 'cut');
    await trainCganRun({ data, out: whole, backend: 'wasm', model, train });
    await trainCganRun({ data, out: cut, backend: 'wasm', model, train, interruptAt: 2 });
    expect(existsSync(join(cut, 'model'))).toBe(false);
    const started = RunInfo.parse(JSON.parse(await readFile(join(cut, 'run.json'), 'utf8'))).createdAt;
    // Another dataset, split, seed, batch and model on the command line: only the steps (and cadences) are taken.
    await trainCganRun({
      data: other, out: cut, backend: 'wasm', resume: true, model: { genFilters: 16, discFilters: 8, auxWeight: 0 },
      train: { ...train, batch: 2, seed: 7, holdout: 0, holdoutLast: true },
    });
    // Equal to Adam's float32 round-off of β^t across the checkpoint (test/cgan-train.test.ts); another model,
    // batch or split on the command line would differ at the first resumed step by far more.
    const [wc, ww] = [await flat(join(cut, 'model', 'generator')), await flat(join(whole, 'model', 'generator'))];
    expect(wc.length).toBe(ww.length);
    expect(wc.reduce((m, v, i) => Math.max(m, Math.abs(v - ww[i]!)), 0)).toBeLessThan(1e-6);
    const [a, b] = [join(whole, 'run.json'), join(cut, 'run.json')].map(async (f) => RunInfo.parse(JSON.parse(await readFile(f, 'utf8'))));
    const [ra, rb] = [await a, await b];
    expect(rb.dataset).toEqual(ra.dataset);
    expect(rb.config).toEqual(ra.config);
    expect(rb.seed).toBe(1);
    expect(rb.createdAt).toBe(started);
    // Resumed to more steps, a finished run's final generator is only its snapshot until the new end: nothing
    // measures it as the longer run's final generator meanwhile, and nothing is lost.
    await trainCganRun({ data, out: cut, backend: 'wasm', resume: true, model, train: { ...train, steps: 8 }, interruptAt: 6 });
    expect(existsSync(join(cut, 'model'))).toBe(false);
    const kept = await flat(join(cut, 'snapshots', 'step-000004'));
    expect(kept.length).toBe(wc.length);
    expect(kept.reduce((m, v, i) => Math.max(m, Math.abs(v - wc[i]!)), 0)).toBe(0);
    await expect(finalGeneratorDir(cut)).rejects.toThrow(/has no final generator yet \(training not finished or interrupted, snapshots so far at steps 2…6/);

    // A run.json of an older version (written at the end, no split settings): the held-out images it lists are kept.
    const old = join(dir, 'old');
    await trainCganRun({ data, out: old, backend: 'wasm', model, train, interruptAt: 2 });
    const info = JSON.parse(await readFile(join(old, 'run.json'), 'utf8'));
    for (const k of ['holdout', 'holdoutLast', 'gridLabels']) delete info.config[k];
    await writeFile(join(old, 'run.json'), JSON.stringify(info));
    await trainCganRun({ data, out: old, backend: 'wasm', resume: true, model, train: { ...train, holdout: 0, holdoutLast: true } });
    expect(await heldOutOf(old)).toEqual(await heldOutOf(whole));
    const wo = await flat(join(old, 'model', 'generator'));
    expect(wo.reduce((m, v, i) => Math.max(m, Math.abs(v - ww[i]!)), 0)).toBeLessThan(1e-6);
    // The same when that snapshot is missing: the earlier final generator is moved there.
    await rm(join(whole, 'snapshots', 'step-000004'), { recursive: true });
    await trainCganRun({ data, out: whole, backend: 'wasm', resume: true, model, train: { ...train, steps: 8 }, interruptAt: 6 });
    expect(existsSync(join(whole, 'model'))).toBe(false);
    const moved = await flat(join(whole, 'snapshots', 'step-000004'));
    expect(moved.length).toBe(ww.length);
    expect(moved.reduce((m, v, i) => Math.max(m, Math.abs(v - ww[i]!)), 0)).toBe(0);
    await rm(join(data, '1', (await heldOutOf(whole)).map((p) => basename(p)).find((n) => existsSync(join(data, '1', n)))!));
    await expect(trainCganRun({ data, out: old, backend: 'wasm', resume: true, model, train })).rejects.toThrow(/--resume: 1 of the run's 6 held-out images are no longer in/);
  });
});
