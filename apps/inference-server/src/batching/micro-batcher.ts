import type { OrtSessionLike, OrtTensorLike, TensorCtorLike } from '@sig/shared';

/** Micro-batching limits for one model. */
export interface BatchingOptions {
  /** Most rows per session run; a single request with more rows runs alone. 1 = never merge requests. */
  maxBatchSize: number;
  /** Longest the first waiting request waits for others before its batch runs. */
  maxWaitMs: number;
  /** Most rows waiting (not yet running); past it `run` throws OverloadedError. */
  maxQueue: number;
  /** Batches that may run at once (one per inference thread); default 1. */
  concurrency?: number;
}

/** What the batcher reports (metrics). */
export interface BatcherHooks {
  onBatch?(rows: number, requests: number, seconds: number): void;
  onQueueDepth?(rows: number): void;
}

/** The queue is full: the client should retry later (HTTP 503 + Retry-After). */
export class OverloadedError extends Error {
  override name = 'OverloadedError';
}

/** The batcher is shutting down and takes no new work. */
export class ClosedError extends Error {
  override name = 'ClosedError';
}

type Feeds = Record<string, OrtTensorLike>;
type Outputs = Record<string, OrtTensorLike>;
type TypedArray = Float32Array | Int32Array | BigInt64Array | Uint8Array | Float64Array | Int8Array | Int16Array | Uint16Array;

interface Job {
  feeds: Feeds;
  rows: number;
  /** Input names, types and per-row dims: only jobs with the same key can share a batch. */
  key: string;
  enqueued: number;
  resolve(out: Outputs): void;
  reject(err: unknown): void;
}

/**
 * The front of a served model, what the routes call: an OrtSessionLike that merges concurrent `run` calls into one session run along the batch (first)
 * dimension and splits the outputs back. At most `concurrency` batches run at a time per model (one per
 * inference thread): requests that arrive while they run form the next batch, which is what keeps a
 * saturated server near the session's best throughput.
 */
