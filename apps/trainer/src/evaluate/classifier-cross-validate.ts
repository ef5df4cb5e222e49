// Leave-one-signature-out evaluation: fold f holds out one signature of every student (the data module's
// leaveOneOutFolds), trains a fresh model on the rest — with its own validation split carved from the
// training signatures only — and scores the held-out signatures. The held-out signature is never seen in
// training in any form: not as an augmented copy (splits are by original signature), not for early stopping.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  ClassifierConfig,
  ClassifierTrainConfig,
  PreprocessConfig,
  UserError,
  type ClassifierConfigInput,
  type ClassifierTrainConfigInput,
} from '@sig/shared';
import { leaveOneOutFolds, loadFolderDataset } from '../data/index.ts';
import { loadImageSet, trainingAugment, validationSplit } from '../train/classifier-run.ts';
import { trainSupervised } from '../train/supervised.ts';
import { classifierMetrics, meanMetrics, type ClassifierMetrics } from './classifier-metrics.ts';
import { predictProbabilities } from './classifier-predict.ts';
import { classPrototypes, embed, prototypeScores } from './classifier-prototypes.ts';

export interface CrossValidateOptions {
  data: string;
  folds: number;
  /** Folder for fold runs and results.json. */
  out: string;
  model: Omit<ClassifierConfigInput, 'classes'>;
  train: ClassifierTrainConfigInput;
  preprocess?: Partial<PreprocessConfig>;
  /** Test-time augmentation: extra augmented copies averaged with the original (0 = none). */
  tta?: number;
  engine?: 'single' | 'data-parallel';
  workers?: number;
  quiet?: boolean;
  log?: (line: string) => void;
}

export interface FoldResult extends ClassifierMetrics {
  fold: number;
  /** The same model scored by nearest class prototype (mean training embedding) instead of its softmax. */
  prototype: ClassifierMetrics;
  trainSignatures: number;
  validationSignatures: number;
  steps: number;
  seconds: number;
}

export interface CrossValidateResult {
  data: string;
  folds: FoldResult[];
  mean: ClassifierMetrics & { seconds: number };
  meanPrototype: ClassifierMetrics;
  config: { model: ClassifierConfig; train: ClassifierTrainConfig; preprocess: PreprocessConfig; tta: number };
}

/** Runs k leave-one-out folds and writes `<out>/results.json`; see the file header. */
export async function crossValidate(o: CrossValidateOptions): Promise<CrossValidateResult> {
  const log = o.log ?? ((l: string) => console.log(l));
  const index = await loadFolderDataset(resolve(o.data));
  if (index.labels.length < 2) throw new UserError(`dataset ${o.data} has ${index.labels.length} class folder(s); a classifier needs at least 2`);
  const model = ClassifierConfig.parse({ ...o.model, classes: index.labels.length });
  const train = ClassifierTrainConfig.parse(o.train);
  const pre = PreprocessConfig.parse({ ...o.preprocess, height: model.inputHeight, width: model.inputWidth });
  const tta = o.tta ?? 0;
  const folds = leaveOneOutFolds(index, o.folds);
  const out = resolve(o.out);
  await mkdir(out, { recursive: true });
  const results: FoldResult[] = [];
  for (const fold of folds) {
    if (fold.test.length === 0) throw new UserError('no class has 2 or more signatures: nothing to hold out');
    const split = validationSplit(index, fold.train, train.valFraction, train.seed + fold.fold);
    const [trainSet, valSet, testSet] = await Promise.all([loadImageSet(split.train, pre), loadImageSet(split.val, pre), loadImageSet(fold.test, pre)]);
    // Guard the promise in code, not only in comments: no held-out signature may appear on the training side.
    const held = new Set(fold.test.map((it) => it.group));
    if ([...split.train, ...split.val].some((it) => held.has(it.group))) throw new Error('held-out signature leaked into training');
    log(`fold ${fold.fold + 1}/${folds.length}: train ${trainSet.n}, validation ${valSet.n}, held out ${testSet.n}`);
    const r = await trainSupervised({
      model,
      train: { ...train, seed: train.seed + fold.fold },
      trainSet,
      valSet: valSet.n ? valSet : undefined,
      outDir: join(out, `fold-${fold.fold + 1}`),
      augment: trainingAugment(pre),
      engine: o.engine,
      workers: o.workers,
      quiet: o.quiet,
    });
    const probs = await predictProbabilities(r.model, testSet, { tta, augment: tta > 0 ? trainingAugment(pre) : undefined, seed: train.seed });
    const refs = await embed(r.model, trainSet);
    const queries = await embed(r.model, testSet, { tta, augment: tta > 0 ? trainingAugment(pre) : undefined, seed: train.seed });
    const protoScores = prototypeScores(queries, classPrototypes(refs, trainSet.y, model.classes), model.classes);
    r.model.dispose();
    const m = classifierMetrics({ data: probs, classes: model.classes }, testSet.y);
    const pm = classifierMetrics({ data: protoScores, classes: model.classes }, testSet.y);
    const fr: FoldResult = { fold: fold.fold + 1, ...m, prototype: pm, trainSignatures: trainSet.n, validationSignatures: valSet.n, steps: r.steps, seconds: r.seconds };
    results.push(fr);
    log(`fold ${fr.fold}: top-1 ${m.top1.toFixed(4)}  top-5 ${m.top5.toFixed(4)}  P ${m.precision.toFixed(4)}  R ${m.recall.toFixed(4)}  F1 ${m.f1.toFixed(4)}  (${r.seconds.toFixed(0)} s); prototype top-1 ${pm.top1.toFixed(4)} top-5 ${pm.top5.toFixed(4)}`);
  }
  const metricKeys = ['samples', 'top1', 'top5', 'precision', 'recall', 'f1', 'seconds'] as const;
  const mean = meanMetrics(results.map((r) => Object.fromEntries(metricKeys.map((k) => [k, r[k]])) as Record<(typeof metricKeys)[number], number>));
  const meanPrototype = meanMetrics(results.map((r) => ({ ...r.prototype })));
  const res: CrossValidateResult = { data: index.root, folds: results, mean, meanPrototype, config: { model, train, preprocess: pre, tta } };
  await writeFile(join(out, 'results.json'), JSON.stringify(res, null, 2));
  log(`mean over ${results.length} fold(s): top-1 ${mean.top1.toFixed(4)}  top-5 ${mean.top5.toFixed(4)}  P ${mean.precision.toFixed(4)}  R ${mean.recall.toFixed(4)}  F1 ${mean.f1.toFixed(4)}; prototype top-1 ${meanPrototype.top1.toFixed(4)} top-5 ${meanPrototype.top5.toFixed(4)}`);
  return res;
}
