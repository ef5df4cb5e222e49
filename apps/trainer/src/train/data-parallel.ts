/**
 * Data-parallel training steps on worker threads: the way to use more than one core with the wasm backend
 * (it forces its own threads off under Node). Each worker holds a replica of the model on its own trainable
 * wasm backend; every step the batch is split into one shard per worker, each worker computes the loss
 * gradient on its shard, and the main thread averages the gradients (weighted by shard size) and applies
 * its optimizer to its own model, which stays the single source of truth (save it, evaluate it, checkpoint it
 * as usual). Weights go to the workers through one SharedArrayBuffer (no copies per worker, no messages),
 * image shards through one per worker, gradients come back through one per worker (no per-step messages of
 * arrays; the workers' onnxruntime outputs are still fresh buffers, see markWithoutHelperThreads);
 * BatchNorm moving statistics (all non-trainable weights) come back and are averaged. BatchNorm in training
 * mode normalises each shard with its own statistics ("ghost batches" of batch/workers), as in PyTorch DDP.
 *
 * API
 * ```ts
 * import { DataParallel } from './train/data-parallel.ts';
 * const model = buildClassifier(cfg);                       // main-thread model, on the current backend
 * const dp = await DataParallel.create({
 *   model,
 *   optimizer: tf.train.adam(1e-3),
 *   // How workers rebuild the same architecture: import(module)[export](...args); `output` (optional) cuts
 *   // the model at a named layer, e.g. 'logits' to train on logits with 'softmaxCrossEntropy'.
 *   build: { module: new URL('../model/classifier.ts', import.meta.url).href, export: 'buildClassifier', args: [cfg] },
 *   loss: 'categoricalCrossentropy',                        // or { module, export }: (yTrue, yPred) => tf.Scalar
 *   workers: 2,                                             // default: min(2, available cores)
 * });
 * const { loss, accuracy } = await dp.step({ x, xShape: [n, 64, 128, 1], y, yShape: [n, classes], seed: step });
 * await dp.close();                                         // terminates the workers
 * ```
 * x and y are plain typed arrays (NHWC float32 images; one-hot float32, int32 class ids, or targets). The
 * loss includes the model's regularisation losses (L2). With `seed` set, every Dropout layer of every worker gets
 * a seed derived from (seed, worker, layer), so runs with dropout are reproducible; without it dropout masks come
 * from an unseeded generator. Await each step before the next (one step in flight at a time); the weight layout
 * (which weights exist and which are trainable) is fixed when the engine is created.
 * For a GAN's generator step use the Keras pattern: a combined model G→D with D frozen (`trainable = false`)
 * as `model` and a builder export that returns the same combined model; frozen weights are synced every step.
 */
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { startTsWorker } from '@sig/shared/node/ts-worker.ts';
import { WorkerCalls } from '@sig/shared/node/worker-calls.ts';
import type * as tfl from '@tensorflow/tfjs-layers';
import { backendSettings, markingForWorkers, type BackendSettings } from '../backend/settings.ts';
import { LOSS_NAMES, type LossName } from './data-parallel-loss.ts';
import { applyFlatGradients, averageInto, publishWeights, shardRanges, sizeOf, weightLayout, writeFlatState } from './flat-weights.ts';

/** How a worker rebuilds the model: `(await import(module))[export](...args)`, cut at layer `output` if set. */
export interface ModelRecipe {
  /** File URL or absolute path of the module exporting the builder. */
  module: string;
  export: string;
  /** JSON-serialisable builder arguments. */
  args: unknown[];
  output?: string;
}

/**
 * A loss module: `(await import(module))[export](yTrue, yPred)` returning a scalar tensor; with `args`, the export
 * is a factory and `export(...args)` returns that function (losses with settings, e.g. a margin).
 */
export interface LossRecipe {
  module: string;
  export: string;
  /** JSON-serialisable factory arguments. */
  args?: unknown[];
}

export interface DataParallelOptions {
  model: tfl.LayersModel;
  optimizer: tf.Optimizer;
  build: ModelRecipe;
  loss: LossName | LossRecipe;
  /** Worker count (default: min(2, cores)). */
  workers?: number;
  /** Backend in the workers (default 'wasm'; see backend/select.ts). */
  backend?: string;
}

export interface StepBatch {
  x: Float32Array;
  xShape: number[];
  y: Float32Array | Int32Array;
  yShape: number[];
  /** Seeds the Dropout layers for this step (e.g. the step number); omit for unseeded dropout. */
  seed?: number;
}

export interface StepResult {
  /** Mean loss over the batch (before the update), regularisation included. */
  loss: number;
  /** Fraction of correct predictions (0 for regression losses and custom losses without a count). */
  accuracy: number;
  /** Slowest worker's compute time in ms (forward + backward + copies). */
  workerMs: number;
}

/** What every worker receives at start (workerData). */
export interface WorkerInit {
  build: ModelRecipe;
  loss: LossName | LossRecipe;
  backend: string;
  /** The main thread's backend settings, so every replica computes the same way. */
  settings: BackendSettings;
  weights: SharedArrayBuffer;
  grads: SharedArrayBuffer;
  state: SharedArrayBuffer;
  /** Shapes of model.weights in order; the worker checks its replica matches. */
  shapes: number[][];
  trainable: boolean[];
}

/** Calls to a worker: wait until its replica is built, or compute one shard's gradients. */
export type WorkerCall = { op: 'ready' } | ({ op: 'step' } & StepBatch);

