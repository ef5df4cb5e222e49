// `sig train embedding` end to end: datasets → training and held-out writers → training loop → run folder
// (model/, run.json with the calibrated thresholds, metrics.json, curves.png, checkpoint/).
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { EmbeddingConfig, EmbeddingTrainConfig, PreprocessConfig, RunInfo, UserError, type EmbeddingConfigInput, type EmbeddingTrainConfigInput } from '@sig/shared';
import { loadTrainingWriters, type WriterSource } from './embedding-data.ts';
import { trainEmbedding, type EmbeddingTrainResult } from './embedding.ts';
import { trainingAugment } from './classifier-run.ts';
import { readRunJsonToResume, writeRunJson } from './run-json.ts';
import { calibrationFields } from '../evaluate/verification-protocol.ts';

export interface EmbeddingRunOptions {
  data: string[];
  holdout?: string[];
  out: string;
  model: Omit<EmbeddingConfigInput, 'classes'>;
  train: EmbeddingTrainConfigInput;
  resume?: boolean;
  backend: string;
  workers?: number;
  quiet?: boolean;
  interruptAt?: number;
}

/** A line saying what the model was trained on. */
function describe(sources: WriterSource[], held: WriterSource[]): string {
  const part = (s: WriterSource) => `${s.spec} (${s.writers} writers, ${s.genuine} genuine, ${s.forged} forged)`;
  return `trained on ${sources.map(part).join(' + ')}; thresholds calibrated on held-out ${held.map(part).join(' + ') || 'nothing'}`;
}

/** Trains an embedding on `data` and writes the run folder. */
export async function trainEmbeddingRun(o: EmbeddingRunOptions): Promise<{ run: RunInfo; result: EmbeddingTrainResult }> {
  const out = resolve(o.out);
  let data = o.data;
  let holdout = o.holdout ?? [];
  let modelIn: Omit<EmbeddingConfigInput, 'classes'> = o.model;
  let train = EmbeddingTrainConfig.parse(o.train);
  if (o.resume) {
    // Resume with the run's own data and settings, whatever the command line says.
    const saved = await readRunJsonToResume(out);
    const ds = saved.dataset as { specs?: string[]; holdout?: string[] };
    data = ds.specs ?? data;
    holdout = ds.holdout ?? holdout;
    modelIn = EmbeddingConfig.parse(saved.config.model);
    train = EmbeddingTrainConfig.parse(saved.config.train);
  }
  const probe = EmbeddingConfig.parse({ ...modelIn, classes: 2 });
  const pre = PreprocessConfig.parse({ height: probe.inputHeight, width: probe.inputWidth });
  const { train: trainSet, val, sources, holdoutSources } = await loadTrainingWriters({ data, holdout, valShare: train.valWriters, seed: train.seed, pre });
  if (trainSet.writers.length < 2) throw new UserError('an embedding needs at least 2 training writers');
  const model = EmbeddingConfig.parse({ ...modelIn, classes: trainSet.writers.length });
  const description = describe(sources, holdoutSources);
  const run: RunInfo = {
    kind: 'embedding',
    name: 'embedding',
    createdAt: new Date().toISOString(),
    labels: [],
    preprocess: pre,
    config: { model, train },
    dataset: {
      path: sources.map((s) => s.path).join(' + '),
      classes: trainSet.writers.length,
      samples: trainSet.n,
      specs: data,
      holdout,
      sources,
      holdoutSources,
      validation: val.n,
    },
    seed: train.seed,
    backend: o.backend,
    embeddingDim: model.embeddingDim,
    description,
    metrics: {},
  };
  if (!o.resume) await writeRunJson(out, run);

  const result = await trainEmbedding({
    model,
    train,
    trainSet,
    valSet: val.n ? val : undefined,
    outDir: out,
    resume: o.resume,
    augment: trainingAugment(pre),
    workers: o.workers,
    quiet: o.quiet,
    interruptAt: o.interruptAt,
  });
  const c = result.calibration;
  const metrics: Record<string, number> = {};
  if (c) Object.assign(metrics, { 'heldout.eer': c.eerValue, 'heldout.eerRandom': c.eerRandom, ...(c.eerSkilled !== null ? { 'heldout.eerSkilled': c.eerSkilled } : {}) });
  const done: RunInfo = {
    ...run,
    createdAt: run.createdAt,
    metrics,
    seconds: result.seconds,
    ...(c ? calibrationFields(c, holdoutSources.map((s) => s.spec).join(' + ')) : {}),
  };
  await writeRunJson(out, done);
  await writeFile(
    join(out, 'metrics.json'),
    JSON.stringify({ split: 'held-out writers', calibration: c ?? null, steps: result.steps, seconds: result.seconds, engine: result.engine, history: result.history }, null, 2),
  );
  return { run: done, result };
}

