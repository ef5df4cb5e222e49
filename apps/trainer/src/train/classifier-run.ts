// `sig train classifier` end to end: folder dataset → validation split over original signatures → training
// loop → run folder (model/, run.json, metrics.json, curves.png, confusion.png, checkpoint/). On a sheet
// ingest the training side also gets rough-capture copies of its signatures (rough-copies.ts).
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  ClassifierConfig,
  ClassifierTrainConfig,
  PreprocessConfig,
  RunInfo,
  UserError,
  type ClassifierConfigInput,
  type ClassifierTrainConfigInput,
} from '@sig/shared';
import { augment, fractionSplit, loadFolderDataset, loadPreprocessed, type DatasetIndex, type DatasetItem } from '../data/index.ts';
import { classifierMetrics, confusionMatrix, argmax, type ClassifierMetrics } from '../evaluate/classifier-metrics.ts';
import { predictProbabilities } from '../evaluate/classifier-predict.ts';
import { confusionMatrixSvg, writeSvgPng } from '../evaluate/plots.ts';
import type { Augment, ImageSet } from './image-set.ts';
import { roughCopyItems, stepBudget } from './rough-copies.ts';
import { trainSupervised, type SupervisedResult } from './supervised.ts';
import { readRunJsonToResume, writeRunJson } from './run-json.ts';

/** What the CLI passes in: model settings without `classes` (the dataset decides), training settings. */
export interface ClassifierRunOptions {
  data: string;
  out: string;
  model: Omit<ClassifierConfigInput, 'classes'>;
  train: ClassifierTrainConfigInput;
  /** Preprocessing beyond the size (which follows the model input). */
  preprocess?: Partial<PreprocessConfig>;
  resume?: boolean;
  /** Backend name already selected (recorded in run.json). */
  backend: string;
  engine?: 'single' | 'data-parallel';
  workers?: number;
  quiet?: boolean;
  /** For resume tests: stop after this step as if interrupted. */
  interruptAt?: number;
}

/** The identity-keeping augmentation used for training (in the preprocessing's value range). */
export function trainingAugment(pre: PreprocessConfig): Augment {
  return (img, rng) => augment(img, rng, { range: pre.range });
}

/** Splits `items` into training and validation by original signature (never by file). */
export function validationSplit(index: DatasetIndex, items: DatasetItem[], frac: number, seed: number): { train: DatasetItem[]; val: DatasetItem[] } {
  if (frac <= 0) return { train: items, val: [] };
  const s = fractionSplit({ ...index, items }, frac, seed);
  return { train: s.train, val: s.test };
}

/** Loads items as an in-memory image set. */
export async function loadImageSet(items: DatasetItem[], pre: PreprocessConfig): Promise<ImageSet> {
  return loadPreprocessed(items, pre);
}

/** Trains on every signature of `data` except a validation share, and writes the run folder. */
export async function trainClassifierRun(o: ClassifierRunOptions): Promise<{ run: RunInfo; metrics: ClassifierMetrics; result: SupervisedResult }> {
  const out = resolve(o.out);
  let model: ClassifierConfig;
  let train: ClassifierTrainConfig;
  let pre: PreprocessConfig;
  let dataPath = resolve(o.data);
  let saved: RunInfo | undefined;
  if (o.resume) {
    // Resume with the run's own settings, whatever the command line says.
    saved = await readRunJsonToResume(out);
  }
  const index = await loadFolderDataset(dataPath);
  if (index.labels.length < 2) throw new UserError(`dataset ${o.data} has ${index.labels.length} class folder(s); a classifier needs at least 2`);
  if (saved) {
    model = ClassifierConfig.parse(saved.config.model);
    train = ClassifierTrainConfig.parse(saved.config.train);
    pre = saved.preprocess;
    if (saved.labels.join('\0') !== index.labels.join('\0')) throw new UserError(`--resume: the dataset's classes differ from the run's`);
    dataPath = saved.dataset.path;
  } else {
    model = ClassifierConfig.parse({ ...o.model, classes: index.labels.length });
    train = ClassifierTrainConfig.parse(o.train);
    pre = PreprocessConfig.parse({ ...o.preprocess, height: model.inputHeight, width: model.inputWidth });
  }
  const split = validationSplit(index, index.items, train.valFraction, train.seed);
  const copies = await roughCopyItems({
    index,
    groups: new Set(split.train.map((it) => it.group)),
    copies: train.roughCopies,
    seed: train.seed,
    dir: join(out, 'rough-copies'),
    log: o.quiet ? undefined : (l) => console.log(l),
  });
  const budgeted = copies.length ? stepBudget(train, split.train.length) : train;
  const [trainSet, valSet] = await Promise.all([loadImageSet([...split.train, ...copies], pre), loadImageSet(split.val, pre)]);
  const run: RunInfo = {
    kind: 'classifier',
    name: 'classifier',
    createdAt: new Date().toISOString(),
    labels: index.labels,
    preprocess: pre,
    config: { model, train },
    dataset: { path: dataPath, classes: index.labels.length, samples: index.items.length, train: split.train.length, roughCopies: copies.length, validation: valSet.n },
    seed: train.seed,
    backend: o.backend,
    metrics: {},
  };
  if (!o.resume) {
    await writeRunJson(out, run);
  }

  const result = await trainSupervised({
    model,
    train: budgeted,
    trainSet,
    valSet: valSet.n ? valSet : undefined,
    outDir: out,
    resume: o.resume,
    augment: trainingAugment(pre),
    engine: o.engine,
    workers: o.workers,
    quiet: o.quiet,
    interruptAt: o.interruptAt,
  });

  // Metrics of the kept model on the validation signatures (the training ones when there are none).
  const evalSet = valSet.n ? valSet : trainSet;
  const probs = await predictProbabilities(result.model, evalSet);
  const metrics = classifierMetrics({ data: probs, classes: model.classes }, evalSet.y);
  const cm = confusionMatrix(evalSet.y, argmax({ data: probs, classes: model.classes }), model.classes);
  await writeSvgPng(confusionMatrixSvg(cm, index.labels, `confusion (${valSet.n ? 'validation' : 'training'} set, n=${evalSet.n})`), join(out, 'confusion.png'));
  const done: RunInfo = { ...run, metrics: { ...metrics }, seconds: result.seconds };
  await writeRunJson(out, done);
  await writeFile(
    join(out, 'metrics.json'),
    JSON.stringify({ split: valSet.n ? 'validation' : 'training', ...metrics, steps: result.steps, stoppedEarly: result.stoppedEarly, best: result.best, seconds: result.seconds, engine: result.engine, history: result.history }, null, 2),
  );
  return { run: done, metrics, result };
}
