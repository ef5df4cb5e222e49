import type { FloatImage, GrayImage, RawImage } from '../image/types.ts';
import type { PreprocessConfig } from '../schemas/preprocess.ts';
import { flattenBackground } from './background.ts';
import { toGray } from './grayscale.ts';
import { NoSignatureError } from '../errors.ts';
import { inkBoundingBox, type Box } from './ink-box.ts';
import { erasedLines } from './erased-lines.ts';
import { locateSignature, type SignatureFound, type SignatureRefused } from './locate.ts';
import { inkToRange } from './normalise.ts';
import { histogram, otsuFromHistogram } from './otsu.ts';
import { aspectWindow, growBox } from './pad.ts';
import { resizeFloat, resizeGrayWindow } from './resize.ts';
import { removeRuledLines } from './ruled-lines.ts';
import { strokeWidth } from './stroke-width.ts';

/**
 * The preprocessing code's revision: bumped whenever a change makes the same image and settings give a model
 * another input, so that what was computed from the old inputs is computed again (the gallery's stored
 * embeddings carry it in their model tag and are re-embedded). 2: the locator keeps clean scans whole
 * (tight-crop pieces, one sprawling stroke, the words of a name; 2026-12-06).
 */
export const PREPROCESS_REVISION = 2;

/** Larger inputs (phone photos) are first shrunk so this is their longer side: bounded time, same result everywhere. */
const MAX_WORKING_SIDE = 1600;

/**
 * Darkest level Otsu may call paper. On a blank or nearly blank sheet Otsu splits the paper noise itself;
 * capping the threshold keeps that noise from being read as ink.
 */
const MAX_INK_THRESHOLD = 200;

/** Widest typical stroke (px) kept as it is: the registration sheets' crops measure 2–3 px. */
const MAX_STROKE_WIDTH = 3;
/** Stroke-width shrinking stops before the shorter side falls under this. */
const MIN_SIDE = 48;

/** What to do with an image that holds no single signature (blank, a whole form, several signatures). */
export interface PreprocessOptions {
  /**
   * 'refuse' (default): throw a NoSignatureError (HTTP 422) before any model runs. 'guess': use the most
   * likely signature, or all paper when there is no ink (training and evaluation on crops already cut).
   */
  onNoSignature?: 'refuse' | 'guess';
  /**
   * false: crop to the bounding box of all ink instead of locating the signature (the preprocessing before
   * the locator; nothing but a blank image is refused). Kept to measure what locating gains (bench:capture).
   */
  locate?: boolean;
}

/** The model input and where the signature was found. */
export interface PreprocessedSignature {
  input: FloatImage;
  /** The signature's ink box in the pixels of the image given (before any shrinking); null when there is no ink. */
  box: Box | null;
}

/**
 * The whole preprocessing: grayscale → background flattening → Otsu → ruled-line removal → locate the
 * signature (other ink painted paper) → crop to its ink box plus margin → pad to the model's aspect ratio →
 * resize → model range. Output is cfg.height × cfg.width in cfg.range, paper low and ink high.
 */
export function preprocess(img: RawImage, cfg: PreprocessConfig, opts: PreprocessOptions = {}): FloatImage {
  return preprocessSignature(img, cfg, opts).input;
}

