// The server's PNG fast path must give exactly the pixels sharp gives (decodeImage), and must hand every
// PNG it does not cover exactly (palette, 16-bit, interlaced, colour profile, bad checksum) back to sharp.
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { Rng, UserError } from '@sig/shared';
import { decodeImage } from '@sig/shared/node/image-io.ts';
import { decodePlainPng, decodeUpload } from '../apps/inference-server/src/preprocess/png-decode.ts';

function chunk(type: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
  return Buffer.concat([head, body, crc]);
}

/**
 * A PNG written by hand with row filter `(y + shift) % 5` (none, sub, up, average, Paeth), so every filter is
 * decoded, on the first row (no row above) too when `shift` runs over 0–4.
 */
function handmadePng(width: number, height: number, colour: 0 | 2 | 4 | 6, pixels: Uint8Array, extra: Buffer[] = [], shift = 0): Buffer {
  const bpp = { 0: 1, 2: 3, 4: 2, 6: 4 }[colour];
  const stride = width * bpp;
  const raw = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    const f = (y + shift) % 5;
    raw[y * (stride + 1)] = f;
    for (let i = 0; i < stride; i++) {
      const x = pixels[y * stride + i];
      const a = i >= bpp ? pixels[y * stride + i - bpp] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + i] : 0;
      const c = i >= bpp && y > 0 ? pixels[(y - 1) * stride + i - bpp] : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const pred = [0, a, b, (a + b) >> 1, paeth][f];
      raw[y * (stride + 1) + 1 + i] = (x - pred) & 255;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, colour, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...extra,
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

function randomPixels(n: number, seed: number): Uint8Array {
  const rng = new Rng(seed);
  const out = new Uint8Array(n);
  // Smooth runs with jumps, so the filters' predictions matter (pure noise would hide wrong predictors less).
  let v = 128;
  for (let i = 0; i < n; i++) out[i] = v = rng.uniform(0, 1) < 0.2 ? rng.int(256) : (v + rng.int(7) - 3) & 255;
  return out;
}

describe('PNG fast path', () => {
  it.each([[0], [2], [6]] as const)('colour type %i: every row filter decodes to the pixels sharp gives', async (colour) => {
    const [w, h] = [37, 23];
    const bpp = { 0: 1, 2: 3, 6: 4 }[colour];
    for (let shift = 0; shift < 5; shift++) {
      const png = handmadePng(w, h, colour, randomPixels(w * h * bpp, colour + shift), [], shift);
      const fast = decodePlainPng(png, 1e6);
      const slow = await decodeImage(png);
      expect(fast).not.toBeNull();
      expect([fast!.width, fast!.height, fast!.channels]).toEqual([slow.width, slow.height, slow.channels]);
      expect(Buffer.from(fast!.data).equals(Buffer.from(slow.data))).toBe(true);
    }
  });

  it('matches sharp on PNGs that sharp writes (adaptive filtering, RGBA signature drawing)', async () => {
    const svg = '<svg width="300" height="120"><path d="M20 80 C 60 10, 90 110, 140 50 S 220 20, 280 70" stroke="black" stroke-width="5" fill="none"/></svg>';
    for (const png of [
      await sharp({ create: { width: 300, height: 120, channels: 3, background: '#fff' } }).composite([{ input: Buffer.from(svg) }]).png().toBuffer(),
      await sharp(Buffer.from(randomPixels(64 * 48 * 3, 9)), { raw: { width: 64, height: 48, channels: 3 } }).png({ adaptiveFiltering: true }).toBuffer(),
    ]) {
      const fast = decodePlainPng(png, 1e6);
      expect(fast).not.toBeNull();
      expect(Buffer.from(fast!.data).equals(Buffer.from((await decodeImage(png)).data))).toBe(true);
    }
  });

  it('leaves palette, grey + alpha, interlaced, 16-bit, colour-managed and corrupted PNGs to sharp', async () => {
    const rgb = sharp(Buffer.from(randomPixels(32 * 16 * 3, 3)), { raw: { width: 32, height: 16, channels: 3 } });
    const palette = await rgb.clone().png({ palette: true }).toBuffer();
    const interlaced = await rgb.clone().png({ progressive: true }).toBuffer();
    const deep = await rgb.clone().toColourspace('rgb16').png().toBuffer();
    const gamma = handmadePng(8, 4, 0, randomPixels(32, 4), [chunk('gAMA', new Uint8Array([0, 0, 0xb1, 0x8f]))]);
    const corrupted = handmadePng(8, 4, 0, randomPixels(32, 5));
    corrupted[corrupted.length - 20] ^= 0xff; // inside the IDAT data: its CRC no longer matches
    const greyAlpha = handmadePng(8, 4, 4, randomPixels(64, 7));
    for (const png of [palette, greyAlpha, interlaced, deep, gamma, corrupted]) expect(decodePlainPng(png, 1e6)).toBeNull();
    expect(decodePlainPng(new TextEncoder().encode('not an image at all, not even close'), 1e6)).toBeNull();
    // decodeUpload gives what sharp gives for them (sharp tolerates the bad checksum).
    for (const png of [palette, greyAlpha, corrupted]) {
      const [a, b] = [await decodeUpload(png, 1e6), await decodeImage(png)];
      expect([a.channels, Buffer.from(a.data).equals(Buffer.from(b.data))]).toEqual([b.channels, true]);
    }
    await expect(decodeUpload(new TextEncoder().encode('not an image'), 1e6)).rejects.toBeInstanceOf(UserError);
  });

  it('refuses images over the pixel limit with 413, like decodeImage', () => {
    const png = handmadePng(40, 30, 0, randomPixels(1200, 6));
    expect(() => decodePlainPng(png, 1199)).toThrow(/40x30 is over the limit of 1199 pixels/);
    try {
      decodePlainPng(png, 1199);
    } catch (e) {
      expect((e as UserError).status).toBe(413);
    }
    expect(decodePlainPng(png, 1200)).not.toBeNull();
  });
});
