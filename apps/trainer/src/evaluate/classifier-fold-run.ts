// A fold folder of `sig eval classifier` (`<out>/fold-N/model`) as a classifier run for `sig eval cgan`.
// Fold folders have no run.json; their labels, preprocessing and model config are recovered from the
// parent's results.json and the dataset it names, and the fold's training side is rebuilt with the same
// deterministic `leaveOneOutFolds`, so a caller can prove which images that model never trained on.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { PreprocessConfig, RunInfo, UserError } from '@sig/shared';
import { leaveOneOutFolds, loadFolderDataset } from '../data/index.ts';

/** A classifier run recovered from a cross-validation fold, with the image paths that fold trained on. */
export interface FoldClassifier {
  info: RunInfo;
  /** Absolute paths of every image on the fold's training side (training and validation). */
  trainedOn: Set<string>;
}

/** True when `dir` looks like a `sig eval classifier` fold folder (fold-N with a results.json beside it). */
export function isClassifierFold(dir: string): boolean {
  return /^fold-\d+$/.test(basename(resolve(dir))) && existsSync(join(dirname(resolve(dir)), 'results.json')) && !existsSync(join(dir, 'run.json'));
}

/** Reads a fold folder as a classifier run; see the file header. */
export async function readClassifierFold(dir: string): Promise<FoldClassifier> {
  const foldDir = resolve(dir);
  const fold = Number(basename(foldDir).slice(5));
  const res = JSON.parse(await readFile(join(dirname(foldDir), 'results.json'), 'utf8')) as {
    data?: string;
    folds?: { fold: number }[];
    config?: { model?: Record<string, unknown>; train?: Record<string, unknown>; preprocess?: unknown; folds?: number };
  };
  if (!res.data || !res.folds?.length || !res.config?.model || !res.config.preprocess) throw new UserError(`${dirname(foldDir)}/results.json is not a 'sig eval classifier' result`);
  // config.folds is k when only some folds ran (--only); older results ran all k.
  const k = res.config.folds ?? res.folds.length;
  if (!(fold >= 1 && fold <= k) || !res.folds.some((f) => f.fold === fold)) throw new UserError(`${foldDir}: fold ${fold} is not among the fold(s) of its results.json`);
  const index = await loadFolderDataset(res.data);
  const split = leaveOneOutFolds(index, k)[fold - 1];
  const info = RunInfo.parse({
    kind: 'classifier',
    name: 'classifier',
    createdAt: new Date(0).toISOString(),
    labels: index.labels,
    preprocess: PreprocessConfig.parse(res.config.preprocess),
    config: { model: res.config.model, train: res.config.train ?? {} },
    dataset: { path: index.root, classes: index.labels.length, samples: split.train.length },
    seed: Number(res.config.train?.seed ?? 0),
    backend: 'unknown',
  });
  return { info, trainedOn: new Set(split.train.map((it) => resolve(it.path))) };
}
