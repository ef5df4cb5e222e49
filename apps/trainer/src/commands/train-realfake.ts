import type { Command } from 'commander';
import { UserError } from '@sig/shared';
import { commandGroup } from '../cli-group.ts';
import { cliNumber } from '../cli-number.ts';
import { backendOption } from '../backend/cli-option.ts';

/** Options of `sig train realfake` (strings as commander gives them). */
export interface RealFakeOptions {
  real: string;
  generator: string;
  out: string;
  epochs: string;
  batch: string;
  seed: string;
  holdout: string;
  filters: string;
  bnMomentum?: string;
  fakes?: string;
  augment?: boolean;
  backend: string;
}

/** `sig train realfake`: genuine vs generated signatures, tested on a generator checkpoint it never saw. */
export function register(program: Command): void {
  commandGroup(program, 'train', 'train a model (classifier, cgan, realfake)')
    .command('realfake')
    .description('train the real-vs-generated detector on genuine images and CGAN samples (one preprocessing pipeline)')
    .requiredOption('--real <dir>', 'dataset folder of genuine images (one sub-folder per label)')
    .requiredOption('--generator <runDir>', 'CGAN run folder: trains on its snapshots/, tests on its final model/generator')
    .requiredOption('--out <dir>', 'run folder to write')
    .option('--epochs <n>', 'training epochs', '8')
    .option('--batch <n>', 'batch size', '32')
    .option('--seed <n>', 'random seed', '1')
    .option('--holdout <fraction>', 'share of genuine images held out for the test', '0.2')
    .option('--filters <n>', 'filters of the first convolution block', '16')
    .option('--bn-momentum <m>', 'BatchNorm moving-average momentum (0.9 for small datasets)', '0.99')
    .option('--fakes <k>', 'generated training images per genuine training image', '1')
    .option('--augment', 'a fresh identity-keeping augmentation of every training image (both classes) each epoch')
    .addOption(backendOption())
    .action(async (opts: RealFakeOptions) => {
      await trainRealFakeRun(opts);
    });
}

