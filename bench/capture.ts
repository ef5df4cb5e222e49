// `npm run bench:capture`: lookup on tight crops vs rough captures of the same signatures (issue 20).
//
// The registration sheets are ingested (`sig ingest`'s code); a classifier is trained on every student's
// signatures 1–3 with the best recipe of docs/evaluation.md (cached under --out by seed and by a hash of the
// shared preprocessing code, so a re-run or another bench reuses it; --model takes any `sig eval classifier`
// fold or run folder instead). Signature 4 of every student is then scored twice in the same run:
//   - tight: the crop `sig ingest` wrote (<ingest>/<id>/4.png);
//   - rough: cut again from the sheet photo as a person would (data/rough-capture.ts: the cell window grown
//     20–60 % into the neighbouring cells, shifted, sometimes clipping the signature by up to 10 %, 1× or 2–4×
//     upscaled, rotated and keystoned a little, other brightness/contrast), then JPEG-compressed (quality
//     55–90) and decoded like an upload. Deterministic per --seed; the JPEGs are kept in <out>/rough-seed<N>/.
// An image the preprocessing refuses (NoSignatureError) counts as a miss. With --unlocated, both sets are
// also scored with the preprocessing before the signature locator (`locate: false`) on the same model.
// The last line: top-1 tight and rough (current preprocessing) and the gap in points.
//
//   npm run bench:capture -- [--sheets <dir>] [--seed 1] [--model <run or fold dir>] [--embedding <dir>]
//                            [--out .cache/capture] [--unlocated] [--captures-only]
// --captures-only writes the rough captures and counts what the preprocessing refuses, without a model.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs-core';
import { inkBoundingBox, isNoSignatureError, preprocess, PreprocessConfig, removeRuledLines, Rng, type PreprocessOptions, type RawImage } from '@sig/shared';
import { decodeImage } from '@sig/shared/node/image-io.ts';
import { selectBackend } from '../apps/trainer/src/backend/select.ts';
import { loadFolderDataset } from '../apps/trainer/src/data/folder-dataset.ts';
import { roughCapture } from '../apps/trainer/src/data/rough-capture.ts';
import { crossValidate } from '../apps/trainer/src/evaluate/classifier-cross-validate.ts';
import { predictProbabilities } from '../apps/trainer/src/evaluate/classifier-predict.ts';
import { cropGray, innerBox } from '../apps/trainer/src/ingest/cell-crop.ts';
import { IngestReport } from '../apps/trainer/src/ingest/ingest-report.ts';
import { ingestSheets, listSheets } from '../apps/trainer/src/ingest/ingest-sheets.ts';
import { detectGrid } from '../apps/trainer/src/ingest/sheet-grid.ts';
import { loadSheet } from '../apps/trainer/src/ingest/sheet-image.ts';
import { CELL_INSET } from '../apps/trainer/src/ingest/signature-crop.ts';
import { loadModel } from '../apps/trainer/src/model/io.ts';

const { values: args } = parseArgs({
  options: {
    sheets: { type: 'string', default: '../shared/datasets/registration-sheets' },
    seed: { type: 'string', default: '1' },
    model: { type: 'string' },
    embedding: { type: 'string' },
    out: { type: 'string', default: '.cache/capture' },
    unlocated: { type: 'boolean', default: false },
    workers: { type: 'string', default: '2' },
    'captures-only': { type: 'boolean', default: false },
  },
});
const seed = Number(args.seed);
const out = resolve(args.out!);
/** The best single-model recipe of docs/evaluation.md (runs D, F–H, L). */
const RECIPE = {
  model: { inputHeight: 48, inputWidth: 96, widthMultiplier: 0.25, dropout: 0.1 },
  train: { epochs: 70, learningRate: 0.002, batchSize: 32, valFraction: 0, patience: 0, evalEvery: 0 },
};
const HELD_OUT = '4.png';

/** Hash of the shared preprocessing code and the recipe: a cached model is reused only while both are unchanged. */
function trainingKey(): string {
  const h = createHash('sha1').update(JSON.stringify(RECIPE));
  const dir = resolve('packages/shared/src/preprocess');
  for (const f of readdirSync(dir).sort()) h.update(f).update(readFileSync(join(dir, f)));
  return h.digest('hex').slice(0, 10);
}

