// The shared `--backend` option, so every training command spells it the same way.
import { Option } from 'commander';
import { BACKEND_NAMES } from './select.ts';

/** `--backend <name>`: force a TensorFlow.js backend (default: the best one available). */
export function backendOption(): Option {
  return new Option('--backend <name>', `TensorFlow.js backend: auto, ${BACKEND_NAMES.join(', ')}`).default('auto');
}
