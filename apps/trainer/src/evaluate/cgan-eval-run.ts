// `sig eval cgan`'s run: (a) train-on-generated/test-on-real accuracy, (b) label agreement, (c) Fréchet
// distance and (d) nearest-training-image distance (memorisation) of a CGAN run, judged by a classifier
// trained on real data; written as JSON. Options arrive typed.
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { CganEvalConfig, ClassifierConfig, Rng, UserError, type CganEvalConfigInput } from '@sig/shared';
import { selectBackend } from '../backend/select.ts';
import { loadFolderDataset, loadPreprocessed, type DatasetItem } from '../data/index.ts';
import { buildClassifier, embeddingModel } from '../model/classifier.ts';
import { loadModel } from '../model/io.ts';
import { predictData } from '../model/predict-data.ts';
import { singleProcessStep } from '../train/gradient-step.ts';
import { gatherBatch } from '../train/image-set.ts';
import { isClassifierFold, readClassifierFold } from './classifier-fold-run.ts';
import { bytesToBatch, generatedPngs, type GeneratedSet } from './gan-detector-inputs.ts';
import { generatedFromFolder } from './gan-sample-folder.ts';
import { generatedToPngs } from './gan-samples.ts';
import { median, nearestSameLabelDistance } from './gan-memorisation.ts';
import { accuracy, argmaxRows, frechetDistance, labelAgreement } from './gan-quality.ts';
import { judgeRecipeTstr } from './tstr-judge.ts';
import { finalGeneratorDir, heldOutPaths, readRunInfo, snapshotSteps, stepName } from '../train/run-json.ts';

/** What the measurement needs: the CGAN run, the real-data classifier, the real images and the settings. */
export interface CganEvalOptions {
  /** CGAN run folder. */
  run: string;
  /** Classifier trained on real data: a run folder, or a `sig eval classifier` fold-N folder. */
  classifier: string;
  /** Dataset folder of real images. */
  data: string;
  /** Folder of another generator's samples (`<label>/<image>.png`) measured in place of the run's generator. */
  samples?: string;
  /** JSON file for the results (default: <run>/quality.json). */
  out?: string;
  /** TensorFlow.js backend name (default: the best available). */
  backend?: string;
  eval?: CganEvalConfigInput;
}

