// `npm run bench:capture`: lookup on tight crops vs rough captures of the same signatures (issue 20).
//
// The registration sheets are ingested (`sig ingest`'s code); a classifier is trained on every student's
// signatures 1–3 with the best recipe of docs/evaluation.md (cached under --out by seed and by a hash of the
// shared preprocessing code, so a re-run or another bench reuses it; --model takes any `sig eval classifier`
// fold or run folder instead). Signature 4 of every student is then scored twice in the same run:
//   - tight: the crop `sig ingest` wrote (<ingest>/<id>/4.png);
//   - rough: cut again from the sheet photo as a person would (ingest/sheet-rough-captures.ts: the cell window
//     grown 20–60 % into the neighbouring cells, shifted, sometimes clipping the signature by up to 10 %, 1× or
//     2–4× upscaled, rotated and keystoned a little, other brightness/contrast), then JPEG-compressed (quality
//     55–90) and decoded like an upload. Deterministic per --seed; the JPEGs are kept in <out>/rough-seed<N>/.
// An image the preprocessing refuses (NoSignatureError) counts as a miss. With --unlocated, both sets are
// also scored with the preprocessing before the signature locator (`locate: false`) on the same model.
//
// --rough-train N is the training's `roughCopies` (default: the classifier's default, 8): N rough captures of
// each of signatures 1–3 (never 4; their own random stream) trained on in their original's group, at the
// recipe's step count (train/rough-copies.ts); 0 trains on the tight crops only.
//
// The embedding lookup (the manifest's `embedding` model under --embedding, default models/): signatures 1–3
// of every student (tight crops) are enrolled in the shared EmbeddingIndex and signature 4 is identified,
// tight and rough; rows also for the students outside --embedding-seen (those the model never trained on).
// The last line: the classifier's top-1 tight and rough and the gap in points, then the embedding's.
//
//   npm run bench:capture -- [--sheets <dir>] [--seed 1] [--model <run or fold dir>] [--rough-train N]
//                            [--embedding models] [--embedding-seen 1-92] [--out .cache/capture]
//                            [--unlocated] [--captures-only]
// --captures-only writes the rough test captures and counts what the preprocessing refuses, without a model.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { ClassifierTrainConfig, embed, EmbeddingIndex, isNoSignatureError, preprocess, PreprocessConfig, type PreprocessOptions, type RawImage } from '@sig/shared';
import { decodeImage } from '@sig/shared/node/image-io.ts';
import { localModels } from '../apps/inference-server/src/gallery/index.ts';
import { selectBackend } from '../apps/trainer/src/backend/select.ts';
import { writerSelected } from '../apps/trainer/src/data/dataset-spec.ts';
import { loadFolderDataset, type DatasetIndex } from '../apps/trainer/src/data/folder-dataset.ts';
import { crossValidate } from '../apps/trainer/src/evaluate/classifier-cross-validate.ts';
import { predictProbabilities } from '../apps/trainer/src/evaluate/classifier-predict.ts';
import { IngestReport } from '../apps/trainer/src/ingest/ingest-report.ts';
import { ingestSheets } from '../apps/trainer/src/ingest/ingest-sheets.ts';
import { sheetRoughCaptures } from '../apps/trainer/src/ingest/sheet-rough-captures.ts';
import { loadModel } from '../apps/trainer/src/model/io.ts';

const { values: args } = parseArgs({
  options: {
    sheets: { type: 'string', default: '../shared/datasets/registration-sheets' },
    seed: { type: 'string', default: '1' },
    model: { type: 'string' },
    'rough-train': { type: 'string', default: String(ClassifierTrainConfig.parse({}).roughCopies) },
    embedding: { type: 'string', default: 'models' },
    // The committed embedding model trained on the sheets' students 1–92 (all four signatures): see its manifest entry.
    'embedding-seen': { type: 'string', default: '1-92' },
    out: { type: 'string', default: '.cache/capture' },
    unlocated: { type: 'boolean', default: false },
    workers: { type: 'string', default: '2' },
    'captures-only': { type: 'boolean', default: false },
  },
});
const seed = Number(args.seed);
const roughTrain = Number(args['rough-train']);
if (!Number.isInteger(roughTrain) || roughTrain < 0) throw new Error(`--rough-train must be a whole number ≥ 0, got ${args['rough-train']}`);
const out = resolve(args.out!);
/** The best single-model recipe of docs/evaluation.md (runs D, F–H, L). */
const RECIPE = {
  model: { inputHeight: 48, inputWidth: 96, widthMultiplier: 0.25, dropout: 0.1 },
  train: { epochs: 70, learningRate: 0.002, batchSize: 32, valFraction: 0, patience: 0, evalEvery: 0 },
};
const HELD_OUT_SIGNATURE = 4;
const HELD_OUT = `${HELD_OUT_SIGNATURE}.png`;
const ENROLLED = new Set(['1.png', '2.png', '3.png']);

