import { existsSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { UserError } from '@sig/shared';
import { decodeImage, encodePng } from '@sig/shared/node/image-io.ts';

const W = 40;
const H = 30;
/** A grey gradient as 3-channel raw pixels. */
const pixels = Buffer.from(Array.from({ length: W * H * 3 }, (_, i) => Math.floor(i / 3) % 256));
const src = () => sharp(pixels, { raw: { width: W, height: H, channels: 3 } });

async function rejects(p: Promise<unknown>, pattern: RegExp): Promise<UserError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserError);
  expect((err as UserError).message).toMatch(pattern);
  return err as UserError;
}

describe('decodeImage', () => {
  it('decodes PNG, JPEG, TIFF and WebP to raw pixels of the right size', async () => {
    const encoded = {
      png: await src().png().toBuffer(),
      jpeg: await src().jpeg({ quality: 95 }).toBuffer(),
      tiff: await src().tiff({ compression: 'lzw' }).toBuffer(),
      webp: await src().webp({ lossless: true }).toBuffer(),
    };
    for (const [format, bytes] of Object.entries(encoded)) {
      const img = await decodeImage(new Uint8Array(bytes));
      expect([format, img.width, img.height, img.channels]).toEqual([format, W, H, 3]);
      if (format !== 'jpeg') expect(Buffer.from(img.data).equals(pixels)).toBe(true);
    }
  });

  it('refuses garbage bytes, empty input, truncated files and images over the pixel limit', async () => {
    await rejects(decodeImage(new TextEncoder().encode('this is not an image at all')), /not a PNG, JPEG, TIFF or WebP/);
    await rejects(decodeImage(new Uint8Array()), /empty/);
    const png = await src().png().toBuffer();
    await rejects(decodeImage(new Uint8Array(png.subarray(0, Math.floor(png.length / 2)))), /damaged or truncated|not a PNG/);
    const jpeg = await src().jpeg().toBuffer();
    await rejects(decodeImage(new Uint8Array(jpeg.subarray(0, Math.floor(jpeg.length * 0.6)))), /damaged or truncated|not a PNG/);
    const big = await rejects(decodeImage(new Uint8Array(png), { maxPixels: W * H - 1 }), /over the limit of 1199 pixels/);
    expect(big.status).toBe(413);
    await expect(decodeImage(new Uint8Array(png), { maxPixels: W * H })).resolves.toMatchObject({ width: W });
    await rejects(decodeImage('/nonexistent/file.png'), /cannot read image/);
    const gif = await src().gif().toBuffer();
    await rejects(decodeImage(new Uint8Array(gif)), /unsupported image format 'gif'/);
  });

  it.skipIf(!existsSync('/work/shared/datasets/registration-sheets/image1.jpg'))('decodes a real sheet photo', async () => {
    const img = await decodeImage('/work/shared/datasets/registration-sheets/image1.jpg');
    expect([img.width, img.height, img.channels]).toEqual([888, 1212, 3]);
  });
});

describe('encodePng', () => {
  it('is lossless and gives the same bytes for the same pixels', async () => {
    const gray = { width: W, height: H, data: Uint8ClampedArray.from({ length: W * H }, (_, i) => (i * 7) % 256) };
    const a = await encodePng(gray);
    const b = await encodePng({ ...gray, data: Uint8ClampedArray.from(gray.data) });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const back = await decodeImage(a);
    expect(back.channels).toBe(1);
    expect(Buffer.from(back.data).equals(Buffer.from(gray.data))).toBe(true);
    const rgb = await encodePng({ width: W, height: H, channels: 3, data: new Uint8Array(pixels) });
    expect(Buffer.from((await decodeImage(rgb)).data).equals(pixels)).toBe(true);
  });
});
