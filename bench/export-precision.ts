// `npm run bench:export`: what --fp16 and --int8 cost and buy for a trained classifier. Exports the run at
// fp32, fp16 and int8 (each parity-checked by exportRun), then runs every file with onnxruntime-node on the
// same held-out images and prints file size and top-1 accuracy side by side (plus agreement with fp32).
//
//   npm run bench:export -- --run <classifierRunDir> [--data <heldOutDatasetDir>] [--max 0]
//   npm run bench:export -- --sizes     (no trained run needed: file sizes and parity of the reference
//                                        architectures at their default configs, 184 classes, untrained)
//
// Held-out images: by default the run's own validation split (the signatures `sig train classifier` kept out
// of training, rebuilt with the run's seed and fraction); --data instead takes a folder dataset (one
// sub-folder per label, named as in the run's labels) that the run did not train on.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../apps/trainer/src/backend/select.ts';
import { exportRun } from '../apps/trainer/src/export/export-run.ts';
import { readRunInfo } from '../apps/trainer/src/train/run-json.ts';
import { loadLabelledImages } from '../apps/trainer/src/export/real-samples.ts';
import { loadModel } from '../apps/trainer/src/model/io.ts';

const { values: args } = parseArgs({
  options: {
    run: { type: 'string' },
    data: { type: 'string' },
    max: { type: 'string', default: '0' },
    backend: { type: 'string', default: 'auto' },
    sizes: { type: 'boolean', default: false },
  },
});
if (args.sizes) {
  await selectBackend(args.backend);
  await referenceSizes();
  process.exit(0);
}
if (!args.run) {
  console.error('usage: npm run bench:export -- --run <classifierRunDir> [--data <heldOutDatasetDir>] [--max N] | --sizes');
  process.exit(2);
}
await selectBackend(args.backend);
const run = await readRunInfo(args.run);
if (run.kind !== 'classifier') throw new Error(`${args.run} is a ${run.kind} run; this benchmark measures a classifier`);
const held = args.data ? await loadLabelledImages(args.data, run.labels, run.preprocess, Number(args.max)) : await validationImages();
if (held.count === 0) throw new Error(`no held-out images (labels ${run.labels.slice(0, 5).join(', ')}, ...)`);
console.log(`held-out: ${held.count} images from ${args.data ?? `the run's validation split of ${run.dataset.path}`}, ${run.labels.length} classes`);

/** The run's validation split, rebuilt exactly as the classifier trainer built it. */
async function validationImages(): Promise<{ data: Float32Array; labels: Int32Array; count: number }> {
  const { validationSplit, loadImageSet } = await import('../apps/trainer/src/train/classifier-run.ts');
  const { loadFolderDataset } = await import('../apps/trainer/src/data/index.ts');
  const train = (run.config.train ?? {}) as { valFraction?: number; seed?: number };
  if (!train.valFraction) throw new Error(`${args.run} kept no validation split; pass --data <heldOutDatasetDir>`);
  const index = await loadFolderDataset(run.dataset.path);
  if (index.labels.join('\0') !== run.labels.join('\0')) throw new Error(`${run.dataset.path} no longer has the run's classes`);
  const { val } = validationSplit(index, index.items, train.valFraction, train.seed ?? run.seed);
  const max = Number(args.max);
  const set = await loadImageSet(max > 0 ? val.slice(0, max) : val, run.preprocess);
  return { data: set.x, labels: set.y, count: set.n };
}

const dir = await mkdtemp(join(tmpdir(), 'bench-export-'));
const exported = await exportRun(args.run, dir, { precisions: ['fp16', 'int8'], log: (l) => console.log(`  ${l}`) });

const { height: H, width: W } = run.preprocess;
const classes = run.labels.length;
const BATCH = 64;

function argmaxRows(probs: Float32Array, n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < classes; j++) if (probs[i * classes + j] > probs[i * classes + best]) best = j;
    out[i] = best;
  }
  return out;
}

async function predictOnnx(file: string): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(file);
  const out = new Float32Array(held.count * classes);
  for (let lo = 0; lo < held.count; lo += BATCH) {
    const n = Math.min(BATCH, held.count - lo);
    const x = new ort.Tensor('float32', held.data.slice(lo * H * W, (lo + n) * H * W), [n, H, W, 1]);
    const res = await session.run({ [session.inputNames[0]]: x });
    out.set(res[session.outputNames[0]].data as Float32Array, lo * classes);
  }
  await session.release();
  return out;
}

