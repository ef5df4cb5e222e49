import { UserError, type FloatImage, type GrayImage, type ModelEntry, type RawImage } from '@sig/shared';

/** What the server needs around the models: decode uploads, preprocess per manifest entry, encode PNGs. */
export interface ImageOps {
  /** Encoded bytes → pixels; non-images, truncated files and images over `maxPixels` are UserErrors. */
  decode(bytes: Uint8Array, maxPixels: number): Promise<RawImage>;
  /** The model's input, exactly as the manifest entry's preprocessing says. */
  prepare(entry: ModelEntry, image: RawImage): FloatImage;
  /** A generated float image (the entry's output range) → 8-bit, paper white. */
  toGray(entry: ModelEntry, image: FloatImage): GrayImage;
  encodePng(image: GrayImage): Promise<Uint8Array>;
}

type Fn = (...args: never[]) => unknown;

/**
 * The shared preprocessing (`preprocess`, `floatToGray` from @sig/shared) and Node image I/O
 * (`decodeImage`, `encodePng` from @sig/shared/node/image-io.ts), resolved at start-up so the server
 * reports their absence in one line instead of failing to import.
 */
export async function loadImageOps(): Promise<ImageOps> {
  let shared: Record<string, unknown>;
  let io: Record<string, unknown>;
  try {
    shared = (await import('@sig/shared')) as Record<string, unknown>;
    io = (await import(['@sig/shared', 'node', 'image-io.ts'].join('/'))) as Record<string, unknown>;
  } catch {
    throw new UserError('the shared image decoding (@sig/shared/node/image-io.ts) is not available in this checkout');
  }
  const need = (mod: Record<string, unknown>, name: string): Fn => {
    if (typeof mod[name] !== 'function') throw new UserError(`the shared preprocessing function ${name} is not available in this checkout`);
    return mod[name] as Fn;
  };
  const preprocess = need(shared, 'preprocess') as unknown as (img: RawImage, cfg: ModelEntry['preprocess']) => FloatImage;
  const floatToGray = need(shared, 'floatToGray') as unknown as (img: FloatImage, range: ModelEntry['preprocess']['range']) => GrayImage;
  const decodeImage = need(io, 'decodeImage') as unknown as (input: Uint8Array, opts: { maxPixels?: number }) => Promise<RawImage>;
  const encodePng = need(io, 'encodePng') as unknown as (img: GrayImage) => Promise<Uint8Array>;
  return {
    decode: (bytes, maxPixels) => decodeImage(bytes, { maxPixels }),
    prepare: (entry, image) => {
      const out = preprocess(image, entry.preprocess);
      if (out.width !== entry.preprocess.width || out.height !== entry.preprocess.height) {
        throw new Error(`preprocess returned ${out.width}x${out.height}, ${entry.name} takes ${entry.preprocess.width}x${entry.preprocess.height}`);
      }
      return out;
    },
    toGray: (entry, image) => floatToGray(image, entry.preprocess.range),
    encodePng,
  };
}
