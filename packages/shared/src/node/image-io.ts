// Node-only image decoding/encoding with sharp (libvips). The browser decodes with canvas instead.
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { UserError } from '../errors.ts';
import { ACCEPTED_IMAGE_FORMATS } from '../schemas/api.ts';
import type { GrayImage, RawImage } from '../image/types.ts';

/** Default pixel limit for decoding: a 50-megapixel photo is the largest a phone produces. */
export const DEFAULT_MAX_PIXELS = 50_000_000;

export interface DecodeOptions {
  /** Refuse images with more pixels than this (width × height). */
  maxPixels?: number;
}

const SUPPORTED = new Set<string>(ACCEPTED_IMAGE_FORMATS);

/**
 * Decodes PNG, JPEG, TIFF or WebP bytes (or a file path) to 8-bit interleaved pixels, turned upright by the
 * EXIF orientation. Non-image bytes, truncated files, other formats and images over the pixel limit are a
 * UserError (HTTP 400, or 413 when too large).
 */
export async function decodeImage(input: string | Uint8Array, opts: DecodeOptions = {}): Promise<RawImage> {
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  let bytes: Uint8Array;
  if (typeof input === 'string') {
    try {
      bytes = await readFile(input);
    } catch (e) {
      throw new UserError(`cannot read image ${input}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  } else {
    bytes = input;
  }
  const what = typeof input === 'string' ? input : 'image';
  if (bytes.length === 0) throw new UserError(`${what}: empty file`);
  let meta: sharp.Metadata;
  try {
    meta = await sharp(bytes).metadata();
  } catch {
    throw new UserError(`${what}: not a PNG, JPEG, TIFF or WebP image`);
  }
  if (!meta.format || !SUPPORTED.has(meta.format)) {
    throw new UserError(`${what}: unsupported image format '${meta.format ?? 'unknown'}' (PNG, JPEG, TIFF or WebP)`);
  }
  const pixels = (meta.width ?? 0) * (meta.height ?? 0);
  if (pixels > maxPixels) {
    throw new UserError(`${what}: ${meta.width}x${meta.height} is over the limit of ${maxPixels} pixels`, 413);
  }
  try {
    let pipeline = sharp(bytes, { limitInputPixels: maxPixels, failOn: 'truncated' }).rotate();
    // Grey images stay one channel (sharp would otherwise widen them to RGB).
    if ((meta.channels ?? 3) <= 2) pipeline = pipeline.toColourspace('b-w');
    const { data, info } = await pipeline
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    const channels = info.channels as RawImage['channels'];
    return { width: info.width, height: info.height, channels, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (e) {
    const msg = (e as Error).message ?? '';
    if (/pixel limit/i.test(msg)) throw new UserError(`${what}: over the limit of ${maxPixels} pixels`, 413);
    throw new UserError(`${what}: damaged or truncated ${meta.format} image`);
  }
}

/** Lossless PNG of a grey or raw image; the same pixels always give the same bytes (no metadata, fixed settings). */
export async function encodePng(img: GrayImage | RawImage): Promise<Uint8Array> {
  const channels = 'channels' in img ? img.channels : 1;
  let pipeline = sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), {
    raw: { width: img.width, height: img.height, channels },
  });
  // Without this sharp writes grey images as RGB.
  if (channels <= 2) pipeline = pipeline.toColourspace('b-w');
  const buf = await pipeline
    .png({ compressionLevel: 9, adaptiveFiltering: false, palette: false })
    .toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
}