/** The ingested sheets (cached in <out>/ingest). */
async function ingested(): Promise<{ dir: string; report: IngestReport }> {
  const dir = join(out, 'ingest');
  const reportPath = join(dir, 'ingest-report.json');
  if (!existsSync(reportPath)) await ingestSheets({ sheetsDir: args.sheets!, outDir: dir });
  return { dir, report: IngestReport.parse(JSON.parse(readFileSync(reportPath, 'utf8'))) };
}

/** The model folder (model.json) to score with: --model, or the cached training run (trained first when missing). */
async function modelDir(data: string): Promise<{ dir: string; trained: string }> {
  if (args.model) {
    const m = resolve(args.model);
    const dir = [m, join(m, 'model'), join(m, 'fold-1', 'model')].find((d) => existsSync(join(d, 'model.json')));
    if (!dir) throw new Error(`--model ${args.model}: no model.json in it, its model/ or fold-1/model/`);
    return { dir, trained: `given (${args.model})` };
  }
  const run = join(out, `model-seed${seed}-${trainingKey()}`);
  const dir = join(run, 'fold-1', 'model');
  if (existsSync(join(dir, 'model.json'))) return { dir, trained: `cached (${run})` };
  console.log(`training on signatures 1–3 of every student (seed ${seed}) → ${run}; this takes several minutes`);
  const t0 = performance.now();
  await crossValidate({ data, folds: 1, out: run, model: RECIPE.model, train: { ...RECIPE.train, seed }, engine: 'data-parallel', workers: Number(args.workers), quiet: true });
  return { dir, trained: `trained now in ${((performance.now() - t0) / 1000).toFixed(0)} s (${run})` };
}

/** Signature 4 of every ingested student cut roughly from its sheet photo; JPEG bytes by student ID. */
async function roughCaptures(report: IngestReport): Promise<Map<string, Uint8Array>> {
  const dir = join(out, `rough-seed${seed}`);
  await mkdir(dir, { recursive: true });
  const captures = new Map<string, Uint8Array>();
  for (const file of await listSheets(args.sheets!)) {
    const sheetReport = report.sheets.find((s) => s.file === basename(file));
    if (!sheetReport) continue;
    const { gray, threshold } = await loadSheet(file);
    const grid = detectGrid(gray, { threshold, signatureColumns: 4 });
    const clean = removeRuledLines(gray, { threshold });
    const photo = await decodeImage(file);
    for (const [r, cells] of grid.rows.entries()) {
      const id = sheetReport.rows[r]?.idWritten;
      if (id == null) continue;
      const q = cells[4];
      const cell = {
        x0: Math.min(q.topLeft.x, q.bottomLeft.x),
        x1: Math.max(q.topRight.x, q.bottomRight.x),
        y0: Math.min(q.topLeft.y, q.topRight.y),
        y1: Math.max(q.bottomLeft.y, q.bottomRight.y),
      };
      const inner = innerBox(q, CELL_INSET, gray.width, gray.height);
      const ink = inkBoundingBox(cropGray(clean, inner), threshold);
      const inkBounds = ink
        ? { x0: inner.x0 + ink.x, y0: inner.y0 + ink.y, x1: inner.x0 + ink.x + ink.width, y1: inner.y0 + ink.y + ink.height }
        : { x0: inner.x0, y0: inner.y0, x1: inner.x1, y1: inner.y1 };
      const rng = new Rng((seed * 1_000_003) ^ Math.imul(id, 0x9e3779b1));
      const { image } = roughCapture(photo, cell, inkBounds, rng);
      const quality = 55 + rng.int(36);
      const jpeg = new Uint8Array(await sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels as 1 | 3 | 4 } }).jpeg({ quality }).toBuffer());
      await writeFile(join(dir, `${id}.jpg`), jpeg);
      captures.set(String(id), jpeg);
    }
  }
  return captures;
}

interface Scores {
  n: number;
  top1: number;
  top5: number;
  refused: Record<string, number>;
}

