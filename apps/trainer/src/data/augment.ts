// Identity-keeping training augmentation on preprocessed images (paper low, ink high): a small affine, an
// elastic bend, thicker or thinner strokes and a little noise. No flips: a mirrored signature is not the
// same signature. The geometry is the synthesiser's (./warp), applied to pixels instead of pen points.
import type { FloatImage, Rng } from '@sig/shared';
import { compose, invert, randomAffine, translate } from './warp/affine.ts';
import { ElasticField } from './warp/elastic.ts';
import { warpImage } from './warp/resample.ts';

export interface AugmentOptions {
  /** Value range of the images (decides the paper level used to fill). Default 'zero-one'. */
  range?: 'zero-one' | 'minus-one-one';
  /** Max rotation in radians (default 0.07 ≈ 4°). */
  rotate?: number;
  /** Max relative scale change (default 0.08). */
  scale?: number;
  /** Max relative aspect change (default 0.06). */
  aspect?: number;
  /** Max horizontal shear, x per y (default 0.15). */
  shear?: number;
  /** Max shift as a fraction of the image size (default 0.03). */
  translate?: number;
  /** Elastic displacement std as a fraction of the image height (default 0.025). */
  elastic?: number;
  /** Stroke thickness change: strokes grow or shrink by up to this fraction of a pixel's dilation (default 0.5). */
  thickness?: number;
  /** Std of additive zero-mean noise, in units of the ink–paper contrast (default 0.02). */
  noise?: number;
}

type AugmentRanges = Required<Omit<AugmentOptions, 'range'>>;

/** The classifier's ranges (each option's default). */
const DEFAULTS: Readonly<AugmentRanges> = {
  rotate: 0.07, scale: 0.08, aspect: 0.06, shear: 0.15, translate: 0.03, elastic: 0.025, thickness: 0.5, noise: 0.02,
};

/** Every range of the defaults times `strength` (1 = the classifier's augmentation, 0.5 = half as strong). */
export function scaledRanges(strength: number): AugmentRanges {
  return Object.fromEntries(Object.entries(DEFAULTS).map(([k, v]) => [k, v * strength])) as AugmentRanges;
}

/** A new augmented copy of `img`; the same rng state and options always give the same result. */
export function augment(img: FloatImage, rng: Rng, opts: AugmentOptions = {}): FloatImage {
  const o = { ...DEFAULTS, ...opts };
  const paper = opts.range === 'minus-one-one' ? -1 : 0;
  const { width: w, height: h } = img;
  const shift = translate(rng.uniform(-o.translate, o.translate) * w, rng.uniform(-o.translate, o.translate) * h);
  const forward = compose(shift, randomAffine(rng, o, w / 2, h / 2));
  // A coarse grid: the bend stays smooth over several stroke widths, as handwriting varies.
  const field = o.elastic > 0 ? new ElasticField(rng, 0, 0, w, h, 6, 3, o.elastic * h) : null;
  const out = warpImage(img, invert(forward), field, paper);

  const t = rng.uniform(-o.thickness, o.thickness);
  if (Math.abs(t) > 0.05) {
    const morph = extreme3x3(out.data, w, h, t > 0);
    const a = Math.abs(t);
    for (let i = 0; i < morph.length; i++) out.data[i] += a * (morph[i] - out.data[i]);
  }
  if (o.noise > 0) {
    // Triangular noise (sum of two uniforms) with the requested std: near-Gaussian and far cheaper per pixel.
    const k = (o.noise * (1 - paper)) / Math.sqrt(1 / 6);
    for (let i = 0; i < out.data.length; i++) {
      const v = out.data[i] + k * (rng.next() + rng.next() - 1);
      out.data[i] = v < paper ? paper : v > 1 ? 1 : v;
    }
  }
  return out;
}

/**
 * Max (dilation, `grow`) or min (erosion) over each pixel's 3×3 neighbourhood, clipped at the borders.
 * A fixed one-pixel radius written as two plain 3-tap passes is several times faster here than a general
 * any-radius filter, and augmentation runs on every training image.
 */
function extreme3x3(src: Float32Array, w: number, h: number, grow: boolean): Float32Array {
  // Erosion is dilation of the negated image, so one loop serves both.
  const sign = grow ? 1 : -1;
  const tmp = new Float32Array(src.length);
  const out = new Float32Array(src.length);
  for (let y = 0; y < h; y++) {
    const r = y * w;
    for (let x = 0; x < w; x++) {
      const c = sign * src[r + x];
      const l = x > 0 ? sign * src[r + x - 1] : c;
      const rt = x + 1 < w ? sign * src[r + x + 1] : c;
      const m = l > c ? l : c;
      tmp[r + x] = m > rt ? m : rt;
    }
  }
  for (let y = 0; y < h; y++) {
    const up = y > 0 ? -w : 0, down = y + 1 < h ? w : 0;
    for (let x = 0, k = y * w; x < w; x++, k++) {
      const a = tmp[k + up], b = tmp[k], c = tmp[k + down];
      const m = a > b ? a : b;
      out[k] = sign * (m > c ? m : c);
    }
  }
  return out;
}
