import type { GrayImage } from '../image/types.ts';

/** 256-bin histogram of an 8-bit image. */
export function histogram(gray: GrayImage): Uint32Array {
  const h = new Uint32Array(256);
  const d = gray.data;
  for (let i = 0; i < d.length; i++) h[d[i]]++;
  return h;
}

/**
 * Otsu's threshold of a 256-bin histogram: the level t maximising the between-class variance of
 * {v ≤ t} and {v > t}. When a range of levels ties (an empty gap between two modes) the middle of the range
 * is returned, so a clean bimodal image splits halfway between its modes.
 */
export function otsuFromHistogram(hist: ArrayLike<number>): number {
  let total = 0;
  let sumAll = 0;
  for (let v = 0; v < 256; v++) {
    total += hist[v];
    sumAll += v * hist[v];
  }
  if (total === 0) return 127;
  let w0 = 0;
  let sum0 = 0;
  let best = -1;
  let bestLo = 127;
  let bestHi = 127;
  for (let t = 0; t < 255; t++) {
    w0 += hist[t];
    sum0 += t * hist[t];
    const w1 = total - w0;
    if (w0 === 0 || w1 === 0) continue;
    const m0 = sum0 / w0;
    const m1 = (sumAll - sum0) / w1;
    const between = w0 * w1 * (m0 - m1) * (m0 - m1);
    // Relative tolerance so float noise does not break ties between equal splits.
    if (between > best * (1 + 1e-12)) {
      best = between;
      bestLo = bestHi = t;
    } else if (between >= best * (1 - 1e-12)) {
      bestHi = t;
    }
  }
  return Math.floor((bestLo + bestHi) / 2);
}

/** Otsu threshold of an 8-bit image: pixels `<= threshold` are ink, the rest paper. */
export function otsuThreshold(gray: GrayImage): number {
  return otsuFromHistogram(histogram(gray));
}

/** Hard binarisation: ink (`<= threshold`) becomes 0, paper 255. */
export function binarize(gray: GrayImage, threshold: number): GrayImage {
  const src = gray.data;
  const out = new Uint8ClampedArray(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i] <= threshold ? 0 : 255;
  return { width: gray.width, height: gray.height, data: out };
}
