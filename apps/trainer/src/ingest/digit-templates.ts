// Digit templates 0–9 rendered from fonts installed on this machine (librsvg through sharp finds them with
// fontconfig), in several families and weights, so reading printed IDs needs nothing from the network.
import sharp from 'sharp';
import { normaliseGlyph, type Glyph } from './digit-glyph.ts';

/** A rendered digit in normal form. */
export interface DigitTemplate extends Glyph {
  digit: number;
  font: string;
}

/** Font families and weights the templates are rendered in (sans faces close to printed sheet IDs). */
export const TEMPLATE_FONTS: { family: string; weight: 'normal' | 'bold' }[] = [
  { family: 'DejaVu Sans', weight: 'normal' },
  { family: 'DejaVu Sans', weight: 'bold' },
  { family: 'DejaVu Sans Condensed', weight: 'bold' },
  { family: 'Liberation Sans', weight: 'normal' },
  { family: 'Liberation Sans', weight: 'bold' },
  { family: 'Liberation Sans Narrow', weight: 'bold' },
  { family: 'Liberation Serif', weight: 'bold' },
];

/** Renders one digit at `size` px as an ink map (0 = paper, 1 = ink) and returns it in normal form. */
export async function renderDigit(digit: number, family: string, weight: string, size = 64): Promise<Glyph> {
  const SIZE = size;
  const w = SIZE;
  const h = Math.round(SIZE * 1.4);
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">` +
    `<rect width="100%" height="100%" fill="white"/>` +
    `<text x="${SIZE * 0.12}" y="${SIZE * 1.1}" font-family="${family}" font-weight="${weight}" font-size="${SIZE}" fill="black">${digit}</text></svg>`;
  const { data } = await sharp(Buffer.from(svg)).grayscale().raw().toBuffer({ resolveWithObject: true });
  const ink = new Float32Array(w * h);
  let x0 = w, y0 = h, x1 = 0, y1 = 0;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const v = 1 - data[y * w + x] / 255;
      ink[y * w + x] = v;
      if (v > 0.3) (x0 = Math.min(x0, x)), (y0 = Math.min(y0, y)), (x1 = Math.max(x1, x + 1)), (y1 = Math.max(y1, y + 1));
    }
  if (x1 <= x0) throw new Error(`font ${family} rendered no ink for digit ${digit}`);
  return normaliseGlyph(ink, w, { x0, y0, x1, y1 });
}

/** Render sizes: large for clean shapes, small for the blur of a ~12 px printed digit in a photo. */
const TEMPLATE_SIZES = [64, 18];

let cached: Promise<DigitTemplate[]> | null = null;

/** All templates (10 digits × TEMPLATE_FONTS), rendered once per process. */
export function digitTemplates(): Promise<DigitTemplate[]> {
  cached ??= (async () => {
    const out: DigitTemplate[] = [];
    for (const f of TEMPLATE_FONTS)
      for (const size of TEMPLATE_SIZES)
        for (let d = 0; d <= 9; d++)
          out.push({ ...(await renderDigit(d, f.family, f.weight, size)), digit: d, font: `${f.family} ${f.weight} ${size}px` });
    return out;
  })();
  return cached;
}
