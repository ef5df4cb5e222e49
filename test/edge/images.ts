// Signature images for the edge tests and benchmark: cells cut from the real registration sheets (PNG, so
// the browser and sharp decode the same pixels), or synthetic strokes where the data set is absent.
import { existsSync } from 'node:fs';
import sharp from 'sharp';
import { signatureImage } from '../server/http.ts';

export const SHEETS = '/work/shared/datasets/registration-sheets';

/** Hand-measured signature cells of image1/image2.jpg (888×1212, 12 rows of ~100 px, 4 cells from x = 78). */
const CELLS = [
  { sheet: 'image1.jpg', row: 0, col: 0 },
  { sheet: 'image1.jpg', row: 4, col: 2 },
  { sheet: 'image1.jpg', row: 6, col: 1 },
  { sheet: 'image2.jpg', row: 3, col: 3 },
  { sheet: 'image2.jpg', row: 9, col: 0 },
  { sheet: 'image1.jpg', row: 10, col: 3 },
];

/** `n` signature PNGs (real cells when the sheets are on this machine) and where they came from. */
export async function signaturePngs(n: number): Promise<{ name: string; png: Buffer }[]> {
  if (!existsSync(`${SHEETS}/image1.jpg`)) {
    return Promise.all(Array.from({ length: n }, async (_, i) => ({ name: `synthetic-${i}`, png: await signatureImage({ seed: i + 1 }) })));
  }
  return Promise.all(
    CELLS.slice(0, n).map(async ({ sheet, row, col }) => ({
      name: `${sheet}-r${row + 1}c${col + 1}`,
      png: await sharp(`${SHEETS}/${sheet}`)
        .extract({ left: 72 + 202 * col, top: 4 + 100 * row, width: 206, height: 104 })
        .png()
        .toBuffer(),
    })),
  );
}