/** Top-1/top-5 of `model` on images (a refusal is a miss); `labels` give each image's class index. */
async function score(model: Awaited<ReturnType<typeof loadModel>>, images: { raw: () => Promise<RawImage>; label: number }[], cfg: PreprocessConfig, opts: PreprocessOptions): Promise<Scores> {
  const px = cfg.width * cfg.height;
  const x = new Float32Array(images.length * px);
  const kept: number[] = [];
  const refused: Record<string, number> = {};
  for (const [i, im] of images.entries()) {
    try {
      x.set(preprocess(await im.raw(), cfg, opts).data, kept.length * px);
      kept.push(i);
    } catch (e) {
      if (!isNoSignatureError(e)) throw e;
      refused[e.reason] = (refused[e.reason] ?? 0) + 1;
    }
  }
  const y = Int32Array.from(kept, (i) => images[i].label);
  const set = { x: x.subarray(0, kept.length * px), y, groups: Int32Array.from(kept), n: kept.length, height: cfg.height, width: cfg.width };
  const probs = await predictProbabilities(model, set);
  const classes = probs.length / Math.max(1, kept.length);
  let top1 = 0;
  let top5 = 0;
  for (let k = 0; k < kept.length; k++) {
    const row = probs.subarray(k * classes, (k + 1) * classes);
    const p = row[y[k]];
    let rank = 0;
    for (const v of row) if (v > p) rank++;
    if (rank === 0) top1++;
    if (rank < 5) top5++;
  }
  return { n: images.length, top1: top1 / images.length, top5: top5 / images.length, refused };
}

const t0 = performance.now();
const { dir: data, report } = await ingested();
const index = await loadFolderDataset(data);
const captures = await roughCaptures(report);
if (args['captures-only']) {
  const cfg = PreprocessConfig.parse({ height: 48, width: 96 });
  for (const [name, files] of [['tight', index.items.filter((it) => basename(it.path) === HELD_OUT).map((it) => it.path)], ['rough', [...captures.values()]]] as const) {
    const refused: Record<string, number> = {};
    for (const f of files) {
      try {
        preprocess(await decodeImage(f), cfg);
      } catch (e) {
        if (!isNoSignatureError(e)) throw e;
        refused[e.reason] = (refused[e.reason] ?? 0) + 1;
      }
    }
    console.log(`${name}: ${files.length} images, refused ${JSON.stringify(refused)}`);
  }
  console.log(`rough captures → ${join(out, `rough-seed${seed}`)}`);
  process.exit(0);
}
// The backend first: training (when the model is not cached) builds layers on it.
await selectBackend(undefined, { log: () => {} });
const { dir, trained } = await modelDir(data);
const model = await loadModel(dir);
const [, height, width] = model.inputs[0].shape as number[];
const cfg = PreprocessConfig.parse({ height, width });
const labelOf = new Map(index.labels.map((l, i) => [l, i]));
const tight = index.items.filter((it) => basename(it.path) === HELD_OUT && captures.has(it.label));
const sets = {
  tight: tight.map((it) => ({ raw: () => decodeImage(it.path), label: it.labelIndex })),
  rough: tight.map((it) => ({ raw: () => decodeImage(captures.get(it.label)!), label: labelOf.get(it.label)! })),
};
const rows: [string, Scores][] = [];
for (const [name, opts] of [['', {}], ...(args.unlocated ? [[' (before the locator)', { locate: false }]] : [])] as [string, PreprocessOptions][]) {
  for (const [set, images] of Object.entries(sets)) rows.push([`${set}${name}`, await score(model, images, cfg, opts)]);
}
tf.disposeVariables();
console.log(`bench:capture — seed ${seed}, ${tight.length} students' signature 4, classifier ${dir} (${trained}), input ${height}x${width}; load ${loadavg()[0].toFixed(1)}; ${((performance.now() - t0) / 1000).toFixed(0)} s`);
console.log('| images | n | top-1 | top-5 | refused |');
console.log('| --- | --- | --- | --- | --- |');
for (const [name, s] of rows) {
  console.log(`| ${name} | ${s.n} | ${s.top1.toFixed(4)} | ${s.top5.toFixed(4)} | ${Object.entries(s.refused).map(([k, v]) => `${k} ${v}`).join(', ') || '0'} |`);
}
console.log(args.embedding ? `embedding lookup: --embedding ${args.embedding} is not wired in yet (no embedding model in this checkout)` : 'embedding lookup: not measured (no embedding model in this checkout; --embedding reserved for it)');
await writeFile(join(out, `capture-seed${seed}.json`), JSON.stringify({ seed, model: dir, trained, input: [height, width], rows: Object.fromEntries(rows) }, null, 2));
const [tightS, roughS] = [rows[0][1], rows[1][1]];
console.log(`top-1 tight ${tightS.top1.toFixed(2)}, rough ${roughS.top1.toFixed(2)}: gap ${((tightS.top1 - roughS.top1) * 100).toFixed(1)} points`);
