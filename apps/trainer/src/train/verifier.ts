// The pairwise verifier's training loop, top to bottom: configs, model and optimizer (or a checkpoint to
// resume), then steps over pairs (train/verifier-pairs.ts: seeded per step, so a resumed run draws what an
// uninterrupted one would; both images augmented) with binary cross-entropy on the same-writer logit and a
// cosine learning rate; every `evalEvery` steps and at the end: BatchNorm statistics re-estimated, held-out
// writers scored with the verification protocol's enrolment (evaluate/verifier-scores.ts), checkpoint.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { UserError, VerifierConfig, VerifierTrainConfig, type VerifierConfigInput, type VerifierTrainConfigInput } from '@sig/shared';
import { buildVerifier, verifierTrunk } from '../model/verifier.ts';
import { saveModel } from '../model/io.ts';
import { calibrateThresholds, type Calibration } from '../evaluate/verification-protocol.ts';
import { pairHead, verifierEnrolment, verifierFeatures } from '../evaluate/verifier-scores.ts';
import { readCheckpointState, restoreCheckpoint, saveCheckpoint } from './checkpoint.ts';
import type { WriterSet } from './embedding-data.ts';
import { gatherBatch, mixSeed, type Augment } from './image-set.ts';
import { heldOutFields, heldOutLine, writeHeldOutCurves, type HeldOutHistoryPoint } from './held-out-curves.ts';
import { createProgress } from './progress.ts';
import { learningRateAt, recalibrateBatchNorm } from './supervised.ts';
import { pairSampler } from './verifier-pairs.ts';

export type VerifierHistoryPoint = HeldOutHistoryPoint;

interface LoopState {
  model: VerifierConfig;
  train: VerifierTrainConfig;
  step: number;
  history: VerifierHistoryPoint[];
  running: { loss: number; steps: number };
  seconds: number;
}

export interface VerifierTrainOptions {
  model: VerifierConfigInput;
  train: VerifierTrainConfigInput;
  trainSet: WriterSet;
  /** Held-out writers: validation curves and calibration. */
  valSet?: WriterSet;
  outDir: string;
  resume?: boolean;
  augment?: Augment;
  quiet?: boolean;
  /** Stop (with a checkpoint) after this step, as if interrupted; for resume tests. */
  interruptAt?: number;
}

export interface VerifierTrainResult {
  verifier: tfl.LayersModel;
  model_config: VerifierConfig;
  train_config: VerifierTrainConfig;
  history: VerifierHistoryPoint[];
  calibration?: Calibration;
  steps: number;
  startStep: number;
  seconds: number;
}

/** The held-out writers scored by `verifier` with the protocol's enrolment (scores are probabilities). */
export async function calibrateVerifier(verifier: tfl.LayersModel, set: WriterSet, references: number): Promise<Calibration> {
  const enrol = verifierEnrolment(await verifierFeatures(verifier, set), pairHead(verifier));
  return calibrateThresholds({ dim: 0, vectors: new Float32Array(0), writer: set.y, forged: set.forged, writers: set.writers }, references, 'max', enrol);
}

