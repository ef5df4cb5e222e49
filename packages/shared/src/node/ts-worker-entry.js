// The one entry file of every TypeScript worker thread (see ts-worker.ts): worker threads do not inherit tsx
// from vitest or plain node, so register it, then run the module named by the last argv entry.
import { register } from 'tsx/esm/api';

register();
await import(process.argv[process.argv.length - 1]);
