// `npm run bench:embedding`: embedding inference time per signature in onnxruntime-node on one thread (the
// issue's target: ≤ 5 ms), one signature per call and in batches of 32, beside two peers measured in the same
// run on the same preprocessed images: TensorFlow.js (the trainer's fastest backend here) on the same trained
// model, and the committed classifier.onnx (the same convolution trunk at its own input size).
//
//   npm run bench:embedding -- [--models models] [--run <embeddingRunDir>] [--n 300]
//
// Inputs are synthetic signatures (sig synth's generator) preprocessed as the manifest says: no user data.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import * as tf from '@tensorflow/tfjs-core';
import { preprocess, type EmbeddingEntry } from '@sig/shared';
import { synthesizeOne } from '../apps/trainer/src/data/synth/synthesize.ts';
import { readManifest } from '../apps/trainer/src/export/manifest.ts';

const { values: args } = parseArgs({ options: { models: { type: 'string', default: 'models' }, run: { type: 'string' }, n: { type: 'string', default: '300' } } });
const n = Number(args.n);
const manifest = await readManifest(args.models!);
const entry = manifest.models.find((m): m is EmbeddingEntry => m.kind === 'embedding' && !m.variantOf);
if (!entry) throw new Error(`${args.models}/manifest.json has no embedding`);

/** `count` preprocessed synthetic signatures for a model of this input size. */
function images(height: number, width: number, count: number, range = entry!.preprocess.range): Float32Array[] {
  return Array.from({ length: count }, (_, i) => preprocess({ ...synthesizeOne(77, i % 40, i), channels: 1 }, { ...entry!.preprocess, height, width, range }).data);
}

/** Median and 95th percentile of `ms`. */
function stats(ms: number[]): { median: number; p95: number } {
  const s = [...ms].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], p95: s[Math.floor(s.length * 0.95)] };
}

async function onnxTimes(file: string, input: string, h: number, w: number, batch: number): Promise<{ median: number; p95: number }> {
  const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
  const imgs = images(h, w, 64);
  const feed = (k: number) => {
    const x = new Float32Array(batch * h * w);
    for (let j = 0; j < batch; j++) x.set(imgs[(k + j) % imgs.length], j * h * w);
    return { [input]: new ort.Tensor('float32', x, [batch, h, w, 1]) };
  };
  for (let k = 0; k < 10; k++) await session.run(feed(k));
  const ms: number[] = [];
  const calls = Math.max(5, Math.round(n / batch));
  for (let k = 0; k < calls; k++) {
    const f = feed(k);
    const t0 = performance.now();
    await session.run(f);
    ms.push((performance.now() - t0) / batch);
  }
  await session.release();
  return stats(ms);
}

const [, h, w] = entry.inputs[0].shape as [string, number, number, number];
const rows: { what: string; median: number; p95: number }[] = [];
for (const batch of [1, 32]) rows.push({ what: `embedding.onnx, onnxruntime-node 1 thread, batch ${batch}`, ...(await onnxTimes(join(args.models!, entry.file), entry.inputs[0].name, h, w, batch)) });
const classifier = manifest.models.find((m) => m.kind === 'classifier' && !m.variantOf);
if (classifier) {
  const [, ch, cw] = classifier.inputs[0].shape as [string, number, number, number];
  rows.push({ what: `peer: classifier.onnx (${ch}×${cw}), onnxruntime-node 1 thread, batch 1`, ...(await onnxTimes(join(args.models!, classifier.file), classifier.inputs[0].name, ch, cw, 1)) });
}
if (args.run) {
  const { selectBackend } = await import('../apps/trainer/src/backend/select.ts');
  const backend = await selectBackend('auto', { log: () => {} });
  await import('../apps/trainer/src/model/embedding-layers.ts');
  const { loadModel } = await import('../apps/trainer/src/model/io.ts');
  const model = await loadModel(join(args.run, 'model'));
  const imgs = images(h, w, 64);
  const ms: number[] = [];
  for (let k = 0; k < Math.min(n, 200) + 10; k++) {
    const t0 = performance.now();
    const y = tf.tidy(() => model.predict(tf.tensor4d(imgs[k % imgs.length], [1, h, w, 1])) as tf.Tensor);
    await y.data();
    y.dispose();
    if (k >= 10) ms.push(performance.now() - t0);
  }
  rows.push({ what: `peer: the same model in TensorFlow.js (${backend}), batch 1`, ...stats(ms) });
}
const base = rows[0].median;
console.log(`embedding ${entry.name} (${h}×${w}, dim ${entry.embeddingDim}), ${n} signatures, ms per signature:`);
for (const r of rows) console.log(`  ${r.what.padEnd(72)} median ${r.median.toFixed(3)}  p95 ${r.p95.toFixed(3)}  (${(r.median / base).toFixed(2)}× the first row)`);
console.log(`target ≤ 5 ms per signature on one thread: ${base <= 5 ? 'met' : 'NOT met'} (median ${base.toFixed(3)} ms)`);
