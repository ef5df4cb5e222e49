import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { Rng, type GrayImage } from '@sig/shared';
import { readNumber } from '../apps/trainer/src/ingest/digit-ocr.ts';
import { digitTemplates } from '../apps/trainer/src/ingest/digit-templates.ts';

/**
 * A small cell like a sheet's ID column: the number printed ~12 px high in a font that is NOT among the
 * templates (DejaVu Sans Mono Bold), blurred a little, with a faint line at the cell's left, then noise.
 */
async function printedCell(text: string, seed: number, noise: number): Promise<GrayImage> {
  const w = 64;
  const h = 40;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><rect width="100%" height="100%" fill="#e8e8e8"/>` +
    `<rect x="0" y="0" width="1" height="${h}" fill="#777"/>` +
    `<text x="6" y="27" font-family="DejaVu Sans Mono" font-weight="bold" font-size="15" fill="#303030">${text}</text></svg>`;
  const { data } = await sharp(Buffer.from(svg)).blur(0.6).grayscale().raw().toBuffer({ resolveWithObject: true });
  const rng = new Rng(seed);
  const out = new Uint8ClampedArray(w * h);
  for (let i = 0; i < out.length; i++) out[i] = data[i] + rng.normal(0, noise);
  return { width: w, height: h, data: out };
}

describe('digit reader', () => {
  it('reads printed numbers of 1 to 3 digits under noise, confidently', async () => {
    const templates = await digitTemplates();
    const numbers = ['7', '12', '30', '49', '58', '61', '84', '96', '103', '125', '147', '168', '180', '184'];
    for (const [k, n] of numbers.entries()) {
      const read = readNumber(await printedCell(n, k, 8), templates);
      expect(read.text, `reading ${n}`).toBe(n);
      expect(read.digits).toHaveLength(n.length);
      expect(read.confidence).toBeGreaterThan(0);
    }
  });

  it('gives confidence 0 and no text for a cell without print', async () => {
    const templates = await digitTemplates();
    const read = readNumber(await printedCell('', 1, 3), templates);
    expect(read.text).toBe('');
    expect(read.confidence).toBe(0);
  });

  it('is less confident about a digit drowned in heavy noise than a clean one', async () => {
    const templates = await digitTemplates();
    const clean = readNumber(await printedCell('5', 2, 2), templates);
    const noisy = readNumber(await printedCell('5', 2, 45), templates);
    expect(clean.text).toBe('5');
    expect(noisy.confidence).toBeLessThan(clean.confidence);
  });
});
