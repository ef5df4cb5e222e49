// The embedding's training loop, top to bottom: configs, model and optimizer (or a checkpoint to resume),
// then steps over random batches of training writers' signatures and forgeries (train/embedding-batches.ts:
// seeded per step, so a resumed run draws what an uninterrupted one would) with a cosine learning
// rate; every `evalEvery` steps and at the end: BatchNorm statistics re-estimated, held-out writers embedded,
// their EERs and thresholds measured, checkpoint. The saved model is image → embedding; the cosine head lives
// only in the checkpoint.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { EmbeddingConfig, EmbeddingTrainConfig, UserError, type EmbeddingConfigInput, type EmbeddingTrainConfigInput } from '@sig/shared';
import { buildEmbeddingTrainer, embeddingOnly } from '../model/embedding.ts';
import { saveModel } from '../model/io.ts';
import { predictProbabilities } from '../evaluate/classifier-predict.ts';
import { calibrateThresholds, type Calibration } from '../evaluate/verification-protocol.ts';
import { readCheckpointState, restoreCheckpoint, saveCheckpoint } from './checkpoint.ts';
import { batchSampler } from './embedding-batches.ts';
import { embeddingStep } from './embedding-step.ts';
import type { WriterSet } from './embedding-data.ts';
import { gatherBatch, type Augment } from './image-set.ts';
import { heldOutFields, heldOutLine, writeHeldOutCurves, type HeldOutHistoryPoint } from './held-out-curves.ts';
import { createProgress } from './progress.ts';
import { learningRateAt, recalibrateBatchNorm } from './supervised.ts';

export type EmbeddingHistoryPoint = HeldOutHistoryPoint;

interface LoopState {
  model: EmbeddingConfig;
  train: EmbeddingTrainConfig;
  step: number;
  history: EmbeddingHistoryPoint[];
  running: { loss: number; steps: number };
  seconds: number;
}

export interface EmbeddingTrainOptions {
  model: EmbeddingConfigInput;
  train: EmbeddingTrainConfigInput;
  trainSet: WriterSet;
  /** Held-out writers: validation curves and the calibrated thresholds. */
  valSet?: WriterSet;
  outDir: string;
  resume?: boolean;
  augment?: Augment;
  workers?: number;
  quiet?: boolean;
  /** Stop (with a checkpoint) after this step, as if interrupted; for resume tests. */
  interruptAt?: number;
}

export interface EmbeddingTrainResult {
  embedder: tfl.LayersModel;
  model_config: EmbeddingConfig;
  train_config: EmbeddingTrainConfig;
  history: EmbeddingHistoryPoint[];
  calibration?: Calibration;
  steps: number;
  startStep: number;
  seconds: number;
  engine: string;
}

/** Unit vectors of every image of `set` from `embedder`. */
export async function embedSet(embedder: tfl.LayersModel, set: WriterSet): Promise<{ dim: number; vectors: Float32Array; writer: Int32Array; forged: Uint8Array; writers: string[] }> {
  const vectors = await predictProbabilities(embedder, set);
  return { dim: vectors.length / Math.max(1, set.n), vectors, writer: set.y, forged: set.forged, writers: set.writers };
}