/** Runs the four measurements and writes them as JSON; returns them. */
export async function evalCganRun(opts: CganEvalOptions): Promise<CganQuality> {
  const started = Date.now();
  const { perLabel, tstrPerLabel, tstrEpochs, tstrWidth, tstrJudge, trtr, snapshot, seed, truncation } = CganEvalConfig.parse(opts.eval ?? {});
  if (opts.samples && truncation !== undefined) throw new UserError('--truncation applies to the run\'s generator, not to --samples');
  if (opts.samples && snapshot !== undefined) throw new UserError('--snapshot applies to the run\'s generator, not to --samples');
  const ganDir = resolve(opts.run);
  const clsDir = resolve(opts.classifier);
  const gan = await readRunInfo(ganDir, 'cgan');
  // A `sig eval classifier` fold folder (no run.json) also serves, with the list of images it trained on.
  const fold = isClassifierFold(clsDir) ? await readClassifierFold(clsDir) : undefined;
  const cls = fold ? fold.info : await readRunInfo(clsDir, 'classifier');
  const backend = await selectBackend(opts.backend ?? 'auto');

  // Generator label k → classifier class index (by student ID); labels the classifier lacks are skipped.
  const clsIndex = new Map(cls.labels.map((l, i) => [l, i]));
  const shared = gan.labels.map((l, k) => ({ k, c: clsIndex.get(l) })).filter((m): m is { k: number; c: number } => m.c !== undefined);
  if (shared.length < 2) throw new UserError('the CGAN and the classifier share fewer than 2 labels');

  // Real test images: the CGAN run's held-out list when it has one, else the whole dataset folder.
  const index = await loadFolderDataset(resolve(opts.data));
  const heldOut = heldOutPaths(gan);
  let realItems = index.items.filter((it) => heldOut.has(resolve(it.path)));
  const realSource = realItems.length ? 'cgan held-out split' : 'whole dataset (no held-out list in the cgan run)';
  if (!realItems.length) realItems = index.items;
  realItems = realItems.filter((it) => clsIndex.has(it.label));
  // (b) and (c) are only honest on real images the classifier never trained on; for a fold we can check it.
  const seen = fold ? realItems.filter((it) => fold.trainedOn.has(resolve(it.path))).length : 0;
  if (seen) throw new UserError(`${seen} of the ${realItems.length} real test images are in the training side of classifier fold ${clsDir} (train the cgan with --holdout-last to match fold 1 of --folds 1)`);
  const realBytes = await Promise.all(realItems.map(async (it) => new Uint8Array(await readFile(it.path))));
  const realY = Int32Array.from(realItems, (it) => clsIndex.get(it.label)!);

  // Generated samples, rendered to PNG and preprocessed like the real files (one pipeline); or another generator's
  // PNGs (--samples), which go through the same preprocessing.
  const sharedK = new Set(shared.map((m) => m.k));
  const keep = (g: GeneratedSet) => {
    const idx = g.labels.map((_, i) => i).filter((i) => sharedK.has(g.labels[i]));
    return { pngs: idx.map((i) => g.pngs[i]), y: Int32Array.from(idx, (i) => clsIndex.get(gan.labels[g.labels[i]])!) };
  };
  let generated: { evaluation: GeneratedSet; tstr: GeneratedSet };
  if (opts.samples) {
    generated = await generatedFromFolder(resolve(opts.samples), gan.labels, perLabel, tstrPerLabel);
  } else {
    const generator = await loadModel(snapshot === undefined ? await finalGeneratorDir(ganDir, '; --snapshot <step> measures a snapshot') : await snapshotFolder(ganDir, snapshot));
    const genOpts = { numClasses: gan.labels.length, latentDim: gan.latentDim ?? 100, size: gan.preprocess.width, truncation };
    generated = {
      evaluation: await generatedPngs(generator, { ...genOpts, perLabel, seed: seed * 7 + 1 }),
      tstr: await generatedPngs(generator, { ...genOpts, perLabel: tstrPerLabel, seed: seed * 7 + 2 }),
    };
    generator.dispose();
  }
  const evalGen = keep(generated.evaluation);
  const tstrGen = keep(generated.tstr);

  const pre = cls.preprocess;
  const shape = (n: number): [number, number, number, number] => [n, pre.height, pre.width, 1];
  const realX = await bytesToBatch(realBytes, pre);
  const genX = await bytesToBatch(evalGen.pngs, pre);
  const k = cls.labels.length;

  // (b) label agreement and (c) Fréchet distance, with the real-data classifier.
  const classifier = await loadModel(join(clsDir, 'model'));
  const embed = embeddingModel(classifier);
  // Read back asynchronously: WebGPU cannot read synchronously in Node (model/predict-data.ts).
  const run = (m: tfl.LayersModel, x: Float32Array, n: number): Promise<Float32Array> => predictData(m, () => tf.tensor4d(x, shape(n)), 32);
  const genPred = argmaxRows(await run(classifier, genX, evalGen.y.length), evalGen.y.length, k);
  const realPred = argmaxRows(await run(classifier, realX, realY.length), realY.length, k);
  const agreement = labelAgreement(genPred, evalGen.y, k);
  const d = embed.outputs[0].shape[1] as number;
  const realEmb = await run(embed, realX, realY.length);
  const genEmb = await run(embed, genX, evalGen.y.length);
  // (c) the generated samples against the held-out real images; (d) and (c)'s scale need the training images.
  // `measures` gives all four at one image size: (c), its scale (the same distance between the held-out real images
  // and as many of the CGAN's training images, i.e. what a perfect generator would score with these sample sizes),
  // and (d), the nearest same-label training image of generated samples and, as the scale, of held-out ones.
  const none = { frechet: NaN, frechetRealVsReal: NaN, nearestGenerated: NaN, nearestRealHeldOut: NaN };
  let native = { ...none, frechet: frechetDistance(realEmb, realY.length, genEmb, evalGen.y.length, d) };
  let atSize = none;
  // The CGAN's real training images (for (d), the Fréchet scale and the TRTR reference of (a)), and the same images
  // at the generator's size as the judge reads them: a perfect copier's samples (TRTR there).
  let realTrain: { x: Float32Array; y: Int32Array } | undefined;
  let trainSmallX: Float32Array | undefined;
  if (heldOut.size) {
    const others = index.items.filter((it) => !heldOut.has(resolve(it.path)) && clsIndex.has(it.label));
    const trainY = Int32Array.from(others, (it) => clsIndex.get(it.label)!);
    const pick = new Rng(seed + 99).shuffle(others.map((_, i) => i)).slice(0, realY.length);
    const measures = (held: Float32Array, train: Float32Array) => {
      const picked = new Float32Array(pick.length * d);
      pick.forEach((i, r) => picked.set(train.subarray(i * d, (i + 1) * d), r * d));
      return {
        frechet: frechetDistance(held, realY.length, genEmb, evalGen.y.length, d),
        frechetRealVsReal: pick.length >= 2 ? frechetDistance(held, realY.length, picked, pick.length, d) : NaN,
        nearestGenerated: median(nearestSameLabelDistance(genEmb, evalGen.y, train, trainY, d)),
        nearestRealHeldOut: median(nearestSameLabelDistance(held, realY, train, trainY, d)),
      };
    };
    const trainX = await bytesToBatch(await Promise.all(others.map(async (it) => new Uint8Array(await readFile(it.path)))), pre);
    realTrain = { x: trainX, y: trainY };
    native = measures(realEmb, await run(embed, trainX, others.length));
    // Again at the generator's size, the FID convention (real images reduced to the generated size): every real image
    // through the CGAN's own preprocessing and rendered to PNG as a sample is, so that real and generated images reach
    // the judge through one pipeline. The native-size figures hold detail no generator of this size can draw: the
    // CGAN's own training images score far from the held-out ones there.
    const reduce = async (items: DatasetItem[]): Promise<Float32Array> => {
      const b = await loadPreprocessed(items, gan.preprocess);
      return bytesToBatch(await generatedToPngs(b.x, b.n, gan.preprocess.width, gan.preprocess.range), pre);
    };
    trainSmallX = await reduce(others);
    atSize = measures(await run(embed, await reduce(realItems), realItems.length), await run(embed, trainSmallX, others.length));
  }

  // (a) TSTR: a fresh classifier trained on generated samples only, tested on the real images.
  // Same architecture as the real-data classifier (its run keeps the model config under `model`), at --tstr-width.
  // TRTR, its reference: the same recipe trained on the CGAN's real training images instead (drawn with replacement
  // up to as many images as the TSTR set, so both take the same number of steps): the most TSTR can reach with
  // this classifier recipe, against which "0.85 like a classifier trained on real signatures" is read.
  const base = (cls.config as { model?: object }).model ?? cls.config;
  const tstrCfg = ClassifierConfig.parse({ ...base, classes: k, widthMultiplier: tstrWidth, inputHeight: pre.height, inputWidth: pre.width });
  // One step per batch of 32 in this thread, dropout seeded per step (model.fit's dropout is unseeded: four
  // identical `sig eval cgan` runs gave TSTR 0.93–0.985 before this).
  const trainAndTest = async (x: Float32Array, y: Int32Array, perEpoch: number, rng: Rng): Promise<number> => {
    const set = { x, y, groups: Int32Array.from(y, (_, i) => i), n: y.length, height: pre.height, width: pre.width };
    const model = buildClassifier(tstrCfg, seed);
    const optimizer = tf.train.adam(1e-3);
    const trainer = singleProcessStep({ model, optimizer, cfg: tstrCfg, labelSmoothing: 0, seed });
    let step = 0;
    for (let e = 0; e < tstrEpochs; e++) {
      // Every image once per epoch, in a new order; a smaller set is drawn again until perEpoch images.
      const order: number[] = [];
      while (order.length < perEpoch) order.push(...rng.shuffle(Array.from({ length: y.length }, (_, i) => i)));
      order.length = perEpoch;
      for (let b = 0; b < order.length; b += 32) await trainer.step(gatherBatch(set, order.slice(b, b + 32), undefined, seed, step), step++);
    }
    const acc = accuracy(argmaxRows(await run(model, realX, realY.length), realY.length, k), realY);
    await trainer.close();
    optimizer.dispose();
    model.dispose();
    return acc;
  };
  const tstrX = await bytesToBatch(tstrGen.pngs, pre);
  const tstrAcc = await trainAndTest(tstrX, tstrGen.y, tstrGen.y.length, new Rng(seed));
  const trtrAcc = realTrain && trtr ? await trainAndTest(realTrain.x, realTrain.y, tstrGen.y.length, new Rng(seed + 1)) : NaN;
  // TRTR at the generator's size: the same recipe on the training images reduced to it, i.e. what a generator that
  // drew its training images perfectly at its size would reach (the ceiling TSTR can be read against).
  const trtrSmallAcc = realTrain && trainSmallX && trtr ? await trainAndTest(trainSmallX, realTrain.y, tstrGen.y.length, new Rng(seed + 1)) : NaN;
  // (a) with the judge's own recipe, when asked (minutes on the 184 students: the judge's whole step budget).
  const originals = realTrain?.y.length ?? Number((cls.dataset as { train?: number }).train ?? cls.dataset.samples);
  const judged = tstrJudge ? await judgeRecipeTstr({ judge: cls, x: tstrX, y: tstrGen.y, realX, realY, originals }) : undefined;

  const seconds = (Date.now() - started) / 1000;
  const result = {
    tstrAccuracy: tstrAcc,
    trtrAccuracy: trtrAcc,
    trtrAccuracyAtGeneratorSize: trtrSmallAcc,
    tstrJudgeRecipe: judged ? judged.accuracy : null,
    tstrJudgeRecipeSteps: judged ? judged.steps : null,
    labelAgreement: agreement.overall,
    frechetDistance: native.frechet,
    frechetRealVsReal: native.frechetRealVsReal,
    nearestTrainingGenerated: native.nearestGenerated,
    nearestTrainingRealHeldOut: native.nearestRealHeldOut,
    frechetAtGeneratorSize: atSize.frechet,
    frechetRealVsRealAtGeneratorSize: atSize.frechetRealVsReal,
    nearestTrainingGeneratedAtGeneratorSize: atSize.nearestGenerated,
    nearestTrainingRealHeldOutAtGeneratorSize: atSize.nearestRealHeldOut,
    generatorSize: gan.preprocess.width,
    classifierRealAccuracy: accuracy(realPred, realY),
    chance: 1 / shared.length,
    realImages: realY.length,
    generatedImages: evalGen.y.length,
    tstrTrainImages: tstrGen.y.length,
    truncation: truncation ?? null,
    snapshot: snapshot ?? null,
    samples: opts.samples ? resolve(opts.samples) : null,
    embeddingDim: d,
    seconds,
  };
  const outFile = opts.out ? resolve(opts.out) : join(ganDir, 'quality.json');
  const classifierSource = fold ? `cross-validation fold ${clsDir} (verified: none of the real test images on its training side)` : `run ${clsDir}`;
  await writeFile(outFile, JSON.stringify({ ...result, realSource, classifierSource, backend, perLabelAgreement: agreement.perLabel }, null, 2));
  return { ...result, realSource, outFile };
}

