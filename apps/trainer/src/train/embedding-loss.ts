// The embedding's training objective over the cosine head's output, one definition for this thread and the
// data-parallel workers. Targets are [n, writers + 1]: the one-hot writer, then 1 for a skilled forgery of that
// writer (0 for a genuine signature). Genuine rows: large-margin cosine softmax (CosFace, m = 0: normalised
// softmax). Forged rows: softplus(s·(cos(forgery, writer) − δ)), pushing the imitation below δ to the writer it
// imitates: the hard negatives that random other writers never provide.
import * as tf from '@tensorflow/tfjs-core';

export interface EmbeddingLossOptions {
  scale: number;
  margin: number;
  forgeryWeight: number;
  forgeryMargin: number;
}

/** The loss function for `opts` (a factory, so the data-parallel workers can build it from JSON args). */
export function embeddingLoss(opts: EmbeddingLossOptions): (yTrue: tf.Tensor, cosines: tf.Tensor) => tf.Scalar {
  const { scale: s, margin: m, forgeryWeight, forgeryMargin } = opts;
  return (yTrue, cosines) =>
    tf.tidy(() => {
      const classes = cosines.shape[1] as number;
      const n = cosines.shape[0] as number;
      const onehot = tf.slice(yTrue, [0, 0], [n, classes]);
      const forged = tf.reshape(tf.slice(yTrue, [0, classes], [n, 1]), [n]);
      const genuine = tf.sub(1, forged);
      const logits = tf.mul(tf.sub(cosines, tf.mul(onehot, m)), s);
      const ce = tf.neg(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)), -1));
      let loss = tf.div(tf.sum(tf.mul(genuine, ce)), tf.maximum(tf.sum(genuine), 1));
      if (forgeryWeight > 0) {
        const toWriter = tf.sum(tf.mul(onehot, cosines), -1);
        const push = tf.softplus(tf.mul(tf.sub(toWriter, forgeryMargin), s));
        loss = tf.add(loss, tf.mul(tf.div(tf.sum(tf.mul(forged, push)), tf.maximum(tf.sum(forged), 1)), forgeryWeight));
      }
      return loss as tf.Scalar;
    });
}

/** Targets for {@link embeddingLoss}: one row per image, `classes` one-hot columns and the forged flag. */
export function embeddingTargets(writer: Int32Array, forged: Uint8Array, classes: number): Float32Array {
  const out = new Float32Array(writer.length * (classes + 1));
  for (let i = 0; i < writer.length; i++) {
    out[i * (classes + 1) + writer[i]] = 1;
    out[i * (classes + 1) + classes] = forged[i];
  }
  return out;
}
