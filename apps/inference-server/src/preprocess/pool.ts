import { Worker } from 'node:worker_threads';
import { NoSignatureError, UserError, preprocess, type FloatImage, type NoSignatureReason, type PreprocessConfig } from '@sig/shared';
import type { Logger } from '../log.ts';
import { decodeUpload } from './png-decode.ts';

/** Message to a worker. */
export interface PrepareRequest {
  id: number;
  bytes: Uint8Array;
  maxPixels: number;
  configs: PreprocessConfig[];
}

/** A worker's answer. */
export type PrepareReply =
  | { id: number; ok: true; images: FloatImage[] }
  | { id: number; ok: false; userError: boolean; message: string; status: number; noSignature?: NoSignatureReason };

interface Slot {
  worker: Worker;
  pending: Map<number, { resolve(v: FloatImage[]): void; reject(e: unknown): void }>;
}

/**
 * Decoding and preprocessing of uploads (CPU work of tens of milliseconds per photo) on worker threads, so
 * the event loop keeps answering and the work spreads over the cores while onnxruntime runs batches.
 * With 0 threads it runs in the calling thread.
 */
export class PreprocessPool {
  private slots: Slot[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly threads: number,
    private readonly log: Logger,
  ) {
    for (let i = 0; i < threads; i++) this.slots.push(this.spawn());
  }

  /** Decodes `bytes` once and preprocesses it for each config; bad images are UserErrors (4xx). */
  async prepare(bytes: Uint8Array, maxPixels: number, configs: PreprocessConfig[]): Promise<FloatImage[]> {
    if (bytes.length === 0) throw new UserError('the image is empty');
    if (this.slots.length === 0) {
      const image = await decodeUpload(bytes, maxPixels);
      return configs.map((cfg) => preprocess(image, cfg));
    }
    if (this.closed) throw new UserError('the server is shutting down', 503);
    const slot = this.slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.nextId++;
    return new Promise<FloatImage[]>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, bytes, maxPixels, configs } satisfies PrepareRequest);
    });
  }

  /** Stops the workers (after the server has drained). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots = [];
  }

  private spawn(): Slot {
    const worker = new Worker(new URL('./worker-entry.js', import.meta.url));
    const slot: Slot = { worker, pending: new Map() };
    worker.unref();
    worker.on('message', (reply: PrepareReply) => {
      const p = slot.pending.get(reply.id);
      if (!p) return;
      slot.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.images);
      else if (reply.noSignature) p.reject(new NoSignatureError(reply.noSignature, reply.message));
      else if (reply.userError) p.reject(new UserError(reply.message, reply.status));
      else p.reject(new Error(reply.message));
    });
    worker.on('error', (err) => this.log('error', `preprocessing worker failed: ${err.message}`));
    worker.on('exit', () => {
      for (const p of slot.pending.values()) p.reject(new Error('preprocessing worker exited'));
      slot.pending.clear();
      const i = this.slots.indexOf(slot);
      if (!this.closed && i >= 0) {
        this.log('warn', 'preprocessing worker exited; starting a new one');
        this.slots[i] = this.spawn();
      }
    });
    return slot;
  }
}