/** A run's generator snapshot at `step` (`snapshots/step-…`); a UserError naming the steps it has when absent. */
async function snapshotFolder(runDir: string, step: number): Promise<string> {
  const steps = await snapshotSteps(runDir);
  if (steps.includes(step)) return join(runDir, 'snapshots', stepName(step));
  throw new UserError(`${runDir} has no generator snapshot at step ${step} (${steps.length ? `its snapshots: steps ${steps.join(', ')}` : 'it has no snapshots'})`);
}

/** The four measurements, their scales and where they were written. */
export interface CganQuality {
  tstrAccuracy: number;
  /** The TSTR recipe trained on the CGAN's real training images (NaN without a held-out split): TSTR's ceiling. */
  trtrAccuracy: number;
  /** TRTR with the training images reduced to the generator's size (as (c) at that size): a perfect copier's TSTR. */
  trtrAccuracyAtGeneratorSize: number;
  /** The snapshot step measured in place of the final generator (null: the final generator). */
  snapshot: number | null;
  /** TSTR with the judge's own recipe and step budget (`--tstr-judge`; null when not asked). */
  tstrJudgeRecipe: number | null;
  tstrJudgeRecipeSteps: number | null;
  labelAgreement: number;
  frechetDistance: number;
  /** The Fréchet distance between held-out and other real images: what a perfect generator would score. */
  frechetRealVsReal: number;
  /** Median embedding distance from each generated sample to the nearest training image of its label (NaN without a held-out split). */
  nearestTrainingGenerated: number;
  /** The same for held-out real signatures: the scale; generated ≪ real held-out means near-copies. */
  nearestTrainingRealHeldOut: number;
  /**
   * (c) and (d) with every real image first reduced to the generator's size (its preprocessing, rendered to PNG as a
   * sample is; the FID convention), against the generated samples as above. NaN without a held-out split.
   */
  frechetAtGeneratorSize: number;
  frechetRealVsRealAtGeneratorSize: number;
  nearestTrainingGeneratedAtGeneratorSize: number;
  nearestTrainingRealHeldOutAtGeneratorSize: number;
  /** The generator's image side (pixels). */
  generatorSize: number;
  classifierRealAccuracy: number;
  chance: number;
  realImages: number;
  generatedImages: number;
  tstrTrainImages: number;
  embeddingDim: number;
  seconds: number;
  realSource: string;
  outFile: string;
}