/** Trains the verifier; see the file header. */
export async function trainVerifier(o: VerifierTrainOptions): Promise<VerifierTrainResult> {
  const ckptDir = join(o.outDir, 'checkpoint');
  await mkdir(o.outDir, { recursive: true });

  // ---- configuration, or the state to resume
  const resumed = o.resume ? await readCheckpointState<LoopState>(ckptDir) : undefined;
  if (o.resume && !resumed) throw new UserError(`--resume: no checkpoint in ${ckptDir}`);
  const state: LoopState = resumed ?? { model: VerifierConfig.parse(o.model), train: VerifierTrainConfig.parse(o.train), step: 0, history: [], running: { loss: 0, steps: 0 }, seconds: 0 };
  const { model: cfg, train: tc } = state;
  const set = o.trainSet;
  if (set.height !== cfg.inputHeight || set.width !== cfg.inputWidth) throw new UserError(`images are ${set.height}×${set.width} but the model expects ${cfg.inputHeight}×${cfg.inputWidth}`);
  const warmup = Math.min(200, Math.ceil(tc.steps * 0.05));

  // ---- model, optimizer
  const verifier = buildVerifier(cfg, tc.seed);
  const trunk = verifierTrunk(verifier);
  const optimizer: tf.Optimizer = tf.train.adam(tc.learningRate);
  if (resumed) await restoreCheckpoint(ckptDir, verifier, optimizer);
  const vars = verifier.trainableWeights.map((w) => w.read() as tf.Variable);
  const progress = createProgress({ total: tc.steps, start: state.step, label: 'verifier', quiet: o.quiet });
  const t0 = Date.now();
  const seconds0 = state.seconds;
  const startStep = state.step;
  const pairsAt = pairSampler(set, { seed: tc.seed, batchSize: tc.batchSize, genuineShare: tc.genuineShare, forgedShare: tc.forgedShare, forgeryWriterShare: tc.forgeryWriterShare });
  const augment = tc.augment ? o.augment : undefined;
  const shape = [tc.batchSize, cfg.inputHeight, cfg.inputWidth, 1] as [number, number, number, number];
  let calibration: Calibration | undefined;
  const evaluate = async (point: VerifierHistoryPoint) => {
    await recalibrateBatchNorm(trunk, set, tc.batchSize, tc.seed);
    if (!o.valSet || o.valSet.n === 0) return;
    try {
      calibration = await calibrateVerifier(verifier, o.valSet, tc.references);
      Object.assign(point, heldOutFields(calibration));
      progress.log(heldOutLine(point.step, calibration));
    } catch (e) {
      progress.log(`step ${point.step}: no held-out measurement (${(e as Error).message})`);
    }
  };
  let ema: number | null = null;
  try {
    // ---- the loop
    while (state.step < tc.steps) {
      const step = state.step;
      const pairs = pairsAt(step);
      const a = gatherBatch(set, pairs.a, augment, tc.seed, step);
      const b = gatherBatch(set, pairs.b, augment, mixSeed(tc.seed, 1), step);
      const lr = learningRateAt(step, tc.steps, tc.learningRate, warmup);
      (optimizer as unknown as { learningRate: number }).learningRate = lr;
      const value = tf.tidy(() => {
        const inputs = [tf.tensor4d(a.x, shape), tf.tensor4d(b.x, shape)];
        const labels = tf.tensor2d(pairs.label, [tc.batchSize, 1]);
        const { value: v, grads } = tf.variableGrads(() => tf.losses.sigmoidCrossEntropy(labels, verifier.apply(inputs, { training: true }) as tf.Tensor) as tf.Scalar, vars);
        optimizer.applyGradients(grads);
        return tf.keep(v);
      });
      const loss = (await value.data())[0];
      value.dispose();
      if (!Number.isFinite(loss)) throw new Error(`training diverged at step ${step} (loss ${loss})`);
      state.step = step + 1;
      state.running.loss += loss;
      state.running.steps++;
      ema = ema === null ? loss : 0.95 * ema + 0.05 * loss;
      progress.update(state.step, { loss: ema });

      // ---- evaluate and checkpoint
      if ((tc.evalEvery > 0 && state.step % tc.evalEvery === 0) || state.step === tc.steps) {
        const point: VerifierHistoryPoint = { step: state.step, lr, trainLoss: state.running.loss / state.running.steps };
        state.running = { loss: 0, steps: 0 };
        await evaluate(point);
        state.history.push(point);
        state.seconds = seconds0 + (Date.now() - t0) / 1000;
        await saveCheckpoint(ckptDir, verifier, optimizer, state);
        await saveModel(verifier, join(o.outDir, 'model'));
        await writeHeldOutCurves(state.history, join(o.outDir, 'curves.png'));
      }
      if (o.interruptAt !== undefined && state.step >= o.interruptAt && state.step < tc.steps) {
        state.seconds = seconds0 + (Date.now() - t0) / 1000;
        await saveCheckpoint(ckptDir, verifier, optimizer, state);
        break;
      }
    }
  } finally {
    progress.stop();
  }
  if (!calibration && state.step >= tc.steps && o.valSet && o.valSet.n > 0) calibration = await calibrateVerifier(verifier, o.valSet, tc.references).catch(() => undefined);
  return { verifier, model_config: cfg, train_config: tc, history: state.history, calibration, steps: state.step, startStep, seconds: state.seconds };
}
