// One preprocessing worker: decode an upload once, preprocess it for each requested model configuration.
import { preprocess, type FloatImage } from '@sig/shared';
import { answerCalls } from '@sig/shared/node/worker-calls.ts';
import { decodeUpload } from './png-decode.ts';
import type { PrepareRequest } from './pool.ts';

answerCalls<PrepareRequest, FloatImage[]>(async (req) => {
  const image = await decodeUpload(req.bytes, req.maxPixels);
  const images = req.configs.map((cfg) => preprocess(image, cfg));
  return { res: images, transfer: images.map((i) => i.data.buffer as ArrayBuffer) };
});
