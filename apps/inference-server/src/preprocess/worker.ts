// One preprocessing worker: decode an upload once, preprocess it for each requested model configuration.
import { parentPort } from 'node:worker_threads';
import { isNoSignatureError, isUserError, preprocess } from '@sig/shared';
import { decodeUpload } from './png-decode.ts';
import type { PrepareReply, PrepareRequest } from './pool.ts';

parentPort!.on('message', async (req: PrepareRequest) => {
  let reply: PrepareReply;
  try {
    const image = await decodeUpload(req.bytes, req.maxPixels);
    const images = req.configs.map((cfg) => preprocess(image, cfg));
    reply = { id: req.id, ok: true, images };
  } catch (err) {
    reply = isUserError(err)
      ? { id: req.id, ok: false, userError: true, message: err.message, status: err.status, noSignature: isNoSignatureError(err) ? err.reason : undefined }
      : { id: req.id, ok: false, userError: false, message: err instanceof Error ? err.message : String(err), status: 500 };
  }
  parentPort!.postMessage(reply, reply.ok ? reply.images.map((i) => i.data.buffer as ArrayBuffer) : []);
});
