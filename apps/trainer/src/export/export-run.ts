// Exports a training run folder (classifier, CGAN generator or real/fake detector) into a models folder:
// <name>.onnx (+ <name>.fp16.onnx / <name>.int8.onnx), each parity-checked before it is written, and the
// matching models/manifest.json entries.
import { readFile, writeFile, mkdir, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { RunInfo, UserError, type ModelEntry, type ModelKind, type OutputScores } from '@sig/shared';
import { GENERATOR_INPUTS } from '../model/cgan.ts';
import { loadModel } from '../model/io.ts';
import { parseDatasetSpec } from '../data/dataset-spec.ts';
import '../model/embedding-layers.ts'; // registers the embedding's layers before a model is loaded
import { buildOnnxGraph, tensorSpecs, type Precision } from './onnx/export-layers-model.ts';
import { serializeGraph } from './onnx/serialize.ts';
import { sha256Hex, updateManifest } from './manifest.ts';
import { describeTraining } from './training-description.ts';
import { assertParity, checkParity, PARITY_LIMITS, type InputKind, type ParityReport } from './parity.ts';
import { loadRealSamples } from './real-samples.ts';
import { readRunInfo } from '../train/run-json.ts';

export interface ExportRunOptions {
  /** Extra precisions besides fp32 (always exported: it is the reference). */
  precisions?: Precision[];
  /** Manifest name of the fp32 model (default: from the run, see {@link modelName}). */
  name?: string;
  version?: string;
  /** Real images from the run's dataset used in the parity check (default 16; 0 = random inputs only). */
  realSamples?: number;
  /** A generator's served latent truncation, recorded in its manifest entry (default: none). */
  truncation?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface ExportedModel {
  entry: ModelEntry;
  /** Absolute or relative path of the written .onnx file. */
  file: string;
  parity: ParityReport;
}

/** The manifest name for a run: its own name, except that a CGAN run named 'cgan' exports as 'generator'. */
export function modelName(run: RunInfo): string {
  const name = run.kind === 'cgan' && run.name === 'cgan' ? 'generator' : run.name;
  return name.toLowerCase().replace(/[^a-z0-9._-]/g, '-');
}

const MODEL_KIND: Record<Exclude<RunInfo['kind'], 'verifier'>, ModelKind> = { classifier: 'classifier', cgan: 'generator', realfake: 'realfake', embedding: 'embedding' };

/** Held-out metrics: run.json's, overridden by the numbers in metrics.json (nested objects flattened a.b). */
async function readMetrics(runDir: string, run: RunInfo): Promise<Record<string, number>> {
  const out: Record<string, number> = { ...run.metrics };
  let json: unknown;
  try {
    json = JSON.parse(await readFile(join(runDir, 'metrics.json'), 'utf8'));
  } catch {
    return out;
  }
  const walk = (v: unknown, prefix: string, depth: number): void => {
    if (typeof v === 'number' && Number.isFinite(v)) out[prefix] = v;
    else if (v && typeof v === 'object' && !Array.isArray(v) && depth < 3) {
      for (const [k, x] of Object.entries(v)) walk(x, prefix ? `${prefix}.${k}` : k, depth + 1);
    }
  };
  walk(json, '', 0);
  return out;
}

/**
 * What the model's first output holds, read from the activation of the layer that produces it (softmax or
 * sigmoid: probabilities; none: logits), so the pipeline never has to guess from the values.
 */
export function outputScores(model: tfl.LayersModel): OutputScores {
  const layer = model.outputs[0].sourceLayer;
  const activation = layer.getConfig().activation;
  if (activation === 'softmax' || activation === 'sigmoid') return 'probabilities';
  if (activation === 'linear' || activation === undefined) return 'logits';
  throw new UserError(`${model.name}: output layer ${layer.name} ends in ${String(activation)}, neither probabilities nor logits`);
}

/** The fields only one kind of entry has, as recorded from the run and the model. */
function kindFields(run: RunInfo, model: tfl.LayersModel, modelDir: string, truncation?: number) {
  if (run.kind === 'cgan') {
    if (!run.latentDim) throw new UserError(`${modelDir}: a generator run needs latentDim in run.json`);
    const names = model.inputs.map((t) => t.sourceLayer.name);
    for (const n of Object.values(GENERATOR_INPUTS)) {
      if (!names.includes(n)) throw new UserError(`${modelDir}: the generator has no input '${n}' (inputs: ${names.join(', ')})`);
    }
    return { kind: 'generator' as const, latentDim: run.latentDim, latentInput: GENERATOR_INPUTS.latent, labelInput: GENERATOR_INPUTS.label, ...(truncation ? { truncation } : {}) };
  }
  if (run.kind === 'realfake') return { kind: 'realfake' as const, scores: outputScores(model), threshold: run.threshold };
  if (run.kind === 'embedding') {
    if (!run.embeddingDim || !run.thresholds) throw new UserError(`${modelDir}: an embedding run needs embeddingDim and thresholds in run.json`);
    return { kind: 'embedding' as const, embeddingDim: run.embeddingDim, similarity: 'cosine' as const, thresholds: run.thresholds, calibration: run.calibration };
  }
  return { kind: 'classifier' as const, scores: outputScores(model) };
}

/** How parity draws each input: labels one-hot, images uniform, latent vectors normal. */
export function inputKinds(model: tfl.LayersModel): InputKind[] {
  return model.inputs.map((t) => (/label/i.test(t.sourceLayer.name) ? 'onehot' : t.shape.length === 4 ? 'image' : 'normal'));
}

/**
 * A run's dataset path as the manifest records it: relative to the folder `sig export` runs in when the dataset
 * lies inside it (run.json keeps absolute paths; a committed manifest must not carry one machine's folders).
 */
export function portablePath(path: string, cwd = process.cwd()): string {
  if (!isAbsolute(path)) return path;
  const rel = relative(cwd, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel) ? rel : path;
}

/** Exports one run folder into `modelsDir` and updates its manifest; refuses (UserError) when parity fails. */
export async function exportRun(runDir: string, modelsDir: string, opts: ExportRunOptions = {}): Promise<ExportedModel[]> {
  const log = opts.log ?? (() => {});
  const run = await readRunInfo(runDir);
  if (run.kind === 'verifier') throw new UserError(`${runDir}: a pairwise verifier is not exported yet; score with it through \`sig eval verification --verifier ${runDir}\``);
  const modelDir = run.kind === 'cgan' ? join(runDir, 'model', 'generator') : join(runDir, 'model');
  try {
    await stat(join(modelDir, 'model.json'));
  } catch {
    throw new UserError(`${runDir}: no trained model at ${modelDir}/model.json`);
  }
  if (!tf.getBackend()) await tf.setBackend('cpu');
  const model = await loadModel(modelDir);
  const name = opts.name ?? modelName(run);
  const kind = MODEL_KIND[run.kind];
  const specific = kindFields(run, model, modelDir, opts.truncation);
  const metrics = await readMetrics(runDir, run);
  const version = opts.version ?? run.createdAt.replace(/[^0-9]/g, '').slice(0, 14);
  const { description, demo } = await describeTraining(run);
  const training = {
    description,
    dataset: portablePath(run.dataset.path),
    classes: run.dataset.classes,
    samples: run.dataset.samples,
    seed: run.seed,
    epochs: typeof run.config.epochs === 'number' ? run.config.epochs : undefined,
    seconds: run.seconds,
    backend: run.backend,
    ...(run.description ? { description: run.description } : {}),
  };

  // Real preprocessed images go through parity too, when the model takes one image of the run's size.
  let real: { inputs: Float32Array[]; count: number } | undefined;
  const want = opts.realSamples ?? 16;
  const in0 = model.inputs[0].shape;
  if (want > 0 && model.inputs.length === 1 && in0.length === 4 && in0[1] === run.preprocess.height && in0[2] === run.preprocess.width) {
    // An embedding trained on several datasets: real samples from the first (its `specs` may select writers).
    const specs = (run.dataset as { specs?: unknown }).specs;
    const source = Array.isArray(specs) && typeof specs[0] === 'string' ? parseDatasetSpec(specs[0]).path : run.dataset.path;
    const r = await loadRealSamples(source, run.preprocess, want);
    if ('reason' in r) log(`parity: random inputs only (${r.reason})`);
    else real = { inputs: [r.data], count: r.count };
  }

  // Every precision is built and checked before anything is written: a failure leaves the folder as it was.
  const results: (ExportedModel & { bytes: Uint8Array })[] = [];
  const precisions: Precision[] = ['fp32', ...(opts.precisions ?? []).filter((p) => p !== 'fp32')];
  for (const precision of [...new Set(precisions)]) {
    const entryName = precision === 'fp32' ? name : `${name}.${precision}`;
    const file = `${entryName}.onnx`;
    const graph = buildOnnxGraph(model, { name: entryName, precision });
    const limits = PARITY_LIMITS[precision];
    const parity = await checkParity(model, serializeGraph(graph), { ...limits, inputKinds: inputKinds(model), real, seed: 7 });
    assertParity(parity, `${file}`);
    const parityMeta = {
      samples: parity.samples,
      realSamples: parity.realSamples,
      maxAbsDiff: parity.maxAbsDiff,
      tolerance: parity.tolerance,
      argmaxAgreement: parity.argmaxAgreement,
    };
    Object.assign(graph.metadata, {
      name: entryName,
      version,
      kind,
      precision,
      labels: JSON.stringify(run.labels),
      preprocess: JSON.stringify(run.preprocess),
      training: JSON.stringify(training),
      metrics: JSON.stringify(metrics),
      parity: JSON.stringify(parityMeta),
      ...Object.fromEntries(Object.entries(specific).flatMap(([k, v]) => (k === 'kind' || v === undefined ? [] : [[k, typeof v === 'object' ? JSON.stringify(v) : String(v)]]))),
    });
    const bytes = serializeGraph(graph, `${kind} exported from ${runDir} by sig export`);
    const entry: ModelEntry = {
      name: entryName,
      ...specific,
      version,
      file,
      sha256: sha256Hex(bytes),
      bytes: bytes.length,
      opset: graph.opset,
      precision,
      inputs: tensorSpecs(graph.inputs),
      outputs: tensorSpecs(graph.outputs),
      labels: run.labels,
      preprocess: run.preprocess,
      demo,
      training,
      metrics,
      parity: parityMeta,
      variantOf: precision === 'fp32' ? undefined : name,
      createdAt: new Date().toISOString(),
    };
    log(`${file}: ${(bytes.length / 1024).toFixed(1)} KiB, parity max |Δ| ${parity.maxAbsDiff.toExponential(2)} on ${parity.samples}+${parity.realSamples} inputs`);
    results.push({ entry, file: join(modelsDir, file), parity, bytes });
  }
  model.dispose();
  await mkdir(modelsDir, { recursive: true });
  for (const r of results) await writeFile(r.file, r.bytes);
  await updateManifest(modelsDir, results.map((r) => r.entry));
  return results.map(({ entry, file, parity }) => ({ entry, file, parity }));
}

/** Exports several run folders into one models folder (in order); returns every written model. */
export async function exportRuns(runDirs: string[], modelsDir: string, opts: ExportRunOptions = {}): Promise<ExportedModel[]> {
  if (opts.name && runDirs.length > 1) throw new UserError('--name applies to one run only');
  if (opts.truncation !== undefined) {
    const kinds = await Promise.all(runDirs.map(async (d) => (await readRunInfo(d)).kind));
    if (!kinds.includes('cgan')) throw new UserError('--truncation applies to a cgan run (the generator); none of the runs is one');
  }
  const out: ExportedModel[] = [];
  for (const dir of runDirs) out.push(...(await exportRun(dir, modelsDir, opts)));
  return out;
}
