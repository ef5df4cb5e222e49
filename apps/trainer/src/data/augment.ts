// Identity-keeping training augmentation on preprocessed images (paper low, ink high): a small affine, an
// elastic bend, thicker or thinner strokes and a little noise. No flips: a mirrored signature is not the
// same signature. The geometry is the synthesiser's (./warp), applied to pixels instead of pen points.
import type { FloatImage, Rng } from '@sig/shared';
import { maxFilter, minFilter } from '@sig/shared/preprocess/morphology.ts';
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
  /** Stroke thickness change: strokes grow or shrink by up to this fraction of a pixel's dilation (default 0.6). */
  thickness?: number;
  /** Std of additive Gaussian noise, in units of the ink–paper contrast (default 0.02). */
  noise?: number;
}

const DEFAULTS: Required<Omit<AugmentOptions, 'range'>> = {
  rotate: 0.07, scale: 0.08, aspect: 0.06, shear: 0.15, translate: 0.03, elastic: 0.025, thickness: 0.6, noise: 0.02,
};

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
    const morph = Float32Array.from(out.data);
    (t > 0 ? maxFilter : minFilter)(morph, w, h, 1);
    const a = Math.abs(t);
    for (let i = 0; i < morph.length; i++) out.data[i] += a * (morph[i] - out.data[i]);
  }
  if (o.noise > 0) {
    const sigma = o.noise * (1 - paper);
    for (let i = 0; i < out.data.length; i++) {
      const v = out.data[i] + rng.normal(0, sigma);
      out.data[i] = v < paper ? paper : v > 1 ? 1 : v;
    }
  }
  return out;
}
