// `sig train realfake`'s run: genuine images against CGAN samples (snapshots for training, the final
// generator for the test only), one supervised loop over epochs, the threshold chosen on a validation part of
// the training set, then held-out metrics and the run folder. Options arrive typed; the command only parses.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { PreprocessConfig, RealFakeConfig, RealFakeTrainConfig, Rng, RunInfo, UserError, type RealFakeConfigInput, type RealFakeTrainConfigInput } from '@sig/shared';
import { selectBackend } from '../backend/select.ts';
import { augment, fractionSplit, loadFolderDataset } from '../data/index.ts';
import { detectorSet, generatedPngs } from '../evaluate/gan-detector-inputs.ts';
import { binaryAccuracy, equalErrorRate, errorRates, rocAuc } from '../evaluate/gan-roc.ts';
import { confusionMatrixPng } from '../evaluate/plots.ts';
import { loadModel, saveModel } from '../model/io.ts';
import { predictData } from '../model/predict-data.ts';
import { buildRealFake } from '../model/realfake.ts';
import { finalGeneratorDir, readRunInfo, snapshotSteps, stepName, writeRunJson } from './run-json.ts';

/** What a real/fake run needs: the genuine images, the CGAN run, the model and training settings. */
export interface RealFakeRunOptions {
  /** Dataset folder(s) of genuine images (one sub-folder per label). */
  real: string | string[];
  /** CGAN run folder (trains on its snapshots/, tests on its final model/generator) or a models folder (its exported generator as served). */
  generator: string;
  /** Run folder to write. */
  out: string;
  /** TensorFlow.js backend name (default: the best available). */
  backend?: string;
  model?: Omit<RealFakeConfigInput, 'imageSize'>;
  train?: RealFakeTrainConfigInput;
}

