// Losses and the "correct" count the data-parallel engine computes inside workers (and its tests on the main
// thread), so both sides use exactly the same definitions.
import * as tf from '@tensorflow/tfjs-core';

/** Built-in losses by name. `*CrossEntropy` (capital E) variants take logits; the others take probabilities. */
export const LOSS_NAMES = [
  'categoricalCrossentropy',
  'softmaxCrossEntropy',
  'sparseCategoricalCrossentropy',
  'binaryCrossentropy',
  'sigmoidCrossEntropy',
  'meanSquaredError',
] as const;
export type LossName = (typeof LOSS_NAMES)[number];

const EPS = 1e-7;

/** Mean loss over the batch. `yTrue`: one-hot/probabilities, int class ids (sparse) or targets. */
export function computeLoss(name: LossName, yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    switch (name) {
      case 'categoricalCrossentropy': {
        const p = tf.clipByValue(yPred, EPS, 1 - EPS);
        return tf.mean(tf.neg(tf.sum(tf.mul(yTrue, tf.log(p)), -1)));
      }
      case 'softmaxCrossEntropy':
        return tf.losses.softmaxCrossEntropy(yTrue, yPred) as tf.Scalar;
      case 'sparseCategoricalCrossentropy': {
        const classes = yPred.shape[yPred.shape.length - 1];
        const oneHot = tf.oneHot(tf.cast(tf.reshape(yTrue, [-1]), 'int32') as tf.Tensor1D, classes);
        return computeLoss('categoricalCrossentropy', tf.cast(oneHot, 'float32'), yPred);
      }
      case 'binaryCrossentropy': {
        const p = tf.clipByValue(yPred, EPS, 1 - EPS);
        const y = tf.reshape(yTrue, p.shape);
        return tf.mean(tf.neg(tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p))))));
      }
      case 'sigmoidCrossEntropy':
        return tf.losses.sigmoidCrossEntropy(tf.reshape(yTrue, yPred.shape), yPred) as tf.Scalar;
      case 'meanSquaredError':
        return tf.mean(tf.squaredDifference(tf.reshape(yTrue, yPred.shape), yPred));
    }
  });
}

/** Number of correct predictions in the batch (argmax for multi-class, threshold for binary; 0 for MSE). */
export function countCorrect(name: LossName, yTrue: tf.Tensor, yPred: tf.Tensor): number {
  return tf.tidy(() => {
    let hits: tf.Tensor;
    switch (name) {
      case 'categoricalCrossentropy':
      case 'softmaxCrossEntropy':
        hits = tf.equal(tf.argMax(yTrue, -1), tf.argMax(yPred, -1));
        break;
      case 'sparseCategoricalCrossentropy':
        hits = tf.equal(tf.cast(tf.reshape(yTrue, [-1]), 'int32'), tf.argMax(yPred, -1));
        break;
      case 'binaryCrossentropy':
      case 'sigmoidCrossEntropy': {
        const threshold = name === 'binaryCrossentropy' ? 0.5 : 0;
        hits = tf.equal(tf.greater(tf.reshape(yTrue, [-1]), 0.5), tf.greater(tf.reshape(yPred, [-1]), threshold));
        break;
      }
      case 'meanSquaredError':
        return 0;
    }
    return tf.sum(tf.cast(hits, 'int32')).dataSync()[0];
  });
}