/** Hashes the files of `dir` into `h`, in name order. */
function hashDir(h: ReturnType<typeof createHash>, dir: string, only?: (f: string) => boolean): void {
  for (const f of readdirSync(dir).sort()) if (!only || only(f)) h.update(f).update(readFileSync(join(dir, f)));
}

/**
 * Hash of the shared preprocessing code and the recipe (and, with --rough-train, its count and the capture
 * code): a cached model is reused only while all are unchanged. Without --rough-train the key is the one
 * the bench has always used, so earlier cached models stay valid.
 */
function trainingKey(): string {
  const h = createHash('sha1').update(JSON.stringify(RECIPE));
  hashDir(h, resolve('packages/shared/src/preprocess'));
  if (roughTrain > 0) {
    h.update(`rough-train ${roughTrain}`);
    hashDir(h, resolve('apps/trainer/src/data'), (f) => f === 'rough-capture.ts');
    hashDir(h, resolve('apps/trainer/src/ingest'), (f) => f === 'sheet-rough-captures.ts');
    hashDir(h, resolve('apps/trainer/src/train'), (f) => f === 'rough-copies.ts');
  }
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
  const train = { ...RECIPE.train, seed, roughCopies: roughTrain };
  console.log(`training on signatures 1–3 of every student (seed ${seed}${roughTrain ? `, ${roughTrain} rough captures of each` : ''}) → ${run}; this takes several minutes`);
  const t0 = performance.now();
  await crossValidate({ data, folds: 1, out: run, model: RECIPE.model, train, engine: 'data-parallel', workers: Number(args.workers), quiet: true });
  return { dir, trained: `trained now in ${((performance.now() - t0) / 1000).toFixed(0)} s (${run})` };
}

/** Signature 4 of every ingested student cut roughly from its sheet photo (the test stream); JPEG bytes by student ID. */
async function roughCaptures(report: IngestReport): Promise<Map<string, Uint8Array>> {
  const dir = join(out, `rough-seed${seed}`);
  await mkdir(dir, { recursive: true });
  const captures = new Map<string, Uint8Array>();
  for await (const c of sheetRoughCaptures({ sheetsDir: args.sheets!, report, signatures: [HELD_OUT_SIGNATURE], seed, stream: 'test' })) {
    await writeFile(join(dir, `${c.id}.jpg`), c.jpeg);
    captures.set(String(c.id), c.jpeg);
  }
  return captures;
}

interface Scores {
  n: number;
  top1: number;
  top5: number;
  refused: Record<string, number>;
}

/** A query image: how to decode it and its true student. */
interface Query {
  raw: () => Promise<RawImage>;
  label: string;
}

/** Counts top-1/top-5 from each kept query's rank (0 = first); refusals are misses. */
function tally(ranks: number[], n: number, refused: Record<string, number>): Scores {
  return { n, top1: ranks.filter((r) => r === 0).length / n, top5: ranks.filter((r) => r < 5).length / n, refused };
}

/** Top-1/top-5 of the classifier on `queries` (a refusal is a miss). */
async function scoreClassifier(model: Awaited<ReturnType<typeof loadModel>>, classOf: Map<string, number>, queries: Query[], cfg: PreprocessConfig, opts: PreprocessOptions): Promise<Scores> {
  const px = cfg.width * cfg.height;
  const x = new Float32Array(queries.length * px);
  const kept: number[] = [];
  const refused: Record<string, number> = {};
  for (const [i, q] of queries.entries()) {
    try {
      x.set(preprocess(await q.raw(), cfg, opts).data, kept.length * px);
      kept.push(i);
    } catch (e) {
      if (!isNoSignatureError(e)) throw e;
      refused[e.reason] = (refused[e.reason] ?? 0) + 1;
    }
  }
  const y = Int32Array.from(kept, (i) => classOf.get(queries[i].label)!);
  const set = { x: x.subarray(0, kept.length * px), y, groups: Int32Array.from(kept), n: kept.length, height: cfg.height, width: cfg.width };
  const probs = await predictProbabilities(model, set);
  const classes = probs.length / Math.max(1, kept.length);
  const ranks = kept.map((_, k) => {
    const row = probs.subarray(k * classes, (k + 1) * classes);
    let rank = 0;
    for (const v of row) if (v > row[y[k]]) rank++;
    return rank;
  });
  return tally(ranks, queries.length, refused);
}

/**
 * The embedding lookup: signatures 1–3 of the queries' students enrolled (tight crops) in an EmbeddingIndex,
 * each query identified among them; rows for every student and for those the model never trained on.
 * Null (with the reason) when --embedding holds no embedding model.
 */
