import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type * as ort from 'onnxruntime-node';
import type { OrtSessionLike, OrtTensorLike, TensorCtorLike } from '@sig/shared';
import type { Logger } from '../log.ts';

/** A tensor as it crosses the thread boundary (its data buffer is transferred, not copied, where possible). */
export interface WireTensor {
  type: string;
  data: unknown;
  dims: readonly number[];
}

/** Messages to the inference thread. */
export type InferenceRequest =
  | { id: number; op: 'open'; handle: number; model: Uint8Array; options: ort.InferenceSession.SessionOptions }
  | { id: number; op: 'run'; handle: number; feeds: Record<string, WireTensor> }
  | { id: number; op: 'release'; handle: number };

/** Its answers. */
export type InferenceReply =
  | { id: number; ok: true; inputNames?: readonly string[]; outputNames?: readonly string[]; outputs?: Record<string, WireTensor> }
  | { id: number; ok: false; message: string };

type Answer = Extract<InferenceReply, { ok: true }>;

/** Whether a typed array spans its whole buffer, so the buffer can be transferred to another thread as it is. */
export function spansBuffer(data: ArrayBufferView): boolean {
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
}
/** A request before it is given its id (Omit over each member of the union). */
type Unsent = InferenceRequest extends infer R ? (R extends InferenceRequest ? Omit<R, 'id'> : never) : never;

/**
 * One worker thread that owns onnxruntime sessions and runs them. onnxruntime-node's `session.run` computes
 * on the calling thread; on the main thread it blocks the event loop for the whole batch, so no request is
 * read and no preprocessed image is collected meanwhile, and batches stay small. Here the event loop keeps
 * filling the next batch while the current one runs.
 */
export class InferenceThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve(v: Answer): void; reject(e: unknown): void }>();
  private nextId = 1;
  private nextHandle = 1;
  private closed = false;

  constructor(
    private readonly Tensor: TensorCtorLike,
    log: Logger,
    /** How much lower than the process this thread (and its sessions' threads) runs, in nice steps. */
    nice = 0,
  ) {
    this.worker = new Worker(new URL('./inference-worker-entry.js', import.meta.url), { workerData: { nice } });
    this.worker.unref();
    this.worker.on('message', (reply: InferenceReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply);
      else p.reject(new Error(reply.message));
    });
    this.worker.on('error', (err) => log('error', `inference thread failed: ${err.message}`));
    this.worker.on('exit', () => {
      for (const p of this.pending.values()) p.reject(new Error('the inference thread exited'));
      this.pending.clear();
      if (!this.closed) log('error', 'the inference thread exited');
    });
  }

  /** A session on the inference thread for the model bytes, created with `options`. */
  async open(model: Uint8Array, options: ort.InferenceSession.SessionOptions): Promise<ThreadedSession> {
    const handle = this.nextHandle++;
    const r = await this.call({ op: 'open', handle, model: model.slice(), options }, []);
    return new ThreadedSession(this, handle, r.inputNames ?? [], r.outputNames ?? []);
  }

  /** Runs session `handle`; the feeds' data buffers are copied only when they are views into a larger buffer. */
  async run(handle: number, feeds: Record<string, OrtTensorLike>): Promise<Record<string, OrtTensorLike>> {
    const wire: Record<string, WireTensor> = {};
    const transfer = new Set<ArrayBuffer>();
    for (const [name, t] of Object.entries(feeds)) {
      let data = t.data as Float32Array;
      if (!spansBuffer(data)) data = data.slice();
      wire[name] = { type: t.type, data, dims: t.dims };
      transfer.add(data.buffer as ArrayBuffer);
    }
    const r = await this.call({ op: 'run', handle, feeds: wire }, [...transfer]);
    const out: Record<string, OrtTensorLike> = {};
    for (const [name, t] of Object.entries(r.outputs ?? {})) out[name] = new this.Tensor(t.type as 'float32', t.data as Float32Array, t.dims);
    return out;
  }

  async release(handle: number): Promise<void> {
    await this.call({ op: 'release', handle }, []);
  }

  /** Stops the thread (after every session was released). */
  async close(): Promise<void> {
    this.closed = true;
    await this.worker.terminate();
  }

  private call(req: Unsent, transfer: ArrayBuffer[]): Promise<Answer> {
    if (this.closed) return Promise.reject(new Error('the inference thread is closed'));
    const id = this.nextId++;
    return new Promise<Answer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...req, id } as InferenceRequest, transfer);
    });
  }
}

/** An onnxruntime session living on an InferenceThread, usable wherever the pipeline takes a session. */
export class ThreadedSession implements OrtSessionLike {
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

  /** The model opened on `copies` threads (default: every one); runs go to the least busy copy. */
  async open(model: Uint8Array, options: ort.InferenceSession.SessionOptions, copies = this.threads.length): Promise<SessionGroup> {
    const sessions: ThreadedSession[] = [];
    try {
      for (const t of this.threads.slice(0, Math.max(1, copies))) sessions.push(await t.open(model, { intraOpNumThreads: this.intraOpDefault, ...options }));
    } catch (err) {
      await Promise.all(sessions.map((x) => x.release().catch(() => undefined)));
      throw err;
    }
    return new SessionGroup(sessions);
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.close()));
  }
}

/** One model's sessions across the inference threads, as one session. */
export class SessionGroup implements OrtSessionLike {
  constructor(private readonly sessions: ThreadedSession[]) {}

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
