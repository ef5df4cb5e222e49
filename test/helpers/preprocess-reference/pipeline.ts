// Reference copy (see README.md): the pre-optimisation implementation, kept for equivalence tests.
import type { FloatImage, GrayImage, RawImage } from '../../../packages/shared/src/image/types.ts';
import type { PreprocessConfig } from '../../../packages/shared/src/schemas/preprocess.ts';
import { flattenBackground } from './background.ts';
import { toGray } from './grayscale.ts';
import type { Box } from './ink-box.ts';
// The signature locator (2026-12-04, issue 20) has no separate slow copy: the reference calls the shared one,
// so these tests keep proving every other stage equal around it (test/preprocess-locate.test.ts tests it).
import { erasedLines } from '../../../packages/shared/src/preprocess/erased-lines.ts';
import { locateSignature } from '../../../packages/shared/src/preprocess/locate.ts';
import { strokeWidth } from '../../../packages/shared/src/preprocess/stroke-width.ts';
import { NoSignatureError } from '../../../packages/shared/src/errors.ts';
import { inkToRange } from '../../../packages/shared/src/preprocess/normalise.ts';
import { histogram, otsuFromHistogram } from '../../../packages/shared/src/preprocess/otsu.ts';
import { growBox, padToAspect } from './pad.ts';
import { resizeFloat } from './resize.ts';
import { removeRuledLines } from './ruled-lines.ts';

/** Larger inputs (phone photos) are first shrunk so this is their longer side: bounded time, same result everywhere. */
export const MAX_WORKING_SIDE = 1600;

/**
 * Darkest level Otsu may call paper. On a blank or nearly blank sheet Otsu splits the paper noise itself;
 * capping the threshold keeps that noise from being read as ink.
 */
const MAX_INK_THRESHOLD = 200;

/**
 * The whole preprocessing: grayscale → background flattening → Otsu → ruled-line removal → locate the
 * signature (the shared locateSignature; other ink painted paper) → crop to its ink box plus margin → pad to
 * the model's aspect ratio → resize → model range. Output is cfg.height × cfg.width in cfg.range, paper low
 * and ink high. No single signature: a NoSignatureError, or with `onNoSignature: 'guess'` the best guess
 * (all paper when there is no ink).
 */
export function preprocess(img: RawImage, cfg: PreprocessConfig, opts: { onNoSignature?: 'refuse' | 'guess' } = {}): FloatImage {
  let gray = shrinkToFit(toGray(img), MAX_WORKING_SIDE);
  let flat = flattenBackground(gray);
  let t = Math.min(otsuFromHistogram(histogram(flat)), MAX_INK_THRESHOLD);
  // Stroke-width normalisation (issue 20): strokes wider than 3 px are shrunk to 3 px, down to a 48 px side.
  const sw = strokeWidth(flat, t);
  if (sw > 3 && Math.min(gray.width, gray.height) * (3 / sw) >= 48) {
    gray = shrinkTo(gray, Math.max(1, Math.round(gray.width * (3 / sw))), Math.max(1, Math.round(gray.height * (3 / sw))));
    flat = flattenBackground(gray);
    t = Math.min(otsuFromHistogram(histogram(flat)), MAX_INK_THRESHOLD);
  }
  const lineFree = cfg.removeLines ? removeRuledLines(flat, { threshold: t }) : flat;
  const located = locateSignature(lineFree, t, { lines: erasedLines(flat, lineFree) });
  if ('refused' in located && opts.onNoSignature !== 'guess') throw new NoSignatureError(located.refused, located.reason);
  const found = 'refused' in located ? located.guess : located;
  const box = found?.box ?? null;
  const clean = found?.image ?? lineFree;
  const region: Box = box
    ? growBox(box, (cfg.margin ?? 0.05) * Math.max(box.width, box.height))
    : { x: 0, y: 0, width: clean.width, height: clean.height };
  const ink = box ? inkAmount(clean, region, t, cfg.binarize) : blank(region);
  const padded = padToAspect(ink, cfg.width / cfg.height, 0);
  return inkToRange(resizeFloat(padded, cfg.width, cfg.height), cfg.range ?? 'zero-one');
}

function blank(region: Box): FloatImage {
  return { width: region.width, height: region.height, data: new Float32Array(region.width * region.height) };
}

/**
 * Ink amount (paper 0, ink 1) over `region` (outside the image is paper). Binarised: ink is `<= t`. Grey:
 * a linear ramp from the ink's typical dark level (first quartile of ink pixels) to halfway between the
 * threshold and white, so faint paper noise becomes exactly 0 and pen pressure keeps its grey levels.
 */
function inkAmount(gray: GrayImage, region: Box, t: number, binarize: boolean): FloatImage {
  const { width, height, data } = gray;
  const out = new Float32Array(region.width * region.height);
  const x0 = Math.max(0, region.x);
  const x1 = Math.min(width, region.x + region.width);
  const y0 = Math.max(0, region.y);
  const y1 = Math.min(height, region.y + region.height);
  // Lookup table from grey level to ink amount.
  const lut = new Float32Array(256);
  if (binarize) {
    for (let v = 0; v <= t; v++) lut[v] = 1;
  } else {
    const hist = new Uint32Array(256);
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) hist[data[y * width + x]]++;
    let inkCount = 0;
    for (let v = 0; v <= t; v++) inkCount += hist[v];
    let dark = 0;
    for (let acc = 0; dark <= t; dark++) if ((acc += hist[dark]) * 4 >= inkCount) break;
    const white = Math.round(t + (255 - t) / 2);
    dark = Math.min(dark, t - 1);
    for (let v = 0; v < 256; v++) lut[v] = Math.min(1, Math.max(0, (white - v) / (white - dark)));
  }
  for (let y = y0; y < y1; y++) {
    const src = y * width;
    const dst = (y - region.y) * region.width - region.x;
    for (let x = x0; x < x1; x++) out[dst + x] = lut[data[src + x]];
  }
  return { width: region.width, height: region.height, data: out };
}

/** Shrinks (area averaging) so the longer side is at most `maxSide`; smaller images are returned as they are. */
function shrinkToFit(gray: GrayImage, maxSide: number): GrayImage {
  const side = Math.max(gray.width, gray.height);
  if (side <= maxSide) return gray;
  const scale = maxSide / side;
  const w = Math.max(1, Math.round(gray.width * scale));
  const h = Math.max(1, Math.round(gray.height * scale));
  return shrinkTo(gray, w, h);
}

function shrinkTo(gray: GrayImage, w: number, h: number): GrayImage {
  const small = resizeFloat({ width: gray.width, height: gray.height, data: Float32Array.from(gray.data) }, w, h);
  return { width: w, height: h, data: Uint8ClampedArray.from(small.data) };
}
