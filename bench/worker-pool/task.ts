// The task every pool in `npm run bench:workers` runs, the same code whichever pool carries it: the server's
// upload preparation (decode + shared preprocessing, as apps/inference-server/src/preprocess/worker.ts does)
// or an echo of the buffer it was handed (what the pool mechanism itself costs).
import { preprocess, type PreprocessConfig } from '@sig/shared';
import { decodeUpload } from '../../apps/inference-server/src/preprocess/png-decode.ts';

export type BenchRequest = { kind: 'echo'; bytes: Uint8Array } | { kind: 'prepare'; bytes: Uint8Array; maxPixels: number; configs: PreprocessConfig[] };

/** The answer's one buffer (moved back to the caller): the echoed bytes, or the first config's tensor. */
export async function runBenchTask(req: BenchRequest): Promise<Uint8Array | Float32Array> {
  if (req.kind === 'echo') return req.bytes;
  const image = await decodeUpload(req.bytes, req.maxPixels);
  return req.configs.map((cfg) => preprocess(image, cfg))[0].data;
}