export class ModelRunner implements OrtSessionLike {
  private queue: Job[] = [];
  private queuedRows = 0;
  /** Batches running now. */
  private running = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  /** Shutting down: batches run as soon as they are queued, without waiting to fill. */
  private hurried = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly inner: OrtSessionLike,
    private readonly Tensor: TensorCtorLike,
    private readonly opts: BatchingOptions,
    private readonly hooks: BatcherHooks = {},
  ) {}

  get inputNames(): readonly string[] {
    return this.inner.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.inner.outputNames;
  }

  private get concurrency(): number {
    return Math.max(1, this.opts.concurrency ?? 1);
  }

  /** Rows waiting for a batch. */
  get queueDepth(): number {
    return this.queuedRows;
  }

  /** Queues the feeds for the next batch; resolves with this request's rows of the outputs. */
  run(feeds: Feeds): Promise<Outputs> {
    if (this.closed) return Promise.reject(new ClosedError('the server is shutting down'));
    const first = Object.values(feeds)[0];
    if (!first || first.dims.length === 0) return Promise.reject(new Error('feeds need a batch dimension'));
    const rows = first.dims[0];
    if (this.queuedRows + rows > this.opts.maxQueue && this.queue.length > 0) {
      return Promise.reject(new OverloadedError(`queue full (${this.queuedRows} rows waiting)`));
    }
    const key = Object.entries(feeds)
      .map(([name, t]) => `${name}:${t.type}:${t.dims.slice(1).join('x')}`)
      .sort()
      .join('|');
    return new Promise<Outputs>((resolve, reject) => {
      this.queue.push({ feeds, rows, key, enqueued: Date.now(), resolve, reject });
      this.queuedRows += rows;
      this.hooks.onQueueDepth?.(this.queuedRows);
      this.schedule();
    });
  }

  /** Runs queued work now and from here on never waits for a batch to fill (still accepts work). */
  hurry(): void {
    this.hurried = true;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      void this.flush();
    }
  }

  /** Stops taking work and resolves when every queued and running batch has finished. */
  async drain(): Promise<void> {
    this.closed = true;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      void this.flush();
    }
    if (this.running === 0 && this.queue.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.running >= this.concurrency) return; // a running batch's completion starts the next one
    if (this.queuedRows >= this.opts.maxBatchSize || this.opts.maxWaitMs <= 0 || this.closed || this.hurried) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      void this.flush();
      return;
    }
    if (!this.timer) {
      const waited = Date.now() - this.queue[0].enqueued;
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.flush();
      }, Math.max(0, this.opts.maxWaitMs - waited));
    }
  }

  /** Takes the next batch off the queue: the head job plus compatible jobs while the rows fit. */
  private takeBatch(): Job[] {
    const head = this.queue[0];
    const batch: Job[] = [];
    let rows = 0;
    const rest: Job[] = [];
    for (const job of this.queue) {
      const fits = batch.length === 0 || (job.key === head.key && rows + job.rows <= this.opts.maxBatchSize);
      if (fits) {
        batch.push(job);
        rows += job.rows;
      } else rest.push(job);
    }
    this.queue = rest;
    this.queuedRows -= rows;
    this.hooks.onQueueDepth?.(this.queuedRows);
    return batch;
  }

  private async flush(): Promise<void> {
    if (this.running >= this.concurrency || this.queue.length === 0) return;
    this.running++;
    const batch = this.takeBatch();
    const start = performance.now();
    try {
      await this.runBatch(batch);
    } finally {
      const rows = batch.reduce((n, j) => n + j.rows, 0);
      this.hooks.onBatch?.(rows, batch.length, (performance.now() - start) / 1000);
      this.running--;
      if (this.queue.length > 0) void this.flush(); // the queued requests waited while it ran
      else if (this.running === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  private async runBatch(batch: Job[]): Promise<void> {
    if (batch.length === 1) {
      const job = batch[0];
      await this.inner.run(job.feeds).then(job.resolve, job.reject);
      return;
    }
    let outputs: Outputs;
    try {
      outputs = await this.inner.run(this.concat(batch));
    } catch {
      // One bad request must not fail the others it was batched with: run each alone.
      for (const job of batch) await this.inner.run(job.feeds).then(job.resolve, job.reject);
      return;
    }
    try {
      const parts = this.split(outputs, batch);
      batch.forEach((job, i) => job.resolve(parts[i]));
    } catch (err) {
      for (const job of batch) job.reject(err);
    }
  }

  private concat(batch: Job[]): Feeds {
    const rows = batch.reduce((n, j) => n + j.rows, 0);
    const feeds: Feeds = {};
    for (const [name, t0] of Object.entries(batch[0].feeds)) {
      const d0 = t0.data as TypedArray;
      const Ctor = d0.constructor as new (n: number) => TypedArray;
      const per = d0.length / t0.dims[0];
      const data = new Ctor(per * rows);
      let offset = 0;
      for (const job of batch) {
        const d = job.feeds[name].data as TypedArray;
        (data as Float32Array).set(d as Float32Array, offset);
        offset += d.length;
      }
      feeds[name] = new this.Tensor(t0.type as 'float32', data as Float32Array, [rows, ...t0.dims.slice(1)]);
    }
    return feeds;
  }

  private split(outputs: Outputs, batch: Job[]): Outputs[] {
    const rows = batch.reduce((n, j) => n + j.rows, 0);
    const parts: Outputs[] = batch.map(() => ({}));
    for (const [name, t] of Object.entries(outputs)) {
      if (t.dims[0] !== rows) throw new Error(`output ${name} has ${t.dims[0]} rows for a batch of ${rows}`);
      const data = t.data as TypedArray;
      const per = data.length / rows;
      let row = 0;
      batch.forEach((job, i) => {
        const slice = data.slice(row * per, (row + job.rows) * per);
        parts[i][name] = new this.Tensor(t.type as 'float32', slice as Float32Array, [job.rows, ...t.dims.slice(1)]);
        row += job.rows;
      });
    }
    return parts;
  }
}