// TF.js reference on the same images (the model as trained).
const model = await loadModel(join(args.run, 'model'));
const tfProbs = new Float32Array(held.count * classes);
for (let lo = 0; lo < held.count; lo += BATCH) {
  const n = Math.min(BATCH, held.count - lo);
  const y = tf.tidy(() => model.predict(tf.tensor(held.data.slice(lo * H * W, (lo + n) * H * W), [n, H, W, 1])) as tf.Tensor);
  tfProbs.set(y.dataSync() as Float32Array, lo * classes);
  y.dispose();
}

const accuracy = (pred: Int32Array): number => pred.reduce((a, p, i) => a + (p === held.labels[i] ? 1 : 0), 0) / held.count;
const tfPred = argmaxRows(tfProbs, held.count);
const rows: string[] = [];
let fp32: { bytes: number; acc: number; pred: Int32Array; probs: Float32Array } | undefined;
for (const e of exported) {
  const probs = await predictOnnx(e.file);
  const pred = argmaxRows(probs, held.count);
  const acc = accuracy(pred);
  fp32 ??= { bytes: e.entry.bytes, acc, pred, probs };
  const agree = pred.reduce((a, p, i) => a + (p === fp32!.pred[i] ? 1 : 0), 0) / held.count;
  let maxDiff = 0;
  for (let i = 0; i < probs.length; i++) maxDiff = Math.max(maxDiff, Math.abs(probs[i] - fp32.probs[i]));
  rows.push(
    `| ${e.entry.precision} | ${(e.entry.bytes / 1024).toFixed(1)} KiB | ${(e.entry.bytes / fp32.bytes).toFixed(2)}× | ` +
      `${(acc * 100).toFixed(2)}% | ${((acc - fp32.acc) * 100).toFixed(2)} pp | ${(agree * 100).toFixed(2)}% | ${maxDiff.toExponential(1)} | ` +
      `${e.parity.maxAbsDiff.toExponential(1)} (≤ ${e.parity.tolerance}) |`,
  );
}
console.log(`\nTF.js (as trained, ${tf.getBackend()}): top-1 ${(accuracy(tfPred) * 100).toFixed(2)}% on ${held.count} held-out images\n`);
console.log('| precision | file | size vs fp32 | held-out top-1 | Δ vs fp32 | argmax = fp32 | max abs Δp vs fp32 | export parity vs TF.js |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);

/** Size of each precision for the reference architectures (weights random: size and parity do not need training). */
async function referenceSizes(): Promise<void> {
  const { buildClassifier } = await import('../apps/trainer/src/model/classifier.ts');
  const { buildGenerator } = await import('../apps/trainer/src/model/cgan.ts');
  const { buildRealFake } = await import('../apps/trainer/src/model/realfake.ts');
  const { exportLayersModel } = await import('../apps/trainer/src/export/onnx/export-layers-model.ts');
  const { checkParity, PARITY_LIMITS } = await import('../apps/trainer/src/export/parity.ts');
  const { inputKinds } = await import('../apps/trainer/src/export/export-run.ts');
  const archs = [
    ['classifier (width 0.25, 64×128, 184 classes)', () => buildClassifier({ classes: 184, inputHeight: 64, inputWidth: 128, widthMultiplier: 0.25 })],
    ['generator (z 100, 64×64, 184 labels)', () => buildGenerator({ numClasses: 184, genFilters: 128, discFilters: 64 })],
    ['realfake (64×64)', () => buildRealFake({})],
  ] as const;
  console.log('| model | fp32 | fp16 | int8 | parity max abs Δ fp32 / fp16 / int8 (32 random inputs) |');
  console.log('|---|---|---|---|---|');
  for (const [name, build] of archs) {
    const model = build();
    const sizes: string[] = [];
    const diffs: string[] = [];
    let fp32 = 0;
    for (const precision of ['fp32', 'fp16', 'int8'] as const) {
      const bytes = await exportLayersModel(model, { precision });
      fp32 ||= bytes.length;
      const r = await checkParity(model, bytes, { ...PARITY_LIMITS[precision], inputKinds: inputKinds(model) });
      sizes.push(precision === 'fp32' ? `${(bytes.length / 1048576).toFixed(2)} MiB` : `${(bytes.length / 1048576).toFixed(2)} MiB (${(bytes.length / fp32).toFixed(2)}×)`);
      diffs.push(r.maxAbsDiff.toExponential(1));
    }
    console.log(`| ${name} | ${sizes.join(' | ')} | ${diffs.join(' / ')} |`);
    model.dispose();
  }
}
