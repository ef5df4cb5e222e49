import { UserError, preprocess, type FloatImage, type PreprocessConfig } from '@sig/shared';
import { startTsWorker } from '@sig/shared/node/ts-worker.ts';
import { WorkerCalls, movable } from '@sig/shared/node/worker-calls.ts';
import type { Logger } from '../log.ts';
import { decodeUpload } from './png-decode.ts';

/** A call to a preprocessing worker. */
export interface PrepareRequest {
  bytes: Uint8Array;
  maxPixels: number;
  configs: PreprocessConfig[];
}

/**
 * Decoding and preprocessing of uploads (CPU work of tens of milliseconds per photo) on worker threads, so
 * the event loop keeps answering and the work spreads over the cores while onnxruntime runs batches.
 * With 0 threads it runs in the calling thread.
 */
export class PreprocessPool {
  private workers: WorkerCalls<PrepareRequest, FloatImage[]>[] = [];
  private closed = false;

  constructor(
    threads: number,
    private readonly log: Logger,
  ) {
    for (let i = 0; i < threads; i++) this.workers.push(this.spawn());
  }

  /**
   * Decodes `bytes` once and preprocesses it for each config; bad images are UserErrors (4xx). With worker
   * threads the upload is moved to one, not copied: `bytes` is detached afterwards (pass a copy to keep it).
   */
  async prepare(bytes: Uint8Array, maxPixels: number, configs: PreprocessConfig[]): Promise<FloatImage[]> {
    if (bytes.length === 0) throw new UserError('the image is empty');
    if (this.workers.length === 0) {
      const image = await decodeUpload(bytes, maxPixels);
      return configs.map((cfg) => preprocess(image, cfg));
    }
    if (this.closed) throw new UserError('the server is shutting down', 503);
    const worker = this.workers.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
    const upload = movable(bytes);
    return worker.call({ bytes: upload.data, maxPixels, configs }, [upload.buffer]);
  }

  /** Stops the workers (after the server has drained). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    this.workers = [];
  }

  private spawn(): WorkerCalls<PrepareRequest, FloatImage[]> {
    const worker = startTsWorker(new URL('./worker.ts', import.meta.url));
    const calls = new WorkerCalls<PrepareRequest, FloatImage[]>(worker, 'preprocessing worker');
    worker.unref();
    worker.on('error', (err) => this.log('error', `preprocessing worker failed: ${err.message}`));
    worker.on('exit', () => {
      const i = this.workers.indexOf(calls);
      if (!this.closed && i >= 0) {
        this.log('warn', 'preprocessing worker exited; starting a new one');
        this.workers[i] = this.spawn();
      }
    });
    return calls;
  }
}
