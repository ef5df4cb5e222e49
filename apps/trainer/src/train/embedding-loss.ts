// The embedding's training objective over the trainer's output [cosines | embedding], one definition for this
// thread and the data-parallel workers. Targets are [n, writers + 1]: the one-hot writer, then 1 for a skilled
// forgery of that writer (0 for a genuine signature).
// - Genuine rows: large-margin cosine softmax over the writers' head vectors (CosFace; m = 0: normalised softmax).
// - Forged rows (forgery weight > 0): softplus(s·(cos(forgery, writer) − δ)), pushing the imitation below δ to the
//   writer it imitates: the hard negatives that random other writers never provide.
// - Triplet term (triplet weight > 0): batch-hard with a soft margin (Hermans et al. 2017) on the embeddings of
//   the batch (of a worker's shard): for each genuine anchor, its least similar genuine of the same writer must
//   beat its most similar image that is not one (another writer's, or a forgery of its own writer) by m.
import * as tf from '@tensorflow/tfjs-core';

export interface EmbeddingLossOptions {
  scale: number;
  margin: number;
  forgeryWeight: number;
  forgeryMargin: number;
  tripletWeight?: number;
  tripletMargin?: number;
}

/** The loss function for `opts` (a factory, so the data-parallel workers can build it from JSON args). */
export function embeddingLoss(opts: EmbeddingLossOptions): (yTrue: tf.Tensor, output: tf.Tensor) => tf.Scalar {
  const { scale: s, margin: m, forgeryWeight, forgeryMargin, tripletWeight = 0, tripletMargin = 0.2 } = opts;
  return (yTrue, output) =>
    tf.tidy(() => {
      const n = yTrue.shape[0] as number;
      const classes = (yTrue.shape[1] as number) - 1;
      const cosines = tf.slice(output, [0, 0], [n, classes]);
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
      if (tripletWeight > 0 && (output.shape[1] as number) > classes) {
        const embedding = tf.slice(output, [0, classes], [n, (output.shape[1] as number) - classes]);
        loss = tf.add(loss, tf.mul(batchHardTriplet(embedding, onehot, genuine, tripletMargin, s), tripletWeight));
      }
      return loss as tf.Scalar;
    });
}

/**
 * Batch-hard soft-margin triplet loss on unit vectors `embedding` [n, d]: mean over genuine anchors that have both
 * a positive (another genuine of its writer) and a negative of softplus(s·(cos_hardest_neg − cos_hardest_pos + m))/s.
 */
export function batchHardTriplet(embedding: tf.Tensor, onehot: tf.Tensor, genuine: tf.Tensor, margin: number, s: number): tf.Scalar {
  return tf.tidy(() => {
    const n = embedding.shape[0] as number;
    const cos = tf.matMul(embedding, embedding, false, true);
    const same = tf.matMul(onehot, onehot, false, true);
    const notSelf = tf.sub(1, tf.eye(n));
    const g = tf.reshape(genuine, [n, 1]);
    const gRow = tf.reshape(genuine, [1, n]);
    // Positives: other genuine images of the anchor's writer. Negatives: everything else but the anchor.
    const pos = tf.mul(tf.mul(tf.mul(same, notSelf), g), gRow);
    const neg = tf.mul(tf.mul(tf.sub(1, tf.mul(same, gRow)), notSelf), g);
    // Cosines lie in [−1, 1]: masked-out entries are moved 4 away, so they never win the min or the max.
    const hardestPos = tf.min(tf.add(cos, tf.mul(tf.sub(1, pos), 4)), 1);
    const hardestNeg = tf.max(tf.sub(cos, tf.mul(tf.sub(1, neg), 4)), 1);
    const valid = tf.mul(tf.cast(tf.greater(tf.sum(pos, 1), 0), 'float32'), tf.cast(tf.greater(tf.sum(neg, 1), 0), 'float32'));
    const per = tf.div(tf.softplus(tf.mul(tf.add(tf.sub(hardestNeg, hardestPos), margin), s)), s);
    return tf.div(tf.sum(tf.mul(per, valid)), tf.maximum(tf.sum(valid), 1)) as tf.Scalar;
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
