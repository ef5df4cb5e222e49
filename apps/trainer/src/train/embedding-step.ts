// One optimizer step of the embedding on a batch, in this thread or on the data-parallel workers (both cores),
// with the same loss module either way (train/embedding-loss.ts).
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { EmbeddingConfig, EmbeddingTrainConfig } from '@sig/shared';
import { embeddingLoss, embeddingTargets, type EmbeddingLossOptions } from './embedding-loss.ts';

/** A batch: NHWC images, writer ids and forged flags. */
export interface EmbeddingBatch {
  x: Float32Array;
  writer: Int32Array;
  forged: Uint8Array;
  n: number;
}

export interface EmbeddingStep {
  readonly name: string;
  step(batch: EmbeddingBatch, step: number): Promise<{ loss: number }>;
  close(): Promise<void>;
}

/** The loss settings of a training config (margin 0 for the plain normalised softmax). */
export function lossOptions(tc: EmbeddingTrainConfig): EmbeddingLossOptions {
  return {
    scale: tc.scale,
    margin: tc.objective === 'cosface' ? tc.margin : 0,
    forgeryWeight: tc.forgeryWeight,
    forgeryMargin: tc.forgeryMargin,
    tripletWeight: tc.tripletWeight,
    tripletMargin: tc.tripletMargin,
  };
}

/** This thread's or the workers' step for `trainer` (the model whose output is [cosines | embedding]). */
export async function embeddingStep(o: { trainer: tfl.LayersModel; optimizer: tf.Optimizer; cfg: EmbeddingConfig; tc: EmbeddingTrainConfig; workers: number }): Promise<EmbeddingStep> {
  const { cfg } = o;
  const opts = lossOptions(o.tc);
  const shape = (n: number) => [n, cfg.inputHeight, cfg.inputWidth, 1];
  if (o.workers > 1) {
    const { DataParallel } = await import('./data-parallel.ts');
    const dp = await DataParallel.create({
      model: o.trainer,
      optimizer: o.optimizer,
      build: { module: new URL('../model/embedding.ts', import.meta.url).href, export: 'buildEmbeddingTrainer', args: [cfg, o.tc.seed] },
      loss: { module: new URL('./embedding-loss.ts', import.meta.url).href, export: 'embeddingLoss', args: [opts] },
      workers: o.workers,
    });
    return {
      name: `data-parallel ×${dp.workers}`,
      async step(b) {
        const r = await dp.step({ x: b.x, xShape: shape(b.n), y: embeddingTargets(b.writer, b.forged, cfg.classes), yShape: [b.n, cfg.classes + 1] });
        return { loss: r.loss };
      },
      close: () => dp.close(),
    };
  }
  const loss = embeddingLoss(opts);
  const vars = o.trainer.trainableWeights.map((w) => w.read() as tf.Variable);
  return {
    name: 'single-process',
    async step(b) {
      const value = tf.tidy(() => {
        const x = tf.tensor4d(b.x, shape(b.n) as [number, number, number, number]);
        const y = tf.tensor2d(embeddingTargets(b.writer, b.forged, cfg.classes), [b.n, cfg.classes + 1]);
        const { value: v, grads } = tf.variableGrads(() => loss(y, o.trainer.apply(x, { training: true }) as tf.Tensor), vars);
        o.optimizer.applyGradients(grads);
        return tf.keep(v);
      });
      const l = (await value.data())[0];
      value.dispose();
      return { loss: l };
    },
    async close() {},
  };
}
