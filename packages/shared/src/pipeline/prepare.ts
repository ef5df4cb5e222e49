import type { FloatImage, RawImage } from '../image/types.ts';
import { preprocess } from '../preprocess/index.ts';
import type { ModelEntry } from '../schemas/manifest.ts';

/** A decoded image → the model's input, with exactly the preprocessing recorded in its manifest entry. */
export function prepare(entry: ModelEntry, image: RawImage): FloatImage {
  const out = preprocess(image, entry.preprocess);
  if (out.width !== entry.preprocess.width || out.height !== entry.preprocess.height) {
    throw new Error(`preprocess returned ${out.width}x${out.height}, ${entry.name} takes ${entry.preprocess.width}x${entry.preprocess.height}`);
  }
  return out;
}
