// The supervised training loop for the classifier, top to bottom like nanoGPT's train.py: configs, model and
// optimizer (or a checkpoint to resume), then steps over shuffled, augmented batches with a cosine learning
// rate; every `evalEvery` steps: validation, best-model save, early stopping, checkpoint.
// Every random draw is seeded from (seed, epoch or step), so a resumed run continues exactly as an
// uninterrupted one would (up to float rounding in Adam's restored bias correction).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  ClassifierConfig,
  ClassifierTrainConfig,
  Rng,
  UserError,
  type ClassifierConfigInput,
  type ClassifierTrainConfigInput,
} from '@sig/shared';
import { buildClassifier } from '../model/classifier.ts';
import { loadModel, saveModel } from '../model/io.ts';
import { crossEntropy, predictProbabilities } from '../evaluate/classifier-predict.ts';
import { topKAccuracy } from '../evaluate/classifier-metrics.ts';
import { lineChartPng } from '../evaluate/plots.ts';
import { readCheckpointState, restoreCheckpoint, saveCheckpoint } from './checkpoint.ts';
import { dataParallelStep, singleProcessStep, type GradientStep } from './gradient-step.ts';
import { gatherBatch, mixSeed, type Augment, type ImageSet } from './image-set.ts';
import { createProgress } from './progress.ts';

/** One evaluation point of the training curves. */
export interface HistoryPoint {
  step: number;
  epoch: number;
  lr: number;
  trainLoss: number;
  trainAccuracy: number;
  valLoss?: number;
  valAccuracy?: number;
}

/** Everything the loop carries across a resume (state.json of the checkpoint). */
interface LoopState {
  model: ClassifierConfig;
  train: ClassifierTrainConfig;
  step: number;
  totalSteps: number;
  best: { step: number; valAccuracy: number; valLoss: number } | null;
  badEvals: number;
  stopped: boolean;
  history: HistoryPoint[];
  /** Sums since the last evaluation (train loss/accuracy of the curves). */
  running: { loss: number; accuracy: number; steps: number };
  seconds: number;
}

export interface SupervisedOptions {
  model: ClassifierConfigInput;
  train: ClassifierTrainConfigInput;
  trainSet: ImageSet;
  /** Validation images for early stopping and the best-model choice (none: the last model is kept). */
  valSet?: ImageSet;
  /** Run folder: model/ (best), checkpoint/, curves.png. */
  outDir: string;
  /** Continue from <outDir>/checkpoint (its configs win over `model` and `train`). */
  resume?: boolean;
  augment?: Augment;
  /** 'single' (this thread) or 'data-parallel' (worker threads, both cores); either is bit-reproducible for a given seed and worker count. */
  engine?: 'single' | 'data-parallel';
  workers?: number;
  quiet?: boolean;
  /** Stop (with a checkpoint) after this step, as if interrupted; for resume tests. */
  interruptAt?: number;
}

export interface SupervisedResult {
  model: tfl.LayersModel;
  model_config: ClassifierConfig;
  train_config: ClassifierTrainConfig;
  history: HistoryPoint[];
  best: LoopState['best'];
  steps: number;
  /** Step this process started from (> 0 when resumed). */
  startStep: number;
  stoppedEarly: boolean;
  seconds: number;
  engine: string;
}

/** Cosine decay from `lr` to 5 % of it, after a linear warm-up. */
export function learningRateAt(step: number, total: number, lr: number, warmup: number): number {
  if (step < warmup) return (lr * (step + 1)) / warmup;
  const t = (step - warmup) / Math.max(1, total - warmup);
  return lr * (0.05 + 0.95 * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, t))));
}

/** The sample order of one epoch: a permutation seeded from (seed, epoch). */
function epochOrder(seed: number, epoch: number, n: number): number[] {
  return new Rng(mixSeed(seed, epoch, 7)).shuffle(Array.from({ length: n }, (_, i) => i));
}

/**
 * Re-estimates every BatchNorm layer's moving mean and variance as the exact average of batch statistics
 * over up to `maxImages` training images (seeded order, no augmentation), with the weights fixed. Short
 * runs on small sets otherwise end with moving statistics that lag weights that changed quickly, and the
 * inference-mode model then predicts far worse than the training-mode one ("precise BN").
 */