/** Trains the embedding; see the file header. */
export async function trainEmbedding(o: EmbeddingTrainOptions): Promise<EmbeddingTrainResult> {
  const ckptDir = join(o.outDir, 'checkpoint');
  await mkdir(o.outDir, { recursive: true });

  // ---- configuration, or the state to resume
  const resumed = o.resume ? await readCheckpointState<LoopState>(ckptDir) : undefined;
  if (o.resume && !resumed) throw new UserError(`--resume: no checkpoint in ${ckptDir}`);
  const state: LoopState = resumed ?? { model: EmbeddingConfig.parse(o.model), train: EmbeddingTrainConfig.parse(o.train), step: 0, history: [], running: { loss: 0, steps: 0 }, seconds: 0 };
  const { model: cfg, train: tc } = state;
  const set = o.trainSet;
  if (set.height !== cfg.inputHeight || set.width !== cfg.inputWidth) throw new UserError(`images are ${set.height}×${set.width} but the model expects ${cfg.inputHeight}×${cfg.inputWidth}`);
  if (set.writers.length !== cfg.classes) throw new UserError(`the training set has ${set.writers.length} writers but the model's head has ${cfg.classes}`);
  const batchSize = Math.min(tc.batchSize, set.n);
  const warmup = Math.min(200, Math.ceil(tc.steps * 0.05));

  // ---- model, optimizer, gradient engine
  const trainer = buildEmbeddingTrainer(cfg, tc.seed);
  const embedder = embeddingOnly(trainer);
  const optimizer = tf.train.adam(tc.learningRate);
  if (resumed) await restoreCheckpoint(ckptDir, trainer, optimizer);
  const engine = await embeddingStep({ trainer, optimizer, cfg, tc, workers: o.workers ?? 1 });
  const progress = createProgress({ total: tc.steps, start: state.step, label: 'embedding', quiet: o.quiet });
  const t0 = Date.now();
  const seconds0 = state.seconds;
  const startStep = state.step;
  const indicesAt = batchSampler(set, { seed: tc.seed, batchSize, forgeryWeight: tc.forgeryWeight, tripletWeight: tc.tripletWeight, perWriter: tc.perWriter });
  /** The batch of a step (train/embedding-batches.ts), a pure function of (seed, step). */
  const batchAt = (step: number) => {
    const idx = indicesAt(step);
    const b = gatherBatch(set, idx, tc.augment ? o.augment : undefined, tc.seed, step);
    return { x: b.x, writer: b.y, forged: Uint8Array.from(idx, (i) => set.forged[i]), n: b.n };
  };
  let calibration: Calibration | undefined;
  const evaluate = async (point: EmbeddingHistoryPoint) => {
    await recalibrateBatchNorm(trainer, set, batchSize, tc.seed);
    if (!o.valSet || o.valSet.n === 0) return;
    try {
      calibration = calibrateThresholds(await embedSet(embedder, o.valSet), tc.references);
      Object.assign(point, heldOutFields(calibration));
      progress.log(heldOutLine(point.step, calibration));
    } catch (e) {
      progress.log(`step ${point.step}: no held-out measurement (${(e as Error).message})`);
    }
  };
  let ema: number | null = null;
  try {
    // ---- the loop
    let next: { step: number; batch: ReturnType<typeof batchAt> } | undefined;
    while (state.step < tc.steps) {
      const step = state.step;
      const batch = next?.step === step ? next.batch : batchAt(step);
      const lr = learningRateAt(step, tc.steps, tc.learningRate, warmup);
      (optimizer as unknown as { learningRate: number }).learningRate = lr;
      const pending = engine.step(batch, step);
      pending.catch(() => {});
      next = step + 1 < tc.steps ? { step: step + 1, batch: batchAt(step + 1) } : undefined; // built while the workers compute
      const r = await pending;
      if (!Number.isFinite(r.loss)) throw new Error(`training diverged at step ${step} (loss ${r.loss})`);
      state.step = step + 1;
      state.running.loss += r.loss;
      state.running.steps++;
      ema = ema === null ? r.loss : 0.95 * ema + 0.05 * r.loss;
      progress.update(state.step, { loss: ema });

      // ---- evaluate and checkpoint
      if ((tc.evalEvery > 0 && state.step % tc.evalEvery === 0) || state.step === tc.steps) {
        const point: EmbeddingHistoryPoint = { step: state.step, lr, trainLoss: state.running.loss / state.running.steps };
        state.running = { loss: 0, steps: 0 };
        await evaluate(point);
        state.history.push(point);
        state.seconds = seconds0 + (Date.now() - t0) / 1000;
        await saveCheckpoint(ckptDir, trainer, optimizer, state);
        await saveModel(embedder, join(o.outDir, 'model'));
        await writeHeldOutCurves(state.history, join(o.outDir, 'curves.png'));
      }
      if (o.interruptAt !== undefined && state.step >= o.interruptAt && state.step < tc.steps) {
        state.seconds = seconds0 + (Date.now() - t0) / 1000;
        await saveCheckpoint(ckptDir, trainer, optimizer, state);
        break;
      }
    }
  } finally {
    progress.stop();
    await engine.close();
  }
  // A resumed run that was already finished still needs the calibration of its final model.
  if (!calibration && state.step >= tc.steps && o.valSet && o.valSet.n > 0) {
    try {
      calibration = calibrateThresholds(await embedSet(embedder, o.valSet), tc.references);
    } catch {
      calibration = undefined;
    }
  }
  return { embedder, model_config: cfg, train_config: tc, history: state.history, calibration, steps: state.step, startStep, seconds: state.seconds, engine: engine.name };
}
