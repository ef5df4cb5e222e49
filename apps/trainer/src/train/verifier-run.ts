// `sig train verifier` end to end: datasets → training and held-out writers → training loop → run folder
// (model/, run.json, metrics.json, curves.png, checkpoint/).
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PreprocessConfig, RunInfo, UserError, VerifierConfig, VerifierTrainConfig, type VerifierConfigInput, type VerifierTrainConfigInput } from '@sig/shared';
import { loadTrainingWriters, type WriterSource } from './embedding-data.ts';
import { trainVerifier, type VerifierTrainResult } from './verifier.ts';
import { trainingAugment } from './classifier-run.ts';
import { readRunJsonToResume, writeRunJson } from './run-json.ts';

export interface VerifierRunOptions {
  data: string[];
  holdout?: string[];
  out: string;
  model: VerifierConfigInput;
  train: VerifierTrainConfigInput;
  resume?: boolean;
  backend: string;
  quiet?: boolean;
  interruptAt?: number;
}

/** A line saying what the model was trained on. */
function describe(sources: WriterSource[], held: WriterSource[]): string {
  const part = (s: WriterSource) => `${s.spec} (${s.writers} writers, ${s.genuine} genuine, ${s.forged} forged)`;
  return `trained on ${sources.map(part).join(' + ')}; measured on held-out ${held.map(part).join(' + ') || 'nothing'}`;
}

/** Trains a pairwise verifier on `data` and writes the run folder. */
export async function trainVerifierRun(o: VerifierRunOptions): Promise<{ run: RunInfo; result: VerifierTrainResult }> {
  const out = resolve(o.out);
  let data = o.data;
  let holdout = o.holdout ?? [];
  let model = VerifierConfig.parse(o.model);
  let train = VerifierTrainConfig.parse(o.train);
  if (o.resume) {
    // Resume with the run's own data and settings, whatever the command line says.
    const saved = await readRunJsonToResume(out);
    if (saved.kind !== 'verifier') throw new UserError(`${out}: --resume: not a verifier run (${saved.kind})`);
    const ds = saved.dataset as { specs?: string[]; holdout?: string[] };
    data = ds.specs ?? data;
    holdout = ds.holdout ?? holdout;
    model = VerifierConfig.parse(saved.config.model);
    train = VerifierTrainConfig.parse(saved.config.train);
  }
  const pre = PreprocessConfig.parse({ height: model.inputHeight, width: model.inputWidth });
  const { train: trainSet, val, sources, holdoutSources } = await loadTrainingWriters({ data, holdout, valShare: train.valWriters, seed: train.seed, pre });
  if (trainSet.writers.length < 2) throw new UserError('a verifier needs at least 2 training writers');
  const run: RunInfo = {
    kind: 'verifier',
    name: 'verifier',
    createdAt: new Date().toISOString(),
    labels: [],
    preprocess: pre,
    config: { model, train },
    dataset: { path: sources.map((s) => s.path).join(' + '), classes: trainSet.writers.length, samples: trainSet.n, specs: data, holdout, sources, holdoutSources, validation: val.n },
    seed: train.seed,
    backend: o.backend,
    description: describe(sources, holdoutSources),
    metrics: {},
  };
  if (!o.resume) await writeRunJson(out, run);

  const result = await trainVerifier({ model, train, trainSet, valSet: val.n ? val : undefined, outDir: out, resume: o.resume, augment: trainingAugment(pre), quiet: o.quiet, interruptAt: o.interruptAt });
  const c = result.calibration;
  const metrics: Record<string, number> = {};
  if (c) Object.assign(metrics, { 'heldout.eer': c.eerValue, 'heldout.eerRandom': c.eerRandom, ...(c.eerSkilled !== null ? { 'heldout.eerSkilled': c.eerSkilled } : {}) });
  const done: RunInfo = { ...run, metrics, seconds: result.seconds };
  await writeRunJson(out, done);
  await writeFile(join(out, 'metrics.json'), JSON.stringify({ split: 'held-out writers', calibration: c ?? null, steps: result.steps, seconds: result.seconds, history: result.history }, null, 2));
  return { run: done, result };
}