export async function recalibrateBatchNorm(model: tfl.LayersModel, set: ImageSet, batchSize: number, seed: number, maxImages = 512): Promise<void> {
  const bns = model.layers.filter((l) => l.getClassName() === 'BatchNormalization') as unknown as { momentum: number }[];
  if (bns.length === 0 || set.n === 0) return;
  const saved = bns.map((b) => b.momentum);
  const order = epochOrder(seed, -1, set.n).slice(0, Math.min(set.n, maxImages));
  const bs = Math.max(2, Math.min(batchSize, order.length));
  try {
    for (let k = 0, start = 0; start < order.length; k++, start += bs) {
      // moving ← moving·k/(k+1) + batch/(k+1): the running mean of the batch statistics.
      for (const b of bns) b.momentum = k / (k + 1);
      const batch = gatherBatch(set, order.slice(start, start + bs), undefined, seed, 0);
      tf.tidy(() => {
        model.apply(tf.tensor4d(batch.x, [batch.n, set.height, set.width, 1]), { training: true });
      });
    }
  } finally {
    bns.forEach((b, i) => (b.momentum = saved[i]));
  }
}

/** Validation loss and top-1 accuracy of `model` on `set`. */
async function validate(model: tfl.LayersModel, set: ImageSet, classes: number): Promise<{ loss: number; accuracy: number }> {
  const probs = await predictProbabilities(model, set);
  return { loss: crossEntropy(probs, set.y, classes), accuracy: topKAccuracy({ data: probs, classes }, set.y, 1) };
}