/** Trains and evaluates the detector; writes the run folder; returns the held-out metrics. */
export async function trainRealFakeRun(opts: RealFakeRunOptions): Promise<{ metrics: Record<string, number>; seconds: number; out: string }> {
  const started = Date.now();
  const { epochs, batch, seed, holdout, fakes, augment: augmentEach, capture } = RealFakeTrainConfig.parse(opts.train ?? {});
  const cfg = RealFakeConfig.parse({ ...opts.model, imageSize: 64 });
  const genRun = resolve(opts.generator);
  // A models folder: the exported generator as the server runs it. A CGAN run folder: its TF.js snapshots.
  const served = existsSync(join(genRun, 'manifest.json'));
  let ganInfo: RunInfo | undefined;
  let snapshots: string[] = [];
  let finalDir = '';
  const snapDir = join(genRun, 'snapshots');
  if (!served) {
    ganInfo = await readRunInfo(opts.generator, 'cgan');
    // Before any image is generated: a run still training has no final generator to test on.
    finalDir = await finalGeneratorDir(genRun, '; the detector is tested on the final generator');
    const finalStep = Number((ganInfo.config as { steps?: number }).steps ?? Infinity);
    // Train on every snapshot before the final step; the final generator is kept for the test only.
    snapshots = (await snapshotSteps(genRun)).filter((step) => step < finalStep).map(stepName);
    if (snapshots.length === 0) throw new UserError(`${opts.generator}: no generator snapshots before the final step (train the cgan with --snapshot-every)`);
  }

  const backend = await selectBackend(opts.backend ?? 'auto');
  const preprocess = PreprocessConfig.parse({ height: cfg.imageSize, width: cfg.imageSize, range: 'zero-one' });
  const reals = Array.isArray(opts.real) ? opts.real : [opts.real];
  const readAll = (items: { path: string }[]): Promise<Uint8Array[]> => Promise.all(items.map(async (it) => new Uint8Array(await readFile(it.path))));
  const realTrain: Uint8Array[] = [];
  const realTest: Uint8Array[] = [];
  for (const dir of reals) {
    const split = fractionSplit(await loadFolderDataset(resolve(dir)), holdout, seed);
    realTrain.push(...(await readAll(split.train)));
    realTest.push(...(await readAll(split.test)));
  }
  if (capture > 0) {
    // Real scans are photographed or scanned; rendered genuine images are not. Captured copies of the genuine
    // images teach the detector that capture effects are no sign of a generator (fakes stay as served).
    const { withCaptureEffects } = await import('../data/capture.ts');
    const crng = new Rng(seed + 7);
    const n = realTrain.length;
    for (let k = 0; k < capture; k++) for (let i = 0; i < n; i++) realTrain.push(await withCaptureEffects(realTrain[i], crng));
  }

  // `fakes` generated per genuine training image (as many as genuine in the test), spread over the labels
  // and the snapshots (run folder) or over seeds (models folder: training seeds from seed·10⁵, test from
  // seed·10⁵ + 50 000, both far from `sig eval realfake`'s default 10⁶).
  const fakeTrain: Uint8Array[] = [];
  let fakeTest: Uint8Array[];
  let generatorLabels: string[];
  if (served) {
    const { loadServedModel, servedGeneratorPngs } = await import('../evaluate/realfake-served.ts');
    const gen = await loadServedModel(genRun, 'generator');
    generatorLabels = gen.entry.labels;
    const k = generatorLabels.length;
    // Untruncated latent vectors: the detector learns the generator's whole output, not only the typical
    // samples a served truncation default draws (a request may ask for 'none').
    fakeTrain.push(...(await servedGeneratorPngs(gen, { perLabel: Math.max(1, Math.ceil((fakes * realTrain.length) / k)), seedBase: seed * 100_000, truncation: null })));
    fakeTest = await servedGeneratorPngs(gen, { perLabel: Math.max(1, Math.ceil(realTest.length / k)), seedBase: seed * 100_000 + 50_000, truncation: null });
    await gen.session.release();
  } else {
    const info = ganInfo!;
    generatorLabels = info.labels;
    const numClasses = info.labels.length;
    const latentDim = info.latentDim ?? 100;
    const size = info.preprocess.width;
    const perLabelTrain = Math.max(1, Math.ceil((fakes * realTrain.length) / numClasses / snapshots.length));
    for (const [i, snap] of snapshots.entries()) {
      const g = await loadModel(join(snapDir, snap));
      fakeTrain.push(...(await generatedPngs(g, { numClasses, latentDim, size, perLabel: perLabelTrain, seed: seed * 1000 + i })).pngs);
      g.dispose();
    }
    const finalG = await loadModel(finalDir);
    const perLabelTest = Math.max(1, Math.ceil(realTest.length / numClasses));
    fakeTest = (await generatedPngs(finalG, { numClasses, latentDim, size, perLabel: perLabelTest, seed: seed * 1000 + 999 })).pngs;
    finalG.dispose();
  }
  const fakeSource = served ? `exported generator, seeds from ${seed * 100_000} / from ${seed * 100_000 + 50_000}` : `snapshots ${snapshots.join(', ')} / final generator`;
  console.log(`data: genuine ${realTrain.length} train (${capture} captured cop${capture === 1 ? 'y' : 'ies'} each) / ${realTest.length} test; generated ${fakeTrain.length} train / ${fakeTest.length} test (${fakeSource})`);

  const train = await detectorSet(realTrain, fakeTrain, preprocess);
  const test = await detectorSet(realTest, fakeTest, preprocess);
  const s = cfg.imageSize;
  const px = s * s;

  // Hold 15% of the training examples back to choose the threshold (EER point) without touching the test.
  const rng = new Rng(seed);
  const order = rng.shuffle(Array.from({ length: train.n }, (_, i) => i));
  const nVal = Math.max(2, Math.round(train.n * 0.15));
  const valIdx = order.slice(0, nVal);
  const fitIdx = order.slice(nVal);
  const gather = (idx: number[]): { x: Float32Array; y: Float32Array } => {
    const x = new Float32Array(idx.length * px);
    const y = new Float32Array(idx.length);
    idx.forEach((k, i) => {
      x.set(train.x.subarray(k * px, (k + 1) * px), i * px);
      y[i] = train.y[k];
    });
    return { x, y };
  };

  const genuineWeight = fakeTrain.length / realTrain.length;
  const model = buildRealFake(cfg, seed + 11);
  model.compile({ optimizer: tf.train.adam(cfg.learningRate), loss: 'binaryCrossentropy' });
  for (let e = 0; e < epochs; e++) {
    const b = gather(rng.shuffle(fitIdx.slice()));
    if (augmentEach) {
      // Same transforms for both classes, no added noise (it could mask the generator's own texture).
      for (let i = 0; i < b.y.length; i++) {
        const img = { width: s, height: s, data: b.x.subarray(i * px, (i + 1) * px) };
        b.x.set(augment(img, rng, { noise: 0 }).data, i * px);
      }
    }
    const xs = tf.tensor4d(b.x, [b.y.length, s, s, 1]);
    const ys = tf.tensor2d(b.y, [b.y.length, 1]);
    // Genuine examples weighted by generated/genuine, so both classes count alike whatever --fakes is.
    const h = await model.fit(xs, ys, { epochs: 1, batchSize: batch, shuffle: false, verbose: 0, classWeight: { 0: 1, 1: genuineWeight } });
    xs.dispose();
    ys.dispose();
    console.log(`epoch ${e + 1}/${epochs}: loss ${Number(h.history.loss[0]).toFixed(4)}`);
  }
  // Read back asynchronously: WebGPU cannot read synchronously in Node (model/predict-data.ts).
  const predict = (x: Float32Array, n: number): Promise<Float32Array> => predictData(model, () => tf.tensor4d(x, [n, s, s, 1]), 64);
  const val = gather(valIdx);
  const { threshold } = equalErrorRate(await predict(val.x, val.y.length), val.y);
  const scores = await predict(test.x, test.n);
  const { eer } = equalErrorRate(scores, test.y);
  const rates = errorRates(scores, test.y, threshold);
  const metrics = {
    accuracy: binaryAccuracy(scores, test.y, threshold),
    auc: rocAuc(scores, test.y),
    eer,
    far: rates.far,
    frr: rates.frr,
    threshold,
  };
  const seconds = (Date.now() - started) / 1000;

  const out = resolve(opts.out);
  await mkdir(out, { recursive: true });
  await saveModel(model, join(out, 'model'));
  await writeConfusionPng(join(out, 'confusion.png'), scores, test.y, threshold);
  const run = RunInfo.parse({
    kind: 'realfake',
    name: 'realfake',
    createdAt: new Date().toISOString(),
    labels: ['generated', 'genuine'],
    preprocess,
    config: { ...cfg, epochs, batch, fakes, augment: augmentEach, capture },
    dataset: {
      path: resolve(reals[0]),
      paths: reals.map((d) => resolve(d)),
      classes: 2,
      samples: train.n,
      generator: genRun,
      generatorLabels: generatorLabels.length,
      ...(served ? { trainSeeds: seed * 100_000, testSeeds: seed * 100_000 + 50_000 } : { trainSnapshots: snapshots, testGenerator: 'model/generator' }),
      capture,
    },
    seed,
    backend,
    threshold,
    metrics,
    seconds,
  });
  await writeRunJson(out, run);
  await writeFile(join(out, 'metrics.json'), JSON.stringify({ ...metrics, testGenuine: realTest.length, testGenerated: fakeTest.length, seconds }, null, 2));
  return { metrics, seconds, out };
}

/** Confusion matrix of the verdicts at `threshold` as a PNG (rows: truth, columns: verdict). */
async function writeConfusionPng(file: string, scores: Float32Array, y: Float32Array, threshold: number): Promise<void> {
  const truth = Array.from(y, (v) => (v === 1 ? 1 : 0));
  const pred = Array.from(scores, (p) => (p >= threshold ? 1 : 0));
  await writeFile(file, await confusionMatrixPng(truth, pred, ['generated', 'genuine']));
}
