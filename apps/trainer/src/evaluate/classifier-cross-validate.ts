// Leave-one-signature-out evaluation: fold f holds out one signature of every student (the data module's
// leaveOneOutFolds), trains a fresh model on the rest — with its own validation split carved from the
// training signatures only — and scores the held-out signatures. The held-out signature is never seen in
// training in any form: not as an augmented copy (splits are by original signature), not for early stopping.
// Each held-out image gets three scores: the softmax, the prototype (cosine to class-mean embeddings) and
// their combination (classifier-ensemble.ts, fixed temperature). With `ensemble` N > 1 every fold trains N
// models with different seeds and every score is the members' mean; each member's own metrics are kept.
// On a sheet ingest the training side also gets `roughCopies` rough captures of each training signature
// (train/rough-copies.ts) at the originals' step count; only original images are ever scored.
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
import { isOriginal, leaveOneOutFolds, loadFolderDataset } from '../data/index.ts';
import { loadImageSet, trainingAugment, validationSplit } from '../train/classifier-run.ts';
import { roughCopyItems, stepBudget } from '../train/rough-copies.ts';
import { trainSupervised } from '../train/supervised.ts';
import { classifierMetrics, meanMetrics, type ClassifierMetrics } from './classifier-metrics.ts';
import { predictProbabilities } from './classifier-predict.ts';
import { classPrototypes, embed, prototypeScores } from './classifier-prototypes.ts';
import { combinedScores, meanScores, PROTOTYPE_TEMPERATURE } from './classifier-ensemble.ts';

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
  /** Models trained per fold with different seeds, their scores averaged (default 1). */
  ensemble?: number;
  /** Run only these folds (1-based) of the `folds` (default: all); for splitting a long evaluation. */
  only?: number[];
  engine?: 'single' | 'data-parallel';
  workers?: number;
  quiet?: boolean;
  log?: (line: string) => void;
}

/** One ensemble member of a fold: its seed, steps, time and its own three scores. */
export interface MemberResult {
  seed: number;
  softmax: ClassifierMetrics;
  prototype: ClassifierMetrics;
  combined: ClassifierMetrics;
  steps: number;
  seconds: number;
}

/** A fold's metrics; the top-level ones are the softmax of the ensemble (of the single model when N = 1). */
export interface FoldResult extends ClassifierMetrics {
  fold: number;
  /** The same model(s) scored by nearest class prototype (mean training embedding) instead of the softmax. */
  prototype: ClassifierMetrics;
  /** Softmax and prototype probabilities averaged (see classifier-ensemble.ts). */
  combined: ClassifierMetrics;
  members: MemberResult[];
  trainSignatures: number;
  /** Rough-capture copies of those signatures trained on beside them (0 when none). */
  roughCopies: number;
  validationSignatures: number;
  steps: number;
  seconds: number;
}

export interface CrossValidateResult {
  data: string;
  folds: FoldResult[];
  mean: ClassifierMetrics & { seconds: number };
  meanPrototype: ClassifierMetrics;
  meanCombined: ClassifierMetrics;
  config: {
    model: ClassifierConfig;
    train: ClassifierTrainConfig;
    preprocess: PreprocessConfig;
    tta: number;
    ensemble: number;
    prototypeTemperature: number;
    /** k of leaveOneOutFolds (the folds run may be a subset, see `fold` of each result). */
    folds: number;
  };
}

