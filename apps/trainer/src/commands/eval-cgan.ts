import type { Command } from 'commander';
import { UserError } from '@sig/shared';
import { commandGroup } from '../cli-group.ts';
import { cliNumber } from '../cli-number.ts';
import { backendOption } from '../backend/cli-option.ts';

/** Options of `sig eval cgan` (strings as commander gives them). */
export interface EvalCganOptions {
  run: string;
  classifier: string;
  data: string;
  perLabel: string;
  tstrPerLabel: string;
  tstrEpochs: string;
  tstrWidth: string;
  seed: string;
  out?: string;
  backend: string;
}

/** `sig eval cgan`: TSTR accuracy, label agreement and Fréchet distance of a CGAN run. */
export function register(program: Command): void {
  commandGroup(program, 'eval', 'evaluate a trained model')
    .command('cgan')
    .description('measure a CGAN: train-on-generated/test-on-real accuracy, label agreement, Fréchet distance')
    .requiredOption('--run <dir>', 'CGAN run folder')
    .requiredOption('--classifier <dir>', 'classifier trained on real data (labels and embedding): a run folder, or a `sig eval classifier` fold-N folder')
    .requiredOption('--data <dir>', "dataset folder of real images (the CGAN run's held-out images are used when listed)")
    .option('--per-label <n>', 'generated samples per label for agreement and Fréchet distance', '20')
    .option('--tstr-per-label <n>', 'generated samples per label to train the TSTR classifier on', '50')
    .option('--tstr-epochs <n>', 'epochs of the TSTR classifier', '8')
    .option('--tstr-width <m>', 'width multiplier of the TSTR classifier', '0.25')
    .option('--seed <n>', 'random seed (latent vectors, TSTR classifier)', '1')
    .option('--out <file>', 'JSON file for the results (default: <run>/quality.json)')
    .addOption(backendOption())
    .action(async (opts: EvalCganOptions) => {
      await evalCganRun(opts);
    });
}

