// The inference side of the serving chain: ModelRunner (batching/micro-batcher.ts, what the routes call) →
// PooledSession (one model on every inference thread, a batch goes to the least busy copy) → ThreadSession
// (one onnxruntime session on one InferenceThread). The InferencePool owns the threads.
import { availableParallelism } from 'node:os';
import type * as ort from 'onnxruntime-node';
import { startTsWorker } from '@sig/shared/node/ts-worker.ts';
import { WorkerCalls, movable } from '@sig/shared/node/worker-calls.ts';
import type { OrtSessionLike, OrtTensorLike, TensorCtorLike } from '@sig/shared';
import type { Logger } from '../log.ts';

/** A tensor as it crosses the thread boundary (its data buffer is moved, not copied, where possible). */
export interface WireTensor {
  type: string;
  data: unknown;
  dims: readonly number[];
}

/** Tensors as they cross the thread boundary, with the buffers to move (copied first only when they are views into a larger buffer). */
export function toWire(tensors: Record<string, OrtTensorLike>): { wire: Record<string, WireTensor>; transfer: ArrayBuffer[] } {
  const wire: Record<string, WireTensor> = {};
  const transfer: ArrayBuffer[] = [];
  for (const [name, t] of Object.entries(tensors)) {
    const { data, buffer } = movable(t.data as Float32Array);
    wire[name] = { type: t.type, data, dims: t.dims };
    if (!transfer.includes(buffer)) transfer.push(buffer);
  }
  return { wire, transfer };
}

/** Calls to the inference thread. */
export type InferenceRequest =
  | { op: 'open'; handle: number; model: Uint8Array; options: ort.InferenceSession.SessionOptions }
  | { op: 'run'; handle: number; feeds: Record<string, WireTensor> }
  | { op: 'release'; handle: number };

/** Its answers: the names of an opened session, the outputs of a run. */
export interface InferenceAnswer {
  inputNames?: readonly string[];
  outputNames?: readonly string[];
  outputs?: Record<string, WireTensor>;
}

/**
 * One worker thread that owns onnxruntime sessions and runs them. onnxruntime-node's `session.run` computes
 * on the calling thread; on the main thread it blocks the event loop for the whole batch, so no request is
 * read and no preprocessed image is collected meanwhile, and batches stay small. Here the event loop keeps
 * filling the next batch while the current one runs.
 */
export class InferenceThread {
  private readonly calls: WorkerCalls<InferenceRequest, InferenceAnswer>;
  private nextHandle = 1;
  private closed = false;

  constructor(
    private readonly Tensor: TensorCtorLike,
    log: Logger,
    /** How much lower than the process this thread (and its sessions' threads) runs, in nice steps. */
    nice = 0,
  ) {
    const worker = startTsWorker(new URL('./inference-worker.ts', import.meta.url), { workerData: { nice } });
    worker.unref();
    worker.on('error', (err) => log('error', `inference thread failed: ${err.message}`));
    worker.on('exit', () => {
      if (!this.closed) log('error', 'the inference thread exited');
    });
    this.calls = new WorkerCalls(worker, 'the inference thread');
  }

  /** A session on this thread for the model bytes, created with `options`. */
  async open(model: Uint8Array, options: ort.InferenceSession.SessionOptions): Promise<ThreadSession> {
    const handle = this.nextHandle++;
    const copy = new Uint8Array(model); // each thread gets its own copy, moved to it
    const r = await this.call({ op: 'open', handle, model: copy, options }, [copy.buffer as ArrayBuffer]);
    return new ThreadSession(this, handle, r.inputNames ?? [], r.outputNames ?? []);
  }

  /** Runs session `handle`; the feeds' data buffers are moved (see toWire). */
  async run(handle: number, feeds: Record<string, OrtTensorLike>): Promise<Record<string, OrtTensorLike>> {
    const { wire, transfer } = toWire(feeds);
    const r = await this.call({ op: 'run', handle, feeds: wire }, transfer);
    const out: Record<string, OrtTensorLike> = {};
    for (const [name, t] of Object.entries(r.outputs ?? {})) out[name] = new this.Tensor(t.type as 'float32', t.data as Float32Array, t.dims);
    return out;
  }

  async release(handle: number): Promise<void> {
    await this.call({ op: 'release', handle });
  }

  /** Stops the thread (after every session was released). */
  async close(): Promise<void> {
    this.closed = true;
    await this.calls.worker.terminate();
  }

  private call(req: InferenceRequest, transfer: ArrayBuffer[] = []): Promise<InferenceAnswer> {
    if (this.closed) return Promise.reject(new Error('the inference thread is closed'));
    return this.calls.call(req, transfer);
  }
}

/** One onnxruntime session living on an InferenceThread. */
class ThreadSession implements OrtSessionLike {
  /** Runs sent and not yet answered. */
  inFlight = 0;

  constructor(
    private readonly thread: InferenceThread,
    private readonly handle: number,
    readonly inputNames: readonly string[],
    readonly outputNames: readonly string[],
  ) {}

  async run(feeds: Record<string, OrtTensorLike>): Promise<Record<string, OrtTensorLike>> {
    this.inFlight++;
    try {
      return await this.thread.run(this.handle, feeds);
    } finally {
      this.inFlight--;
    }
  }

  release(): Promise<void> {
    return this.thread.release(this.handle);
  }
}

/**
 * Inference threads, each with its own copy of every model's session. Concurrent batches go to different
 * threads, so on a few cores two single-threaded sessions run side by side instead of one session
 * splitting each operator across cores (whose threads wait on each other whenever a core is busy with
 * preprocessing or HTTP).
 */
export class InferencePool {
  private readonly threads: InferenceThread[];
  /** Intra-op threads of a session unless the options say: the cores shared out among the inference threads. */
  private readonly intraOpDefault: number;

  constructor(count: number, Tensor: TensorCtorLike, log: Logger, nice = 0) {
    this.threads = Array.from({ length: count }, () => new InferenceThread(Tensor, log, nice));
    this.intraOpDefault = Math.max(1, Math.floor(availableParallelism() / Math.max(1, count)));
  }

  get size(): number {
    return this.threads.length;
  }

  /** The model opened on `copies` threads (default: every one), as one session whose runs go to the least busy copy. */
  async open(model: Uint8Array, options: ort.InferenceSession.SessionOptions, copies = this.threads.length): Promise<PooledSession> {
    const sessions: ThreadSession[] = [];
    try {
      for (const t of this.threads.slice(0, Math.max(1, copies))) sessions.push(await t.open(model, { intraOpNumThreads: this.intraOpDefault, ...options }));
    } catch (err) {
      await Promise.all(sessions.map((x) => x.release().catch(() => undefined)));
      throw err;
    }
    return new PooledSession(sessions);
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.close()));
  }
}

/** One model's sessions across the inference threads, as one session. */
export class PooledSession implements OrtSessionLike {
  constructor(private readonly sessions: ThreadSession[]) {}

  /** Copies of the model (batches that can run at once). */
  get size(): number {
    return this.sessions.length;
  }

  get inputNames(): readonly string[] {
    return this.sessions[0].inputNames;
  }

  get outputNames(): readonly string[] {
    return this.sessions[0].outputNames;
  }

  run(feeds: Record<string, OrtTensorLike>): Promise<Record<string, OrtTensorLike>> {
    const idle = this.sessions.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
    return idle.run(feeds);
  }

  async release(): Promise<void> {
    await Promise.all(this.sessions.map((s) => s.release().catch(() => undefined)));
  }
}
