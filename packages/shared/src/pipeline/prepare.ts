import type { FloatImage, RawImage } from '../image/types.ts';
import { preprocessSignature, type Box } from '../preprocess/index.ts';
import type { ModelEntry } from '../schemas/manifest.ts';

/** A decoded image → the model's input, with exactly the preprocessing recorded in its manifest entry. */
export function prepare(entry: ModelEntry, image: RawImage): FloatImage {
  return prepareSignature(entry, image).input;
}

/**
 * {@link prepare}, also returning the signature's ink box in `image`'s pixels (what the page draws on the
 * photo). An image without one signature is a NoSignatureError (422) before any model runs.
 */
export function prepareSignature(entry: ModelEntry, image: RawImage): { input: FloatImage; box: Box | null } {
  const { input: out, box } = preprocessSignature(image, entry.preprocess);
  if (out.width !== entry.preprocess.width || out.height !== entry.preprocess.height) {
    throw new Error(`preprocess returned ${out.width}x${out.height}, ${entry.name} takes ${entry.preprocess.width}x${entry.preprocess.height}`);
  }
  return { input: out, box };
}