async function embeddingRows(index: DatasetIndex, sets: Record<string, Query[]>): Promise<{ rows: [string, Scores][]; model: string } | { missing: string }> {
  const models = await localModels(resolve(args.embedding!), ['embedding']).catch((e: Error) => e);
  if (models instanceof Error) return { missing: models.message };
  const entry = models.entries().find((e) => e.kind === 'embedding');
  if (!entry) return { missing: `no embedding model in ${args.embedding}/manifest.json` };
  try {
    const ctx = await models.context(entry);
    const vector = async (raw: RawImage) => (await embed(ctx, entry, [preprocess(raw, entry.preprocess)]))[0];
    const students = new Set(Object.values(sets).flatMap((s) => s.map((q) => q.label)));
    const refs = index.items.filter((it) => students.has(it.label) && ENROLLED.has(basename(it.path)));
    const gallery = new EmbeddingIndex((await vector(await decodeImage(refs[0].path))).length, refs.length);
    for (const it of refs) gallery.add([{ signatureId: it.path, studentId: it.label, vector: await vector(await decodeImage(it.path)) }]);
    const rows: [string, Scores][] = [];
    const unseen = (label: string) => !writerSelected(label, args['embedding-seen']!);
    for (const [name, queries] of Object.entries(sets)) {
      const ranks = new Map<Query, number>();
      const refused = new Map<Query, string>();
      for (const q of queries) {
        try {
          const top = gallery.search(await vector(await q.raw()), 5);
          const at = top.findIndex((s) => s.id === q.label);
          ranks.set(q, at < 0 ? 5 : at);
        } catch (e) {
          if (!isNoSignatureError(e)) throw e;
          refused.set(q, e.reason);
        }
      }
      for (const [suffix, keep] of [['', () => true], [` (students outside ${args['embedding-seen']})`, unseen]] as const) {
        const qs = queries.filter((q) => keep(q.label));
        const why: Record<string, number> = {};
        for (const q of qs) if (refused.has(q)) why[refused.get(q)!] = (why[refused.get(q)!] ?? 0) + 1;
        rows.push([`${name}${suffix}`, tally(qs.filter((q) => ranks.has(q)).map((q) => ranks.get(q)!), qs.length, why)]);
      }
    }
    return { rows, model: `${entry.name} ${entry.version}, ${entry.preprocess.height}x${entry.preprocess.width}, ${refs.length} references of ${students.size} students` };
  } finally {
    await models.close();
  }
}

const printRows = (rows: [string, Scores][]) => {
  console.log('| images | n | top-1 | top-5 | refused |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const [name, s] of rows) {
    console.log(`| ${name} | ${s.n} | ${s.top1.toFixed(4)} | ${s.top5.toFixed(4)} | ${Object.entries(s.refused).map(([k, v]) => `${k} ${v}`).join(', ') || '0'} |`);
  }
};
const gapLine = (t: Scores, r: Scores) => `top-1 tight ${t.top1.toFixed(2)}, rough ${r.top1.toFixed(2)}: gap ${((t.top1 - r.top1) * 100).toFixed(1)} points`;

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
const classOf = new Map(index.labels.map((l, i) => [l, i]));
const tight = index.items.filter((it) => basename(it.path) === HELD_OUT && captures.has(it.label));
const sets: Record<string, Query[]> = {
  tight: tight.map((it) => ({ raw: () => decodeImage(it.path), label: it.label })),
  rough: tight.map((it) => ({ raw: () => decodeImage(captures.get(it.label)!), label: it.label })),
};
const rows: [string, Scores][] = [];
for (const [name, opts] of [['', {}], ...(args.unlocated ? [[' (before the locator)', { locate: false }]] : [])] as [string, PreprocessOptions][]) {
  for (const [set, queries] of Object.entries(sets)) rows.push([`${set}${name}`, await scoreClassifier(model, classOf, queries, cfg, opts)]);
}
tf.disposeVariables();
const emb = await embeddingRows(index, sets);
console.log(`bench:capture — seed ${seed}, ${tight.length} students' signature 4; load ${loadavg()[0].toFixed(1)}; ${((performance.now() - t0) / 1000).toFixed(0)} s`);
console.log(`\nclassifier ${dir} (${trained}), input ${height}x${width}`);
printRows(rows);
if ('rows' in emb) {
  console.log(`\nembedding lookup: ${emb.model}`);
  printRows(emb.rows);
} else console.log(`\nembedding lookup: not measured (${emb.missing})`);
await writeFile(
  join(out, `capture-seed${seed}.json`),
  JSON.stringify({ seed, model: dir, trained, roughTrain, input: [height, width], rows: Object.fromEntries(rows), embedding: 'rows' in emb ? { model: emb.model, rows: Object.fromEntries(emb.rows) } : emb }, null, 2),
);
console.log(`\nclassifier ${gapLine(rows[0][1], rows[1][1])}${'rows' in emb ? `; embedding ${gapLine(emb.rows[0][1], emb.rows[2][1])}` : ''}`);
