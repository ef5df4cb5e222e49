// The inference thread: holds onnxruntime sessions and runs them, so a synchronous session.run (which
// onnxruntime-node does on the calling thread) never blocks the event loop that takes HTTP requests and
// collects preprocessed images.
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { spansBuffer, type InferenceReply, type InferenceRequest, type WireTensor } from './inference-thread.ts';

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

function send(reply: InferenceReply, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(reply, transfer);
}

parentPort!.on('message', async (req: InferenceRequest) => {
  try {
    if (req.op === 'open') {
      const session = await ort.InferenceSession.create(req.model, req.options);
      sessions.set(req.handle, session);
      send({ id: req.id, ok: true, inputNames: session.inputNames, outputNames: session.outputNames });
    } else if (req.op === 'run') {
      const session = sessions.get(req.handle);
      if (!session) throw new Error(`no session ${req.handle} in the inference thread`);
      const feeds: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(req.feeds)) feeds[name] = new ort.Tensor(t.type as 'float32', t.data as Float32Array, t.dims);
      const out = await session.run(feeds);
      const outputs: Record<string, WireTensor> = {};
      const transfer = new Set<ArrayBuffer>();
      for (const [name, t] of Object.entries(out)) {
        const data = t.data as Float32Array;
        outputs[name] = { type: t.type, data, dims: t.dims };
        if (spansBuffer(data)) transfer.add(data.buffer as ArrayBuffer);
      }
      send({ id: req.id, ok: true, outputs }, [...transfer]);
    } else {
      await sessions.get(req.handle)?.release();
      sessions.delete(req.handle);
      send({ id: req.id, ok: true });
    }
  } catch (err) {
    send({ id: req.id, ok: false, message: err instanceof Error ? err.message : String(err) });
  }
});
