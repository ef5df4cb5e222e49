// Rendering generated images: a sample grid (one row per label) for eyeballing progress, and 8-bit PNG
// bytes of single samples, so that generated images enter every downstream pipeline exactly like files.
import { floatToGray, type FloatImage, type GrayImage, type PreprocessConfig } from '@sig/shared';
import { encodePng } from '@sig/shared/node/image-io.ts';

/**
 * Tiles `rows × cols` images (row-major: row r = label r) of `size × size` floats into one FloatImage with a
 * `gap`-pixel paper border, in the same value range as the images (`paper` = the range's paper value).
 */
export function tileImages(images: Float32Array, rows: number, cols: number, size: number, paper: number, gap = 2): FloatImage {
  const width = cols * (size + gap) + gap;
  const height = rows * (size + gap) + gap;
  const data = new Float32Array(width * height).fill(paper);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const src = (r * cols + c) * size * size;
      const x0 = gap + c * (size + gap);
      const y0 = gap + r * (size + gap);
      for (let y = 0; y < size; y++) data.set(images.subarray(src + y * size, src + (y + 1) * size), (y0 + y) * width + x0);
    }
  }
  return { width, height, data };
}

/** PNG of a sample grid: `rows` labels × `cols` samples, generated images in `range` (tanh: 'minus-one-one'). */
export async function sampleGridPng(images: Float32Array, rows: number, cols: number, size: number, range: PreprocessConfig['range']): Promise<Uint8Array> {
  const paper = range === 'minus-one-one' ? -1 : 0;
  return encodePng(floatToGray(tileImages(images, rows, cols, size, paper), range));
}

/** One generated image (size × size floats in `range`) as an 8-bit grayscale image, paper white. */
export function generatedToGray(images: Float32Array, index: number, size: number, range: PreprocessConfig['range']): GrayImage {
  const data = images.slice(index * size * size, (index + 1) * size * size);
  return floatToGray({ width: size, height: size, data }, range);
}

/** Generated images as PNG files' bytes (what a user would upload), one per image. */
export async function generatedToPngs(images: Float32Array, count: number, size: number, range: PreprocessConfig['range']): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) out.push(await encodePng(generatedToGray(images, i, size, range)));
  return out;
}