/** Trains and evaluates the detector; writes the run folder; returns the held-out metrics. */
export async function trainRealFakeRun(opts: RealFakeOptions): Promise<Record<string, number>> {
  const started = Date.now();
  const { existsSync } = await import('node:fs');
  const { readdir, readFile, writeFile, mkdir } = await import('node:fs/promises');
  const { join, resolve } = await import('node:path');
  const tf = await import('@tensorflow/tfjs-core');
  const { PreprocessConfig, RealFakeConfig, RunInfo, Rng } = await import('@sig/shared');
  const { selectBackend } = await import('../backend/select.ts');
  const { loadFolderDataset, fractionSplit, augment } = await import('../data/index.ts');
  const { loadModel, saveModel } = await import('../model/io.ts');
  const { buildRealFake } = await import('../model/realfake.ts');
  const { detectorSet, generatedPngs } = await import('../evaluate/gan-detector-inputs.ts');
  const { rocAuc, equalErrorRate, binaryAccuracy, errorRates } = await import('../evaluate/gan-roc.ts');

  const epochs = cliNumber('epochs', opts.epochs, 1);
  const batch = cliNumber('batch', opts.batch, 1);
  const seed = cliNumber('seed', opts.seed, 0);
  const holdout = cliNumber('holdout', opts.holdout, 0, false);
  if (!(holdout > 0 && holdout < 1)) throw new UserError('--holdout must be in (0, 1)');
  const genRun = resolve(opts.generator);
  const ganInfo = RunInfo.parse(JSON.parse(await readFile(join(genRun, 'run.json'), 'utf8')));
  if (ganInfo.kind !== 'cgan') throw new UserError(`${opts.generator} is a '${ganInfo.kind}' run, not a cgan run`);
  const snapDir = join(genRun, 'snapshots');
  const finalStep = Number((ganInfo.config as { steps?: number }).steps ?? Infinity);
  // Train on every snapshot before the final step; the final generator is kept for the test only.
  const snapshots = existsSync(snapDir) ? (await readdir(snapDir)).filter((d) => /^step-\d+$/.test(d) && Number(d.slice(5)) < finalStep).sort() : [];
  if (snapshots.length === 0) throw new UserError(`${opts.generator}: no generator snapshots before the final step (train the cgan with --snapshot-every)`);

  const backend = await selectBackend(opts.backend);
  const bnMomentum = cliNumber('bn-momentum', opts.bnMomentum ?? '0.99', 0, false);
  if (bnMomentum >= 1) throw new UserError('--bn-momentum must be in [0, 1)');
  const fakes = cliNumber('fakes', opts.fakes ?? '1', 1);
  const cfg = RealFakeConfig.parse({ imageSize: 64, filters: cliNumber('filters', opts.filters, 1), bnMomentum });
  const preprocess = PreprocessConfig.parse({ height: cfg.imageSize, width: cfg.imageSize, range: 'zero-one' });
  const index = await loadFolderDataset(resolve(opts.real));
  const split = fractionSplit(index, holdout, seed);
  const readAll = (items: { path: string }[]): Promise<Uint8Array[]> => Promise.all(items.map(async (it) => new Uint8Array(await readFile(it.path))));
  const realTrain = await readAll(split.train);
  const realTest = await readAll(split.test);
  const numClasses = ganInfo.labels.length;
  const latentDim = ganInfo.latentDim ?? 100;
  const size = ganInfo.preprocess.width;

  // `fakes` generated per genuine training image (as many as genuine in the test), spread over the labels
  // and the snapshots.
  const perLabelTrain = Math.max(1, Math.ceil((fakes * realTrain.length) / numClasses / snapshots.length));
  const fakeTrain: Uint8Array[] = [];
  for (const [i, snap] of snapshots.entries()) {
    const g = await loadModel(join(snapDir, snap));
    fakeTrain.push(...(await generatedPngs(g, { numClasses, latentDim, size, perLabel: perLabelTrain, seed: seed * 1000 + i })).pngs);
    g.dispose();
  }
  const finalG = await loadModel(join(genRun, 'model', 'generator'));
  const perLabelTest = Math.max(1, Math.ceil(realTest.length / numClasses));
  const fakeTest = (await generatedPngs(finalG, { numClasses, latentDim, size, perLabel: perLabelTest, seed: seed * 1000 + 999 })).pngs;
  finalG.dispose();
  console.log(`data: genuine ${realTrain.length} train / ${realTest.length} test; generated ${fakeTrain.length} train (snapshots ${snapshots.join(', ')}) / ${fakeTest.length} test (final generator)`);

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
    if (opts.augment) {
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
  const { predictData } = await import('../model/predict-data.ts');
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
    config: { ...cfg, epochs, batch, fakes, augment: opts.augment === true },
    dataset: {
      path: resolve(opts.real),
      classes: 2,
      samples: train.n,
      generator: genRun,
      trainSnapshots: snapshots,
      testGenerator: 'model/generator',
    },
    seed,
    backend,
    threshold,
    metrics,
    seconds,
  });
  await writeFile(join(out, 'run.json'), JSON.stringify(run, null, 2));
  await writeFile(join(out, 'metrics.json'), JSON.stringify({ ...metrics, testGenuine: realTest.length, testGenerated: fakeTest.length, seconds }, null, 2));
  console.log(`realfake (held out, unseen generator): accuracy ${metrics.accuracy.toFixed(4)}  AUC ${metrics.auc.toFixed(4)}  EER ${metrics.eer.toFixed(4)}  threshold ${threshold.toFixed(4)}  (${seconds.toFixed(0)} s) → ${out}`);
  return metrics;
}

/** Confusion matrix of the verdicts at `threshold` as a PNG (rows: truth, columns: verdict). */
async function writeConfusionPng(file: string, scores: Float32Array, y: Float32Array, threshold: number): Promise<void> {
  const { writeFile } = await import('node:fs/promises');
  const { confusionMatrixPng } = await import('../evaluate/plots.ts');
  const truth = Array.from(y, (v) => (v === 1 ? 1 : 0));
  const pred = Array.from(scores, (p) => (p >= threshold ? 1 : 0));
  await writeFile(file, await confusionMatrixPng(truth, pred, ['generated', 'genuine']));
}
