// The shared `--backend` setting, so every training command spells it the same way.
import { setting, UserError } from '@sig/shared';
import { z } from 'zod';
import { BACKEND_NAMES, type BackendName } from './select.ts';

/** `--backend <name>`: force a TensorFlow.js backend (default: the best one available). */
export const BackendSettings = z.object({
  backend: setting(z.enum(['auto', ...BACKEND_NAMES]).default('auto'), { flag: 'backend', arg: 'name', help: 'TensorFlow.js backend' }),
});

/**
 * Data-parallel workers for `backend`: `--workers` splits each batch across wasm worker threads, which only
 * pays on the CPU; on webgpu the GPU runs the whole batch, so the default is 1 and asking for more is an error.
 */
export function workersForBackend(backend: BackendName, workers: number, explicit: boolean): number {
  if (backend !== 'webgpu' || workers <= 1) return workers;
  if (!explicit) return 1;
  throw new UserError('--workers splits batches across wasm worker threads; on webgpu use --workers 1 (the GPU runs the whole batch)');
}
