// Parity: the exported ONNX model must compute what the TF.js model computes. Both run the same inputs
// (seeded random ones and, when given, real preprocessed images) and their outputs are compared element-wise
// (max absolute difference) and, for class-score outputs, by argmax.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-node';
import { Rng, UserError } from '@sig/shared';

/**
 * What each precision must meet. fp32 is the exactness claim (1e-4, identical argmax). fp16/int8 weights
 * change outputs by design: their bounds were set from measured differences on the project's architectures
 * (fp16 ≤ ~5e-3, int8 ≤ ~0.14 on a tanh generator pixel) with headroom, and argmax must mostly agree.
 */
export const PARITY_LIMITS = {
  fp32: { tolerance: 1e-4, minArgmaxAgreement: 1 },
  fp16: { tolerance: 2e-2, minArgmaxAgreement: 0.95 },
  int8: { tolerance: 0.25, minArgmaxAgreement: 0.9 },
} as const;

/** How to draw random values for one model input ({ integers: n }: indices 0..n-1, e.g. for Embedding). */
export type InputKind = 'image' | 'normal' | 'onehot' | { integers: number };

export interface ParityOptions {
  /** Random samples (default 32). */
  samples?: number;
  seed?: number;
  /** Max absolute difference allowed (default 1e-4). */
  tolerance?: number;
  /** Share of rows whose argmax must agree (default 1: identical). */
  minArgmaxAgreement?: number;
  /** Per model input: 'image' uniform [0,1) (default for 4-D), 'normal' (default otherwise), 'onehot'. */
  inputKinds?: InputKind[];
  /** Extra real samples, one Float32Array per model input holding `realCount` samples. */
  real?: { inputs: Float32Array[]; count: number };
}

export interface ParityReport {
  samples: number;
  realSamples: number;
  tolerance: number;
  maxAbsDiff: number;
  /** Rows whose class-score argmax was compared, and the share that agreed (1 when none were compared). */
  argmaxRows: number;
  argmaxAgreement: number;
  passed: boolean;
}

function randomInput(shape: number[], n: number, kind: InputKind, rng: Rng): Float32Array {
  const per = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n * per);
  if (kind === 'onehot') {
    for (let i = 0; i < n; i++) out[i * per + rng.int(per)] = 1;
  } else if (typeof kind === 'object') {
    for (let i = 0; i < out.length; i++) out[i] = rng.int(kind.integers);
  } else {
    for (let i = 0; i < out.length; i++) out[i] = kind === 'image' ? rng.next() : rng.normal();
  }
  return out;
}

function argmaxRow(a: ArrayLike<number>, off: number, len: number): number {
  let best = 0;
  for (let j = 1; j < len; j++) if (a[off + j] > a[off + best]) best = j;
  return best;
}

/** Runs TF.js and onnxruntime-node on the same inputs and compares the outputs. */
export async function checkParity(model: tfl.LayersModel, onnxBytes: Uint8Array, opts: ParityOptions = {}): Promise<ParityReport> {
  const nRandom = opts.samples ?? 32;
  const tolerance = opts.tolerance ?? 1e-4;
  const rng = new Rng(opts.seed ?? 1234);
  const nReal = opts.real?.count ?? 0;
  const n = nRandom + nReal;
  const shapes = model.inputs.map((t) => t.shape.slice(1).map((d) => d ?? 1));
  const inputs = model.inputs.map((t, i) => {
    const kind = opts.inputKinds?.[i] ?? (t.shape.length === 4 ? 'image' : 'normal');
    const per = shapes[i].reduce((a, b) => a * b, 1);
    const data = new Float32Array(n * per);
    data.set(randomInput(shapes[i], nRandom, kind, rng));
    if (opts.real) data.set(opts.real.inputs[i], nRandom * per);
    return data;
  });

  const tfOut = tf.tidy(() => {
    const xs = inputs.map((d, i) => tf.tensor(d, [n, ...shapes[i]]));
    const ys = model.predict(xs.length === 1 ? xs[0] : xs);
    return (Array.isArray(ys) ? ys : [ys]).map((y) => y.dataSync() as Float32Array);
  });

  const session = await ort.InferenceSession.create(onnxBytes);
  try {
    // Two batch sizes (1 and the rest) also prove the batch dimension is dynamic.
    const chunks = n > 1 ? [[0, 1], [1, n]] : [[0, n]];
    const onnxOut = tfOut.map((o) => new Float32Array(o.length));
    for (const [lo, hi] of chunks) {
      const feeds: Record<string, ort.Tensor> = {};
      session.inputNames.forEach((name, i) => {
        const per = inputs[i].length / n;
        feeds[name] = new ort.Tensor('float32', inputs[i].slice(lo * per, hi * per), [hi - lo, ...shapes[i]]);
      });
      const res = await session.run(feeds);
      session.outputNames.forEach((name, k) => {
        const per = onnxOut[k].length / n;
        onnxOut[k].set(res[name].data as Float32Array, lo * per);
      });
    }

    let maxAbsDiff = 0;
    let rows = 0;
    let agree = 0;
    tfOut.forEach((a, k) => {
      const b = onnxOut[k];
      for (let i = 0; i < a.length; i++) {
        const d = Math.abs(a[i] - b[i]);
        // NaN anywhere is a failure, not a silently ignored comparison.
        maxAbsDiff = Number.isNaN(d) ? Infinity : Math.max(maxAbsDiff, d);
      }
      const outShape = model.outputs[k].shape;
      const classes = outShape.length === 2 ? (outShape[1] ?? 0) : 0;
      if (classes > 1) {
        for (let r = 0; r < n; r++) {
          rows++;
          if (argmaxRow(a, r * classes, classes) === argmaxRow(b, r * classes, classes)) agree++;
        }
      }
    });
    const argmaxAgreement = rows === 0 ? 1 : agree / rows;
    const passed = maxAbsDiff <= tolerance && argmaxAgreement >= (opts.minArgmaxAgreement ?? 1);
    return { samples: nRandom, realSamples: nReal, tolerance, maxAbsDiff, argmaxRows: rows, argmaxAgreement, passed };
  } finally {
    await session.release();
  }
}

/** Throws a UserError that says what failed when `report` did not pass. */
export function assertParity(report: ParityReport, what: string): void {
  if (report.passed) return;
  throw new UserError(
    `${what}: ONNX output differs from TF.js (max abs diff ${report.maxAbsDiff.toExponential(2)}, tolerance ${report.tolerance}, ` +
      `argmax agreement ${(report.argmaxAgreement * 100).toFixed(1)}% of ${report.argmaxRows}); not written`,
  );
}
