import type { GrayImage, RawImage } from '../image/types.ts';

/**
 * 8-bit luminance (Rec. 601 weights, integer arithmetic so every runtime gives the same bytes). Alpha is
 * composited over white paper, so a transparent background reads as paper, not ink.
 */
export function toGray(img: RawImage): GrayImage {
  const { width, height, channels, data: src } = img;
  const n = width * height;
  if (src.length < n * channels) throw new Error(`image data holds ${src.length} bytes, ${width}x${height}x${channels} needs ${n * channels}`);
  const out = new Uint8ClampedArray(n);
  if (channels === 1) {
    out.set(src.subarray(0, n));
  } else if (channels === 2) {
    for (let i = 0, j = 0; i < n; i++, j += 2) {
      const a = src[j + 1];
      out[i] = (src[j] * a + 255 * (255 - a)) / 255; // Uint8ClampedArray rounds
    }
  } else if (channels === 3) {
    // 0.299 R + 0.587 G + 0.114 B in 1/1024 steps.
    for (let i = 0, j = 0; i < n; i++, j += 3) out[i] = (306 * src[j] + 601 * src[j + 1] + 117 * src[j + 2] + 512) >> 10;
  } else {
    for (let i = 0, j = 0; i < n; i++, j += 4) {
      const y = (306 * src[j] + 601 * src[j + 1] + 117 * src[j + 2] + 512) >> 10;
      const a = src[j + 3];
      // Over white: round((y·a + 255·(255 − a)) / 255) = 255 − round(a·(255 − y) / 255), in integers
      // (m < 2^16, so (m + 1 + (m >> 8)) >> 8 is m / 255 rounded down; no ties, 255 is odd).
      if (a === 255) out[i] = y;
      else {
        const m = a * (255 - y) + 127;
        out[i] = 255 - ((m + 1 + (m >> 8)) >> 8);
      }
    }
  }
  return { width, height, data: out };
}