/** Seed of member `m` of fold `f` (0-based): member 0 keeps the single-model seed of earlier results. */
export function memberSeed(seed: number, fold: number, member: number): number {
  return seed + fold + 1000 * member;
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
  const ensemble = o.ensemble ?? 1;
  if (!Number.isInteger(ensemble) || ensemble < 1) throw new UserError(`ensemble must be a positive integer, got ${ensemble}`);
  const bad = (o.only ?? []).find((f) => !Number.isInteger(f) || f < 1 || f > o.folds);
  if (bad !== undefined) throw new UserError(`fold ${bad} is not among folds 1..${o.folds}`);
  const folds = leaveOneOutFolds(index, o.folds).filter((f) => !o.only || o.only.includes(f.fold + 1));
  const out = resolve(o.out);
  await mkdir(out, { recursive: true });
  const augment = trainingAugment(pre);
  const ttaOpts = { tta, augment: tta > 0 ? augment : undefined, seed: train.seed };
  const splits = folds.map((fold) => validationSplit(index, fold.train, train.valFraction, train.seed + fold.fold));
  // One set of copies serves every fold: each takes those of its own training groups.
  const copies = await roughCopyItems({
    index,
    groups: new Set(splits.flatMap((s) => s.train.map((it) => it.group))),
    copies: train.roughCopies,
    seed: train.seed,
    dir: join(out, 'rough-copies'),
    log,
  });
  const results: FoldResult[] = [];
  for (const [i, fold] of folds.entries()) {
    const test = fold.test.filter(isOriginal);
    if (test.length === 0) throw new UserError('no class has 2 or more signatures: nothing to hold out');
    const split = splits[i];
    const trainGroups = new Set(split.train.map((it) => it.group));
    const foldCopies = copies.filter((it) => trainGroups.has(it.group));
    const foldTrain = foldCopies.length ? stepBudget(train, split.train.length) : train;
    const [trainSet, valSet, testSet] = await Promise.all([loadImageSet([...split.train, ...foldCopies], pre), loadImageSet(split.val, pre), loadImageSet(test, pre)]);
    // Guard the promise in code, not only in comments: no held-out signature may appear on the training side.
    const held = new Set(fold.test.map((it) => it.group));
    if ([...split.train, ...foldCopies, ...split.val].some((it) => held.has(it.group))) throw new Error('held-out signature leaked into training');
    const copyNote = foldCopies.length ? ` (${split.train.length} signatures + ${foldCopies.length} rough copies, ${foldTrain.maxSteps} steps)` : '';
    log(`fold ${fold.fold + 1}/${o.folds}: train ${trainSet.n}${copyNote}, validation ${valSet.n}, held out ${testSet.n}${ensemble > 1 ? `, ${ensemble} members` : ''}`);
    const members: MemberResult[] = [];
    const scores = { softmax: [] as Float32Array[], prototype: [] as Float32Array[], combined: [] as Float32Array[] };
    for (let m = 0; m < ensemble; m++) {
      const seed = memberSeed(train.seed, fold.fold, m);
      const r = await trainSupervised({
        model,
        train: { ...foldTrain, seed },
        trainSet,
        valSet: valSet.n ? valSet : undefined,
        // Member 1 keeps the fold folder's layout (fold-N/model), which `sig eval cgan` reads.
        outDir: join(out, `fold-${fold.fold + 1}`, ...(m > 0 ? [`member-${m + 1}`] : [])),
        augment,
        engine: o.engine,
        workers: o.workers,
        quiet: o.quiet,
      });
      const probs = await predictProbabilities(r.model, testSet, ttaOpts);
      const refs = await embed(r.model, trainSet);
      const queries = await embed(r.model, testSet, ttaOpts);
      const cosines = prototypeScores(queries, classPrototypes(refs, trainSet.y, model.classes), model.classes);
      r.model.dispose();
      const comb = combinedScores(probs, cosines, model.classes);
      scores.softmax.push(probs);
      scores.prototype.push(cosines);
      scores.combined.push(comb);
      const metrics = (data: Float32Array) => classifierMetrics({ data, classes: model.classes }, testSet.y);
      const mr: MemberResult = { seed, softmax: metrics(probs), prototype: metrics(cosines), combined: metrics(comb), steps: r.steps, seconds: r.seconds };
      members.push(mr);
      if (ensemble > 1) log(`fold ${fold.fold + 1} member ${m + 1}/${ensemble} (seed ${seed}, ${r.seconds.toFixed(0)} s): top-1 softmax ${mr.softmax.top1.toFixed(4)}  prototype ${mr.prototype.top1.toFixed(4)}  combined ${mr.combined.top1.toFixed(4)}`);
    }
    const metrics = (list: Float32Array[]) => classifierMetrics({ data: meanScores(list), classes: model.classes }, testSet.y);
    const m = metrics(scores.softmax);
    const pm = metrics(scores.prototype);
    const cm = metrics(scores.combined);
    const fr: FoldResult = {
      fold: fold.fold + 1,
      ...m,
      prototype: pm,
      combined: cm,
      members,
      trainSignatures: split.train.length,
      roughCopies: foldCopies.length,
      validationSignatures: valSet.n,
      steps: members.reduce((s, x) => s + x.steps, 0),
      seconds: members.reduce((s, x) => s + x.seconds, 0),
    };
    results.push(fr);
    log(`fold ${fr.fold}${ensemble > 1 ? ` (ensemble of ${ensemble})` : ''}: top-1 ${m.top1.toFixed(4)}  top-5 ${m.top5.toFixed(4)}  P ${m.precision.toFixed(4)}  R ${m.recall.toFixed(4)}  F1 ${m.f1.toFixed(4)}  (${fr.seconds.toFixed(0)} s); prototype top-1 ${pm.top1.toFixed(4)} top-5 ${pm.top5.toFixed(4)}; combined top-1 ${cm.top1.toFixed(4)} top-5 ${cm.top5.toFixed(4)}`);
  }
  const metricKeys = ['samples', 'top1', 'top5', 'precision', 'recall', 'f1', 'seconds'] as const;
  const mean = meanMetrics(results.map((r) => Object.fromEntries(metricKeys.map((k) => [k, r[k]])) as Record<(typeof metricKeys)[number], number>));
  const meanPrototype = meanMetrics(results.map((r) => ({ ...r.prototype })));
  const meanCombined = meanMetrics(results.map((r) => ({ ...r.combined })));
  const res: CrossValidateResult = {
    data: index.root,
    folds: results,
    mean,
    meanPrototype,
    meanCombined,
    config: { model, train, preprocess: pre, tta, ensemble, prototypeTemperature: PROTOTYPE_TEMPERATURE, folds: o.folds },
  };
  await writeFile(join(out, 'results.json'), JSON.stringify(res, null, 2));
  log(`mean over ${results.length} fold(s): top-1 ${mean.top1.toFixed(4)}  top-5 ${mean.top5.toFixed(4)}  P ${mean.precision.toFixed(4)}  R ${mean.recall.toFixed(4)}  F1 ${mean.f1.toFixed(4)}; prototype top-1 ${meanPrototype.top1.toFixed(4)} top-5 ${meanPrototype.top5.toFixed(4)}; combined top-1 ${meanCombined.top1.toFixed(4)} top-5 ${meanCombined.top5.toFixed(4)}`);
  return res;
}
