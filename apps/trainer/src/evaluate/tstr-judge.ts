// TSTR with the judge's own recipe (`sig eval cgan --tstr-judge`): the classifier that judges a CGAN was trained on
// real signatures with its recipe (model, augmentation, learning rate, epochs); here the same recipe, for the same
// number of optimizer steps, trains on generated samples instead, and is tested on the held-out real signatures.
// Issue 21 reads its TSTR target against what "the same classifier trained on the real signatures" reaches; the
// small TSTR classifier of (a) is a far weaker recipe, so this is the like-for-like figure. Rough-capture copies
// come from sheet photos, which generated samples do not have: none here (the step budget is what they kept fixed).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassifierConfig, ClassifierTrainConfig, type RunInfo } from '@sig/shared';
import { trainingAugment } from '../train/classifier-run.ts';
import { stepBudget } from '../train/rough-copies.ts';
import { trainSupervised } from '../train/supervised.ts';
import { predictProbabilities } from './classifier-predict.ts';
import { argmaxRows, accuracy } from './gan-quality.ts';

export interface JudgeTstrInput {
  /** The judge classifier's run (or fold) record: labels, preprocessing, model and training config. */
  judge: RunInfo;
  /** Generated training images, preprocessed like the judge's input, and their judge class indices. */
  x: Float32Array;
  y: Int32Array;
  /** Held-out real images and their class indices. */
  realX: Float32Array;
  realY: Int32Array;
  /** Real training images the judge learnt from (sets the step budget: epochs × ⌈originals / batch⌉). */
  originals: number;
  quiet?: boolean;
}

export interface JudgeTstrResult {
  accuracy: number;
  steps: number;
  seconds: number;
}

/** Trains the judge's recipe on the generated images for the judge's step budget; top-1 on the real images. */
export async function judgeRecipeTstr(o: JudgeTstrInput): Promise<JudgeTstrResult> {
  const cfg = o.judge.config as { model?: unknown; train?: unknown };
  const model = ClassifierConfig.parse(cfg.model ?? cfg);
  const judgeTrain = ClassifierTrainConfig.parse(cfg.train ?? {});
  const pre = o.judge.preprocess;
  // The judge's budget (epochs over its originals), spread over however many generated images there are.
  const budget = stepBudget(judgeTrain, o.originals).maxSteps;
  const epochs = Math.ceil(budget / Math.ceil(o.y.length / judgeTrain.batchSize));
  const train = { ...judgeTrain, epochs, maxSteps: budget, roughCopies: 0, valFraction: 0, evalEvery: 0, patience: 0, checkpointEvery: 0 };
  const classes = model.classes;
  const set = (x: Float32Array, y: Int32Array) => ({ x, y, groups: Int32Array.from(y, (_, i) => i), n: y.length, height: pre.height, width: pre.width });
  const out = await mkdtemp(join(tmpdir(), 'tstr-judge-'));
  try {
    const result = await trainSupervised({
      model,
      train,
      trainSet: set(o.x, o.y),
      outDir: out,
      augment: judgeTrain.augment ? trainingAugment(pre) : undefined,
      // Both cores, as `sig train classifier` and `sig eval classifier` train by default (bit-reproducible per seed).
      engine: 'data-parallel',
      quiet: o.quiet ?? true,
    });
    const probs = await predictProbabilities(result.model, set(o.realX, o.realY));
    result.model.dispose();
    return { accuracy: accuracy(argmaxRows(probs, o.realY.length, classes), o.realY), steps: result.steps, seconds: result.seconds };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}
