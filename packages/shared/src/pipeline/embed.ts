import type { FloatImage } from '../image/types.ts';
import type { ModelEntry } from '../schemas/manifest.ts';
import { imageFeed } from './feeds.ts';
import { floatData, type PipelineContext } from './session.ts';

/** Scales `v` in place to unit length (a zero vector stays zero); returns it. */
export function l2Normalise(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i] * v[i];
  if (sum > 0) {
    const inv = 1 / Math.sqrt(sum);
    for (let i = 0; i < v.length; i++) v[i] *= inv;
  }
  return v;
}

/**
 * Signature embeddings: preprocessed images → one unit-length vector each. The manifest promises an
 * L2-normalised `embedding` output; normalising again costs nothing and keeps cosine = dot product for a
 * model exported without the op.
 */
export async function embed(ctx: PipelineContext, entry: ModelEntry, images: readonly FloatImage[]): Promise<Float32Array[]> {
  const out = await ctx.session.run(imageFeed(entry, images, ctx.Tensor));
  const spec = entry.outputs.find((o) => o.name === 'embedding') ?? entry.outputs[0];
  const data = floatData(out[spec.name] ?? out[ctx.session.outputNames[0]]);
  const dim = data.length / images.length;
  // Read structurally: ModelEntry may be a union by kind, with embeddingDim on the embedding member only.
  const expected = (entry as { embeddingDim?: number }).embeddingDim;
  if (expected !== undefined && dim !== expected) {
    throw new Error(`${entry.name}: model outputs ${dim} values per image, manifest says embeddingDim ${expected}`);
  }
  return images.map((_, i) => l2Normalise(data.slice(i * dim, (i + 1) * dim)));
}
