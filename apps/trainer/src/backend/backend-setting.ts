// The shared `--backend` setting, so every training command spells it the same way.
import { setting } from '@sig/shared';
import { z } from 'zod';
import { BACKEND_NAMES } from './select.ts';

/** `--backend <name>`: force a TensorFlow.js backend (default: the best one available). */
export const BackendSettings = z.object({
  backend: setting(z.enum(['auto', ...BACKEND_NAMES]).default('auto'), { flag: 'backend', arg: 'name', help: 'TensorFlow.js backend' }),
});