/** Trains a classifier; see the file header. Returns the best (or last) model and the curves. */
export async function trainSupervised(o: SupervisedOptions): Promise<SupervisedResult> {
  const ckptDir = join(o.outDir, 'checkpoint');
  const modelDir = join(o.outDir, 'model');
  await mkdir(o.outDir, { recursive: true });

  // ---- configuration, or the state to resume
  let state: LoopState;
  const resumed = o.resume ? await readCheckpointState<LoopState>(ckptDir) : undefined;
  if (o.resume && !resumed) throw new UserError(`--resume: no checkpoint in ${ckptDir}`);
  if (resumed) {
    state = resumed;
  } else {
    const model = ClassifierConfig.parse(o.model);
    const train = ClassifierTrainConfig.parse(o.train);
    const spe = Math.ceil(o.trainSet.n / train.batchSize);
    const totalSteps = train.maxSteps > 0 ? Math.min(train.maxSteps, train.epochs * spe) : train.epochs * spe;
    state = { model, train, step: 0, totalSteps, best: null, badEvals: 0, stopped: false, history: [], running: { loss: 0, accuracy: 0, steps: 0 }, seconds: 0 };
  }
  const { model: cfg, train: tc } = state;
  if (o.trainSet.height !== cfg.inputHeight || o.trainSet.width !== cfg.inputWidth) {
    throw new UserError(`images are ${o.trainSet.height}×${o.trainSet.width} but the model expects ${cfg.inputHeight}×${cfg.inputWidth}`);
  }
  if (o.trainSet.n === 0) throw new UserError('no training images');
  const batchSize = Math.min(tc.batchSize, o.trainSet.n);
  const stepsPerEpoch = Math.ceil(o.trainSet.n / batchSize);
  const evalEvery = tc.evalEvery > 0 ? tc.evalEvery : stepsPerEpoch;
  const warmup = Math.min(stepsPerEpoch, Math.ceil(state.totalSteps * 0.05));

  // ---- model, optimizer, gradient engine
  const model = buildClassifier(cfg, tc.seed);
  const optimizer = tf.train.adam(tc.learningRate);
  if (resumed) await restoreCheckpoint(ckptDir, model, optimizer);
  const stepOpts = { model, optimizer, cfg, labelSmoothing: tc.labelSmoothing, seed: tc.seed };
  const engine: GradientStep = o.engine === 'data-parallel' ? await dataParallelStep({ ...stepOpts, workers: o.workers }) : singleProcessStep(stepOpts);

  const checkpoint = () => saveCheckpoint(ckptDir, model, optimizer, state);
  const progress = createProgress({ total: state.totalSteps, start: state.step, label: 'train', quiet: o.quiet });
  const t0 = Date.now();
  const seconds0 = state.seconds;
  const startStep = state.step;
  let order: number[] = [];
  let orderEpoch = -1;
  /** The (augmented) batch of a step: a pure function of the seed and the step, whenever it is computed. */
  const batchAt = (step: number) => {
    const epoch = Math.floor(step / stepsPerEpoch);
    if (epoch !== orderEpoch) [order, orderEpoch] = [epochOrder(tc.seed, epoch, o.trainSet.n), epoch];
    const pos = (step % stepsPerEpoch) * batchSize;
    return gatherBatch(o.trainSet, order.slice(pos, pos + batchSize), tc.augment ? o.augment : undefined, tc.seed, step);
  };
  let next: { step: number; batch: ReturnType<typeof gatherBatch> } | undefined;
  try {
    // ---- the loop
    while (state.step < state.totalSteps && !state.stopped) {
      const step = state.step;
      const batch = next?.step === step ? next.batch : batchAt(step);
      const lr = learningRateAt(step, state.totalSteps, tc.learningRate, warmup);
      (optimizer as unknown as { learningRate: number }).learningRate = lr;
      const pending = engine.step(batch, step);
      pending.catch(() => {}); // awaited below; this only keeps a failure from going unhandled during the prefetch
      // Augment the next batch while the data-parallel workers compute this one (the main thread waits otherwise).
      next = step + 1 < state.totalSteps ? { step: step + 1, batch: batchAt(step + 1) } : undefined;
      const r = await pending;
      if (!Number.isFinite(r.loss)) throw new Error(`training diverged at step ${step} (loss ${r.loss})`);
      state.step = step + 1;
      state.running.loss += r.loss;
      state.running.accuracy += r.accuracy;
      state.running.steps++;
      // The console shows the mean since the last evaluation: at an evaluation step it is the very number
      // history (metrics.json, curves.png) records for that step.
      progress.update(state.step, { loss: state.running.loss / state.running.steps, acc: state.running.accuracy / state.running.steps });

      // ---- evaluate, keep the best model, stop early, checkpoint
      if (state.step % evalEvery === 0 || state.step === state.totalSteps) {
        const point: HistoryPoint = {
          step: state.step,
          epoch: state.step / stepsPerEpoch,
          lr,
          trainLoss: state.running.loss / state.running.steps,
          trainAccuracy: state.running.accuracy / state.running.steps,
        };
        state.running = { loss: 0, accuracy: 0, steps: 0 };
        await recalibrateBatchNorm(model, o.trainSet, batchSize, tc.seed);
        if (o.valSet && o.valSet.n > 0) {
          const v = await validate(model, o.valSet, cfg.classes);
          point.valLoss = v.loss;
          point.valAccuracy = v.accuracy;
          const b = state.best;
          if (!b || v.accuracy > b.valAccuracy || (v.accuracy === b.valAccuracy && v.loss < b.valLoss)) {
            state.best = { step: state.step, valAccuracy: v.accuracy, valLoss: v.loss };
            state.badEvals = 0;
            await saveModel(model, modelDir);
          } else {
            state.badEvals++;
          }
          progress.update(state.step, { val_acc: v.accuracy });
          if (tc.patience > 0 && state.badEvals >= tc.patience) {
            state.stopped = true;
            progress.log(`early stop at step ${state.step}: no validation gain in ${tc.patience} evaluations (best ${state.best!.valAccuracy.toFixed(3)} at step ${state.best!.step})`);
          }
        } else {
          await saveModel(model, modelDir);
        }
        state.history.push(point);
        state.seconds = seconds0 + (Date.now() - t0) / 1000;
        if (tc.checkpointEvery === 0) await checkpoint();
      }
      if (tc.checkpointEvery > 0 && state.step % tc.checkpointEvery === 0) {
        state.seconds = seconds0 + (Date.now() - t0) / 1000;
        await checkpoint();
      }
      if (o.interruptAt !== undefined && state.step >= o.interruptAt) {
        await checkpoint();
        break;
      }
    }
  } finally {
    progress.stop();
    await engine.close();
  }
  state.seconds = seconds0 + (Date.now() - t0) / 1000;

  // ---- the result: the best model (validation) or the last one
  let final = model;
  if (state.best && (state.step >= state.totalSteps || state.stopped)) {
    final = await loadModel(modelDir);
    model.dispose();
  }
  await writeCurves(join(o.outDir, 'curves.png'), state.history);
  return {
    model: final,
    model_config: cfg,
    train_config: tc,
    history: state.history,
    best: state.best,
    steps: state.step,
    startStep,
    stoppedEarly: state.stopped,
    seconds: state.seconds,
    engine: engine.name,
  };
}

/** Loss and accuracy curves (train and validation) against the step. */
async function writeCurves(path: string, h: HistoryPoint[]): Promise<void> {
  const { writeFile } = await import('node:fs/promises');
  const pts = (f: (p: HistoryPoint) => number | undefined) => h.filter((p) => f(p) !== undefined).map((p) => [p.step, f(p)!] as [number, number]);
  const png = await lineChartPng([
    { title: 'loss', yLabel: 'cross-entropy', series: [{ name: 'train', points: pts((p) => p.trainLoss) }, { name: 'validation', points: pts((p) => p.valLoss) }] },
    { title: 'accuracy', yLabel: 'top-1', yRange: [0, 1], series: [{ name: 'train', points: pts((p) => p.trainAccuracy) }, { name: 'validation', points: pts((p) => p.valAccuracy) }] },
  ]);
  await writeFile(path, png);
}