/** Runs the three measurements and writes them as JSON; returns them. */
export async function evalCganRun(opts: EvalCganOptions): Promise<Record<string, number>> {
  const started = Date.now();
  const { readFile, writeFile } = await import('node:fs/promises');
  const { join, resolve } = await import('node:path');
  const tf = await import('@tensorflow/tfjs-core');
  const { RunInfo, ClassifierConfig, Rng } = await import('@sig/shared');
  const { selectBackend } = await import('../backend/select.ts');
  const { loadFolderDataset } = await import('../data/index.ts');
  const { loadModel } = await import('../model/io.ts');
  const { buildClassifier, embeddingModel } = await import('../model/classifier.ts');
  const { bytesToBatch, generatedPngs } = await import('../evaluate/gan-detector-inputs.ts');
  const { accuracy, argmaxRows, frechetDistance, labelAgreement } = await import('../evaluate/gan-quality.ts');

  const perLabel = cliNumber('per-label', opts.perLabel, 1);
  const tstrPerLabel = cliNumber('tstr-per-label', opts.tstrPerLabel, 1);
  const tstrEpochs = cliNumber('tstr-epochs', opts.tstrEpochs, 1);
  const tstrWidth = cliNumber('tstr-width', opts.tstrWidth, 0.01, false);
  const seed = cliNumber('seed', opts.seed, 0);
  const readRun = async (dir: string, kind: string) => {
    const info = RunInfo.parse(JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')));
    if (info.kind !== kind) throw new UserError(`${dir} is a '${info.kind}' run, not a ${kind} run`);
    return info;
  };
  const ganDir = resolve(opts.run);
  const clsDir = resolve(opts.classifier);
  const gan = await readRun(ganDir, 'cgan');
  // A `sig eval classifier` fold folder (no run.json) also serves, with the list of images it trained on.
  const { isClassifierFold, readClassifierFold } = await import('../evaluate/classifier-fold-run.ts');
  const fold = isClassifierFold(clsDir) ? await readClassifierFold(clsDir) : undefined;
  const cls = fold ? fold.info : await readRun(clsDir, 'classifier');
  const backend = await selectBackend(opts.backend);

  // Generator label k → classifier class index (by student ID); labels the classifier lacks are skipped.
  const clsIndex = new Map(cls.labels.map((l, i) => [l, i]));
  const shared = gan.labels.map((l, k) => ({ k, c: clsIndex.get(l) })).filter((m): m is { k: number; c: number } => m.c !== undefined);
  if (shared.length < 2) throw new UserError('the CGAN and the classifier share fewer than 2 labels');

  // Real test images: the CGAN run's held-out list when it has one, else the whole dataset folder.
  const index = await loadFolderDataset(resolve(opts.data));
  const heldOut = new Set(((gan.dataset as { heldOut?: string[] }).heldOut ?? []).map((p) => resolve(p)));
  let realItems = index.items.filter((it) => heldOut.has(resolve(it.path)));
  const realSource = realItems.length ? 'cgan held-out split' : 'whole dataset (no held-out list in the cgan run)';
  if (!realItems.length) realItems = index.items;
  realItems = realItems.filter((it) => clsIndex.has(it.label));
  // (b) and (c) are only honest on real images the classifier never trained on; for a fold we can check it.
  const seen = fold ? realItems.filter((it) => fold.trainedOn.has(resolve(it.path))).length : 0;
  if (seen) throw new UserError(`${seen} of the ${realItems.length} real test images are in the training side of classifier fold ${clsDir} (train the cgan with --holdout-last to match fold 1 of --folds 1)`);
  const realBytes = await Promise.all(realItems.map(async (it) => new Uint8Array(await readFile(it.path))));
  const realY = Int32Array.from(realItems, (it) => clsIndex.get(it.label)!);

  // Generated samples, rendered to PNG and preprocessed like the real files (one pipeline).
  const generator = await loadModel(join(ganDir, 'model', 'generator'));
  const genOpts = { numClasses: gan.labels.length, latentDim: gan.latentDim ?? 100, size: gan.preprocess.width };
  const sharedK = new Set(shared.map((m) => m.k));
  const keep = (g: { pngs: Uint8Array[]; labels: number[] }) => {
    const idx = g.labels.map((_, i) => i).filter((i) => sharedK.has(g.labels[i]));
    return { pngs: idx.map((i) => g.pngs[i]), y: Int32Array.from(idx, (i) => clsIndex.get(gan.labels[g.labels[i]])!) };
  };
  const evalGen = keep(await generatedPngs(generator, { ...genOpts, perLabel, seed: seed * 7 + 1 }));
  const tstrGen = keep(await generatedPngs(generator, { ...genOpts, perLabel: tstrPerLabel, seed: seed * 7 + 2 }));
  generator.dispose();

  const pre = cls.preprocess;
  const shape = (n: number): [number, number, number, number] => [n, pre.height, pre.width, 1];
  const realX = await bytesToBatch(realBytes, pre);
  const genX = await bytesToBatch(evalGen.pngs, pre);
  const k = cls.labels.length;

  // (b) label agreement and (c) Fréchet distance, with the real-data classifier.
  const classifier = await loadModel(join(clsDir, 'model'));
  const embed = embeddingModel(classifier);
  const { predictData } = await import('../model/predict-data.ts');
  const run = (m: import('@tensorflow/tfjs-layers').LayersModel, x: Float32Array, n: number): Promise<Float32Array> => predictData(m, () => tf.tensor4d(x, shape(n)), 32);
  const genPred = argmaxRows(await run(classifier, genX, evalGen.y.length), evalGen.y.length, k);
  const realPred = argmaxRows(await run(classifier, realX, realY.length), realY.length, k);
  const agreement = labelAgreement(genPred, evalGen.y, k);
  const d = embed.outputs[0].shape[1] as number;
  const realEmb = await run(embed, realX, realY.length);
  const fd = frechetDistance(realEmb, realY.length, await run(embed, genX, evalGen.y.length), evalGen.y.length, d);
  // Scale for (c): the same distance between the held-out real images and as many other real images
  // (the CGAN's training images), i.e. what a perfect generator would score with these sample sizes.
  let fdRealRef = NaN;
  if (heldOut.size) {
    const others = index.items.filter((it) => !heldOut.has(resolve(it.path)) && clsIndex.has(it.label));
    const pick = new Rng(seed + 99).shuffle(others.slice()).slice(0, realY.length);
    if (pick.length >= 2) {
      const otherX = await bytesToBatch(await Promise.all(pick.map(async (it) => new Uint8Array(await readFile(it.path)))), pre);
      fdRealRef = frechetDistance(realEmb, realY.length, await run(embed, otherX, pick.length), pick.length, d);
    }
  }

  // (a) TSTR: a fresh classifier trained on generated samples only, tested on the real images.
  // Same architecture as the real-data classifier (its run keeps the model config under `model`), at --tstr-width.
  const base = (cls.config as { model?: object }).model ?? cls.config;
  const tstrCfg = ClassifierConfig.parse({ ...base, classes: k, widthMultiplier: tstrWidth, inputHeight: pre.height, inputWidth: pre.width });
  const tstr = buildClassifier(tstrCfg);
  tstr.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const tx = await bytesToBatch(tstrGen.pngs, pre);
  const rng = new Rng(seed);
  const px = pre.height * pre.width;
  for (let e = 0; e < tstrEpochs; e++) {
    const order = rng.shuffle(Array.from({ length: tstrGen.y.length }, (_, i) => i));
    const xb = new Float32Array(order.length * px);
    order.forEach((j, i) => xb.set(tx.subarray(j * px, (j + 1) * px), i * px));
    const yb = Int32Array.from(order, (j) => tstrGen.y[j]);
    const xs = tf.tensor4d(xb, shape(order.length));
    const ys = tf.oneHot(tf.tensor1d(yb, 'int32'), k);
    await tstr.fit(xs, ys, { epochs: 1, batchSize: 32, shuffle: false, verbose: 0 });
    xs.dispose();
    ys.dispose();
  }
  const tstrAcc = accuracy(argmaxRows(await run(tstr, realX, realY.length), realY.length, k), realY);

  const seconds = (Date.now() - started) / 1000;
  const result = {
    tstrAccuracy: tstrAcc,
    labelAgreement: agreement.overall,
    frechetDistance: fd,
    frechetRealVsReal: fdRealRef,
    classifierRealAccuracy: accuracy(realPred, realY),
    chance: 1 / shared.length,
    realImages: realY.length,
    generatedImages: evalGen.y.length,
    tstrTrainImages: tstrGen.y.length,
    embeddingDim: d,
    seconds,
  };
  const outFile = opts.out ? resolve(opts.out) : join(ganDir, 'quality.json');
  const classifierSource = fold ? `cross-validation fold ${clsDir} (verified: none of the real test images on its training side)` : `run ${clsDir}`;
  await writeFile(outFile, JSON.stringify({ ...result, realSource, classifierSource, backend, perLabelAgreement: agreement.perLabel }, null, 2));
  console.log(`real images: ${realY.length} (${realSource}); generated: ${evalGen.y.length} (+${tstrGen.y.length} for TSTR)`);
  console.log(`(a) train-on-generated, test-on-real accuracy: ${tstrAcc.toFixed(4)}  (chance ${(1 / shared.length).toFixed(4)})`);
  console.log(`(b) label agreement of generated samples:       ${agreement.overall.toFixed(4)}  (classifier on real: ${result.classifierRealAccuracy.toFixed(4)})`);
  console.log(`(c) Fréchet distance (embedding, d=${d}):        ${fd.toFixed(4)}  (real vs other real images: ${fdRealRef.toFixed(4)})`);
  console.log(`(${seconds.toFixed(0)} s) → ${outFile}`);
  return result;
}
