// One optimizer step on a batch, behind a small interface so the supervised loop does not care whether the
// step runs in this thread (deterministic, dropout seeded per step) or on the data-parallel workers (both
// cores with the wasm backend; dropout masks then come from the workers' own RNGs).
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { CLASSIFIER_LAYERS, type ClassifierConfig } from '@sig/shared';
import { logitsModel } from '../model/classifier.ts';
import { mixSeed } from './image-set.ts';

/** A batch: NHWC images and class ids. */
export interface Batch {
  x: Float32Array;
  y: Int32Array;
  n: number;
}

/** Runs one optimizer step; `step` seeds the dropout masks of the single-process engine. */
export interface GradientStep {
  readonly name: string;
  step(batch: Batch, step: number): Promise<{ loss: number; accuracy: number }>;
  close(): Promise<void>;
}

/** Smoothed one-hot targets: 1 − ε on the true class, ε / classes spread over all. */
export function smoothOneHot(y: Int32Array, classes: number, eps: number): Float32Array {
  const out = new Float32Array(y.length * classes).fill(eps / classes);
  for (let i = 0; i < y.length; i++) out[i * classes + y[i]] += 1 - eps;
  return out;
}

interface StepOptions {
  model: tfl.LayersModel;
  optimizer: tf.Optimizer;
  cfg: ClassifierConfig;
  labelSmoothing: number;
  seed: number;
}

/** Gradient step in this thread: tf.variableGrads over softmax cross-entropy on logits + L2 losses. */
export function singleProcessStep(o: StepOptions): GradientStep {
  const net = logitsModel(o.model);
  const dropouts = o.model.layers.filter((l) => l.getClassName() === 'Dropout') as unknown as { seed?: number }[];
  const vars = o.model.trainableWeights.map((w) => w.read() as tf.Variable);
  return {
    name: 'single-process',
    async step(batch, step) {
      // TF.js dropout draws from an unseeded generator unless the layer has a seed: one per step and layer.
      dropouts.forEach((d, k) => (d.seed = mixSeed(o.seed, step, k, 101) >>> 0));
      const result = tf.tidy(() => {
        const xs = tf.tensor4d(batch.x, [batch.n, o.cfg.inputHeight, o.cfg.inputWidth, 1]);
        const ys = tf.tensor2d(smoothOneHot(batch.y, o.cfg.classes, o.labelSmoothing), [batch.n, o.cfg.classes]);
        const labels = tf.tensor1d(batch.y, 'int32');
        let correct: tf.Tensor | undefined;
        const { value, grads } = tf.variableGrads(() => {
          const logits = net.apply(xs, { training: true }) as tf.Tensor;
          // Kept: variableGrads disposes every other intermediate of the forward pass.
          correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32')));
          let loss = tf.losses.softmaxCrossEntropy(ys, logits) as tf.Scalar;
          for (const r of o.model.calculateLosses()) loss = tf.add(loss, r);
          return loss;
        }, vars);
        o.optimizer.applyGradients(grads);
        return [tf.keep(value), correct!];
      });
      dropouts.forEach((d) => (d.seed = undefined));
      const [loss, correct] = await Promise.all(result.map((t) => t.data()));
      tf.dispose(result);
      return { loss: loss[0], accuracy: correct[0] / batch.n };
    },
    async close() {},
  };
}

/** Gradient step on the data-parallel workers (same loss, targets pre-smoothed). */
export async function dataParallelStep(o: StepOptions & { workers?: number }): Promise<GradientStep> {
  const { DataParallel } = await import('./data-parallel.ts');
  const dp = await DataParallel.create({
    model: o.model,
    optimizer: o.optimizer,
    build: { module: new URL('../model/classifier.ts', import.meta.url).href, export: 'buildClassifier', args: [o.cfg, o.seed], output: CLASSIFIER_LAYERS.logits },
    loss: 'softmaxCrossEntropy',
    workers: o.workers,
  });
  return {
    name: `data-parallel ×${dp.workers}`,
    async step(batch, step) {
      const r = await dp.step({
        x: batch.x,
        xShape: [batch.n, o.cfg.inputHeight, o.cfg.inputWidth, 1],
        y: smoothOneHot(batch.y, o.cfg.classes, o.labelSmoothing),
        yShape: [batch.n, o.cfg.classes],
        seed: mixSeed(o.seed, step, 0, 103) >>> 0,
      });
      return { loss: r.loss, accuracy: r.accuracy };
    },
    close: () => dp.close(),
  };
}