/** {@link preprocess}, also returning the signature's ink box (the page draws it on the photo). */
export function preprocessSignature(img: RawImage, cfg: PreprocessConfig, opts: PreprocessOptions = {}): PreprocessedSignature {
  let gray = shrinkToFit(toGray(img), MAX_WORKING_SIDE);
  let flat = flattenBackground(gray);
  let t = Math.min(otsuFromHistogram(histogram(flat)), MAX_INK_THRESHOLD);
  // Resolution normalised by stroke width: a close-up or upscaled capture is shrunk until its strokes are as
  // wide as in a sheet photo's crops, so line removal and ink grouping see the same pixel scale.
  const sw = opts.locate === false ? 0 : strokeWidth(flat, t);
  if (sw > MAX_STROKE_WIDTH && Math.min(gray.width, gray.height) * (MAX_STROKE_WIDTH / sw) >= MIN_SIDE) {
    gray = shrinkBy(gray, MAX_STROKE_WIDTH / sw);
    flat = flattenBackground(gray);
    t = Math.min(otsuFromHistogram(histogram(flat)), MAX_INK_THRESHOLD);
  }
  const lineFree = cfg.removeLines ? removeRuledLines(flat, { threshold: t }) : flat;
  const range = cfg.range ?? 'zero-one';
  let found = opts.locate === false ? wholeInk(lineFree, t) : locateSignature(lineFree, t, { lines: erasedLines(flat, lineFree) });
  if ('refused' in found) {
    if (opts.onNoSignature !== 'guess') throw new NoSignatureError(found.refused, found.reason);
    if (!found.guess) return { input: inkToRange({ width: cfg.width, height: cfg.height, data: new Float32Array(cfg.width * cfg.height) }, range), box: null };
    found = found.guess;
  }
  const { box, image: clean } = found;
  const region = growBox(box, (cfg.margin ?? 0.05) * Math.max(box.width, box.height));
  // Crop, ink map, pad and resize in one pass (resizeGrayWindow): the region's ink amounts, paper around.
  const canvas = aspectWindow(region, cfg.width / cfg.height);
  const input = inkToRange(resizeGrayWindow(clean, inkLevels(clean, region, t, cfg.binarize), region, canvas, cfg.width, cfg.height), range);
  return { input, box: scaleBox(box, img.width / gray.width, img.height / gray.height) };
}

/** All ink as the signature (`locate: false`). */
function wholeInk(gray: GrayImage, t: number): SignatureFound | SignatureRefused {
  const box = inkBoundingBox(gray, t);
  return box ? { box, image: gray, components: 0, dropped: 0 } : { refused: 'no-ink', reason: 'no ink found: the image looks blank', guess: null };
}

/** A working-size box in the original image's pixels. */
function scaleBox(box: Box, sx: number, sy: number): Box {
  if (sx === 1 && sy === 1) return box;
  const x = Math.floor(box.x * sx);
  const y = Math.floor(box.y * sy);
  return { x, y, width: Math.ceil((box.x + box.width) * sx) - x, height: Math.ceil((box.y + box.height) * sy) - y };
}

/**
 * Grey level → ink amount (paper 0, ink 1) for the pixels of `region`. Binarised: ink is `<= t`. Grey:
 * a linear ramp from the ink's typical dark level (first quartile of ink pixels) to halfway between the
 * threshold and white, so faint paper noise becomes exactly 0 and pen pressure keeps its grey levels.
 */
function inkLevels(gray: GrayImage, region: Box, t: number, binarize: boolean): Float32Array {
  const lut = new Float32Array(256);
  if (binarize) {
    for (let v = 0; v <= t; v++) lut[v] = 1;
    return lut;
  }
  const { width, height, data } = gray;
  const x0 = Math.max(0, region.x);
  const x1 = Math.min(width, region.x + region.width);
  const y0 = Math.max(0, region.y);
  const y1 = Math.min(height, region.y + region.height);
  const hist = new Uint32Array(256);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) hist[data[y * width + x]]++;
  let inkCount = 0;
  for (let v = 0; v <= t; v++) inkCount += hist[v];
  let dark = 0;
  for (let acc = 0; dark <= t; dark++) if ((acc += hist[dark]) * 4 >= inkCount) break;
  const white = Math.round(t + (255 - t) / 2);
  dark = Math.min(dark, t - 1);
  for (let v = 0; v < 256; v++) lut[v] = Math.min(1, Math.max(0, (white - v) / (white - dark)));
  return lut;
}

/** Shrinks (area averaging) so the longer side is at most `maxSide`; smaller images are returned as they are. */
function shrinkToFit(gray: GrayImage, maxSide: number): GrayImage {
  const side = Math.max(gray.width, gray.height);
  return side <= maxSide ? gray : shrinkBy(gray, maxSide / side);
}

/** Shrinks by `scale` < 1 (area averaging). */
function shrinkBy(gray: GrayImage, scale: number): GrayImage {
  const w = Math.max(1, Math.round(gray.width * scale));
  const h = Math.max(1, Math.round(gray.height * scale));
  const small = resizeFloat({ width: gray.width, height: gray.height, data: new Float32Array(gray.data) }, w, h);
  return { width: w, height: h, data: new Uint8ClampedArray(small.data) };
}
