// The inference thread: holds onnxruntime sessions and runs them, so a synchronous session.run (which
// onnxruntime-node does on the calling thread) never blocks the event loop that takes HTTP requests and
// collects preprocessed images.
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { answerCalls } from '@sig/shared/node/worker-calls.ts';
import { toWire, type InferenceAnswer, type InferenceRequest } from './inference-thread.ts';

ort.env.logLevel = 'fatal';
lowerPriority((workerData as { nice?: number } | undefined)?.nice ?? 0);

/**
 * Raises this thread's nice value by `nice` before any session exists (onnxruntime's intra-op threads,
 * created with the sessions, inherit it). Decoding, preprocessing and HTTP then take a core whenever they
 * need one and inference gets the rest, rather than the preprocessing that feeds the batches starving
 * behind it. Linux only (a thread's id from /proc/thread-self); elsewhere it does nothing.
 */
function lowerPriority(nice: number): void {
  if (nice <= 0) return;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    setPriority(tid, Math.min(19, getPriority(tid) + nice));
  } catch {
    // Not Linux, or not permitted: run at the process's priority.
  }
}
const sessions = new Map<number, ort.InferenceSession>();

answerCalls<InferenceRequest, InferenceAnswer>(async (req) => {
  if (req.op === 'open') {
    const session = await ort.InferenceSession.create(req.model, req.options);
    sessions.set(req.handle, session);
    return { res: { inputNames: session.inputNames, outputNames: session.outputNames } };
  }
  if (req.op === 'run') {
    const session = sessions.get(req.handle);
    if (!session) throw new Error(`no session ${req.handle} in the inference thread`);
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(req.feeds)) feeds[name] = new ort.Tensor(t.type as 'float32', t.data as Float32Array, t.dims);
    const out = await session.run(feeds);
    const { wire, transfer } = toWire(out);
    return { res: { outputs: wire }, transfer };
  }
  await sessions.get(req.handle)?.release();
  sessions.delete(req.handle);
  return { res: {} };
});
