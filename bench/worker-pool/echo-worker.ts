// Our worker side of the echo task (packages/shared/src/node/worker-calls.ts): the buffer goes back moved.
import { answerCalls } from '@sig/shared/node/worker-calls.ts';
import { runBenchTask, type BenchRequest } from './task.ts';

answerCalls<BenchRequest, Uint8Array | Float32Array>(async (req) => {
  const res = await runBenchTask(req);
  return { res, transfer: [res.buffer as ArrayBuffer] };
});
