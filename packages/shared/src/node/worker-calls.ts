// The one request/answer mechanism between a thread and its worker threads (the server's preprocessing and
// inference threads, the trainer's data-parallel replicas). Each call gets an id and a promise; data buffers
// travel in a transfer list (moved, not copied); a UserError thrown in the worker is a UserError here too.
// A hand-written module rather than piscina/tinypool: two of the three users keep state in each worker
// (sessions, a model replica) and address one worker in particular, which task-queue pools do not do, and
// `npm run bench:workers` found neither library clearly faster (docs/benchmarks.md).
import { parentPort, type Transferable, type Worker } from 'node:worker_threads';
import { NoSignatureError, UserError, isNoSignatureError, isUserError, type NoSignatureReason } from '../errors.ts';

interface CallMessage<Req> {
  id: number;
  req: Req;
}

/** An answer; `status` is set when the worker threw a UserError. */
type AnswerMessage<Res> = { id: number; ok: true; res: Res } | { id: number; ok: false; message: string; status?: number; noSignature?: NoSignatureReason };

/** What a worker's handler returns: the answer and the buffers to move with it. */
export interface Answer<Res> {
  res: Res;
  transfer?: Transferable[];
}

/** The calling side of one worker thread. */
export class WorkerCalls<Req, Res> {
  private readonly pending = new Map<number, { resolve(v: Res): void; reject(e: unknown): void }>();
  private nextId = 1;
  private exited = false;

  /** `name` labels errors (e.g. 'the inference thread'). */
  constructor(
    readonly worker: Worker,
    private readonly name: string,
  ) {
    worker.on('message', (m: AnswerMessage<Res>) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.res);
      else if (m.noSignature) p.reject(new NoSignatureError(m.noSignature, m.message));
      else p.reject(m.status !== undefined ? new UserError(m.message, m.status) : new Error(m.message));
    });
    worker.on('exit', (code) => {
      this.exited = true;
      for (const p of this.pending.values()) p.reject(new Error(`${name} exited (code ${code})`));
      this.pending.clear();
    });
  }

  /** Calls sent and not yet answered. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Sends `req` (the buffers in `transfer` are moved to the worker) and resolves with the worker's answer. */
  call(req: Req, transfer: Transferable[] = []): Promise<Res> {
    if (this.exited) return Promise.reject(new Error(`${this.name} has exited`));
    const id = this.nextId++;
    return new Promise<Res>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, req } satisfies CallMessage<Req>, transfer);
    });
  }
}

/** In a worker thread: answers every call with `handle`'s result; a thrown error becomes the call's rejection. */
export function answerCalls<Req, Res>(handle: (req: Req) => Promise<Answer<Res>>): void {
  const port = parentPort;
  if (!port) throw new Error('answerCalls runs in a worker thread');
  port.on('message', async ({ id, req }: CallMessage<Req>) => {
    let answer: Answer<Res>;
    try {
      answer = await handle(req);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      port.postMessage({ id, ok: false, message, ...(isUserError(err) ? { status: err.status } : {}), ...(isNoSignatureError(err) ? { noSignature: err.reason } : {}) } satisfies AnswerMessage<Res>);
      return;
    }
    port.postMessage({ id, ok: true, res: answer.res } satisfies AnswerMessage<Res>, answer.transfer ?? []);
  });
}

/**
 * `data` ready to move to another thread: itself when it spans its whole buffer, else a copy of just its
 * elements (moving the buffer would take the rest of it along; cloning would copy all of it).
 */
export function movable<T extends Float32Array | Uint8Array>(data: T): { data: T; buffer: ArrayBuffer } {
  const spans = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer;
  // A constructor copy, not slice(): a Node Buffer's slice() is a view of the same memory.
  const own = spans ? data : ((data instanceof Float32Array ? new Float32Array(data) : new Uint8Array(data)) as T);
  return { data: own, buffer: own.buffer as ArrayBuffer };
}