/** A step's answer (the gradients themselves are in the shared buffers). */
export interface StepAnswer {
  loss: number;
  correct: number;
  ms: number;
}

interface Replica {
  calls: WorkerCalls<WorkerCall, StepAnswer | null>;
  grads: Float32Array;
  state: Float32Array;
  /** Shared memory the worker's image shard is written to (a view on it is posted: no copy per step). */
  input?: Float32Array;
}

/** The data-parallel step engine; see the file header for the API. */
export class DataParallel {
  private avg?: Float32Array;
  private avgState?: Float32Array;

  private constructor(
    private readonly model: tfl.LayersModel,
    private readonly optimizer: tf.Optimizer,
    private readonly replicas: Replica[],
    private readonly weightView: Float32Array,
  ) {}

  /** Starts the workers, builds a replica in each and checks it matches `model`. */
  static async create(opts: DataParallelOptions): Promise<DataParallel> {
    if (typeof opts.loss === 'string' && !LOSS_NAMES.includes(opts.loss)) throw new Error(`unknown loss ${opts.loss}`);
    const count = Math.max(1, opts.workers ?? Math.min(2, availableParallelism()));
    const shapes = opts.model.weights.map((w) => w.shape as number[]);
    const trainable = opts.model.weights.map((w) => w.trainable);
    const layout = weightLayout(opts.model);
    const weights = new SharedArrayBuffer(layout.all * 4);
    markingForWorkers();
    const replicas: Replica[] = [];
    for (let k = 0; k < count; k++) {
      const grads = new SharedArrayBuffer(layout.trainable * 4);
      const state = new SharedArrayBuffer(layout.state * 4);
      const init: WorkerInit = { build: opts.build, loss: opts.loss, backend: opts.backend ?? 'wasm', settings: backendSettings(), weights, grads, state, shapes, trainable };
      const worker = startTsWorker(new URL('./data-parallel-worker.ts', import.meta.url), { workerData: init });
      const replica: Replica = { calls: new WorkerCalls(worker, `data-parallel worker ${k}`), grads: new Float32Array(grads), state: new Float32Array(state) };
      replicas.push(replica);
    }
    const dp = new DataParallel(opts.model, opts.optimizer, replicas, new Float32Array(weights));
    try {
      await Promise.all(replicas.map((r, k) => dp.request(r, k, { op: 'ready' })));
    } catch (err) {
      await dp.close();
      throw err;
    }
    return dp;
  }

  /** Number of workers. */
  get workers(): number {
    return this.replicas.length;
  }

  /** One call to replica `k`; its errors name the worker. */
  private async request(r: Replica, k: number, call: WorkerCall, transfer: ArrayBuffer[] = []): Promise<StepAnswer | null> {
    try {
      return await r.calls.call(call, transfer);
    } catch (err) {
      throw new Error(`data-parallel worker ${k}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** One optimizer step on the whole batch; resolves after the main model's weights are updated. */
  async step(batch: StepBatch): Promise<StepResult> {
    const n = batch.xShape[0];
    if (batch.yShape[0] !== n) throw new Error(`x has ${n} rows but y has ${batch.yShape[0]}`);
    publishWeights(this.model, this.weightView);
    const xRow = sizeOf(batch.xShape.slice(1));
    const yRow = sizeOf(batch.yShape.slice(1));
    const shards: { replica: Replica; n: number }[] = [];
    const jobs: Promise<StepAnswer | null>[] = [];
    shardRanges(n, this.replicas.length).forEach(([start, m], k) => {
      const replica = this.replicas[k];
      if (!replica.input || replica.input.length < m * xRow) replica.input = new Float32Array(new SharedArrayBuffer(m * xRow * 4));
      const x = replica.input.subarray(0, m * xRow);
      x.set(batch.x.subarray(start * xRow, (start + m) * xRow));
      const y = batch.y.slice(start * yRow, (start + m) * yRow);
      shards.push({ replica, n: m });
      const seed = batch.seed === undefined ? undefined : batch.seed * 1009 + k * 97;
      // x is a view of shared memory (no copy); y is this shard's own copy, moved to the worker.
      jobs.push(this.request(replica, k, { op: 'step', x, xShape: [m, ...batch.xShape.slice(1)], y, yShape: [m, ...batch.yShape.slice(1)], seed }, [y.buffer as ArrayBuffer]));
    });
    const replies = (await Promise.all(jobs)) as StepAnswer[];
    // Full-batch mean gradient = Σ (n_k / n) · shard-mean gradient.
    // Reused across steps: fresh 1.5 MB arrays cost page faults every step.
    const avg = (this.avg ??= new Float32Array(shards[0].replica.grads.length));
    const avgState = (this.avgState ??= new Float32Array(shards[0].replica.state.length));
    averageInto(avg, shards.map((s) => ({ share: s.n / n, src: s.replica.grads })));
    averageInto(avgState, shards.map((s) => ({ share: s.n / n, src: s.replica.state })));
    writeFlatState(this.model, avgState);
    applyFlatGradients(this.optimizer, this.model, avg);
    let loss = 0;
    let correct = 0;
    let workerMs = 0;
    replies.forEach((r, i) => {
      loss += (shards[i].n / n) * r.loss;
      correct += r.correct;
      workerMs = Math.max(workerMs, r.ms);
    });
    return { loss, accuracy: correct / n, workerMs };
  }

  /** Terminates the workers. */
  async close(): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.calls.worker.terminate()));
  }
}
