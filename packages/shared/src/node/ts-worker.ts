import { Worker, type WorkerOptions } from 'node:worker_threads';

const ENTRY = new URL('./ts-worker-entry.js', import.meta.url);

/**
 * A worker thread running the TypeScript module `module` (a file URL), through one shared entry file that
 * registers tsx first. `options` are Node's (workerData, resourceLimits, ...); argv is taken by the entry.
 */
export function startTsWorker(module: URL, options: Omit<WorkerOptions, 'argv'> = {}): Worker {
  return new Worker(ENTRY, { ...options, argv: [module.href] });
}
