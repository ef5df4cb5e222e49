// Decoded and preprocessed images as one batch array, the form the trainers feed to TensorFlow.js.
import { createHash } from 'node:crypto';
import { preprocess, type FloatImage, type PreprocessConfig } from '@sig/shared';
import { decodeImage } from '@sig/shared/node/image-io.ts';
import type { DatasetItem } from './folder-dataset.ts';

export interface Batch {
  /** n × height × width floats, row-major per image (NHWC with one channel). */
  x: Float32Array;
  /** Class index per image. */
  y: Int32Array;
  /** Group (original sample) number per image, numbered by first appearance in `items`. */
  groups: Int32Array;
  n: number;
  height: number;
  width: number;
}

/** Preprocessed images by path and config, kept for the process's lifetime (k folds reload the same files). */
const cache = new Map<string, FloatImage>();

/** Frees the in-memory cache of preprocessed images. */
export function clearPreprocessCache(): void {
  cache.clear();
}

/** Sharp decodes on its own threads while this thread preprocesses: a few decodes in flight keep both cores busy. */
const IN_FLIGHT = 4;

/** Decodes and preprocesses `items` (cached per path and config) into one batch, in `items` order. */
export async function loadPreprocessed(items: readonly DatasetItem[], cfg: PreprocessConfig): Promise<Batch> {
  const { height, width } = cfg;
  const key = createHash('sha1').update(JSON.stringify(cfg)).digest('hex').slice(0, 12);
  const px = height * width;
  const x = new Float32Array(items.length * px);
  const y = new Int32Array(items.length);
  const groups = new Int32Array(items.length);
  const groupIds = new Map<string, number>();
  items.forEach((it, i) => {
    y[i] = it.labelIndex;
    let g = groupIds.get(it.group);
    if (g === undefined) groupIds.set(it.group, (g = groupIds.size));
    groups[i] = g;
  });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      const ck = `${key}\0${items[i].path}`;
      let img = cache.get(ck);
      if (!img) {
        // Training data is already one signature per file: a doubtful crop is used as located, not refused.
        img = preprocess(await decodeImage(items[i].path), cfg, { onNoSignature: 'guess' });
        cache.set(ck, img);
      }
      x.set(img.data, i * px);
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, items.length) }, worker));
  return { x, y, groups, n: items.length, height, width };
}
