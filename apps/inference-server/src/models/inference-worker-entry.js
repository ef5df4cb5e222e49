// Worker threads do not inherit tsx from vitest or plain node; register it, then run the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./inference-worker.ts');
