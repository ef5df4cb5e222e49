// Scoring with the pairwise verifier (model/verifier.ts) in the verification protocol's terms: every image's
// trunk features once, then the pair head in plain arithmetic on them (a Dense-ReLU-Dense on [|a − b|, a · b];
// `test/verifier.test.ts` checks it against the TF.js model). A writer's enrolment scores a query by the mean
// same-writer probability over its references; `fusedEnrolment` adds it, weighted, to the embedding's cosine.
import type * as tfl from '@tensorflow/tfjs-layers';
import { VERIFIER_LAYERS } from '@sig/shared';
import { verifierTrunk } from '../model/verifier.ts';
import type { ImageSet } from '../train/image-set.ts';
import { predictProbabilities } from './classifier-predict.ts';
import type { Enrol } from './verification-protocol.ts';

/** Every image's trunk features, n × dim row-major. */
export async function verifierFeatures(verifier: tfl.LayersModel, set: ImageSet): Promise<{ dim: number; features: Float32Array }> {
  const features = await predictProbabilities(verifierTrunk(verifier), set);
  return { dim: features.length / Math.max(1, set.n), features };
}

/** The head's logit for features a and b (length dim each), from the model's own weights. */
export function pairHead(verifier: tfl.LayersModel): (a: Float32Array, b: Float32Array) => number {
  const weights = (name: string) => verifier.getLayer(name).getWeights().map((w) => w.dataSync() as Float32Array);
  const [w1, b1] = weights('head_hidden');
  const [w2, b2] = weights(VERIFIER_LAYERS.score);
  const hidden = b1.length;
  const z = new Float32Array(hidden);
  return (a, b) => {
    const d = a.length;
    z.set(b1);
    // input row k: |a − b| for k < d, a · b for k ≥ d; W1 is [2d, hidden] row-major
    for (let k = 0; k < d; k++) {
      const u = Math.abs(a[k] - b[k]), v = a[k] * b[k];
      const ru = k * hidden, rv = (d + k) * hidden;
      for (let h = 0; h < hidden; h++) z[h] += u * w1[ru + h] + v * w1[rv + h];
    }
    let y = b2[0];
    for (let h = 0; h < hidden; h++) if (z[h] > 0) y += z[h] * w2[h];
    return y;
  };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Enrolment by the verifier: a query's score is its mean same-writer probability against the references. */
export function verifierEnrolment(f: { dim: number; features: Float32Array }, head: (a: Float32Array, b: Float32Array) => number): Enrol {
  const row = (i: number) => f.features.subarray(i * f.dim, (i + 1) * f.dim);
  return (rows) => {
    const refs = rows.map(row);
    return (i) => {
      const q = row(i);
      let s = 0;
      for (const r of refs) s += sigmoid(head(r, q));
      return s / refs.length;
    };
  };
}

/** cosine score + weight × verifier probability (weight 0: the embedding alone). */
export function fusedEnrolment(embedding: Enrol, verifier: Enrol, weight: number): Enrol {
  return (rows) => {
    const e = embedding(rows), v = verifier(rows);
    return (i) => e(i) + weight * v(i);
  };
}
