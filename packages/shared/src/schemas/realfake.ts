import { z } from 'zod';
import { setting } from '../settings/settings.ts';

/** Real-vs-generated detector architecture (`sig train realfake`); output p(genuine). */
export const RealFakeConfig = z.object({
  /** Side of the square input image in pixels. */
  imageSize: z.number().int().positive().default(64),
  /** Filters of the first convolution block; each further block doubles them. */
  filters: setting(z.number().int().positive().default(32), { flag: 'filters', arg: 'n', help: 'filters of the first convolution block' }),
  /** Convolution blocks (Conv2D 3×3 stride 2, the first one's stride `stemStride`, + BatchNorm + LeakyReLU). */
  blocks: z.number().int().min(1).max(6).default(4),
  /**
   * Stride of the first block's convolution. 1 (the default since detector 1.5.0) keeps the full resolution for
   * the first block, where a generator's pixel-level traces are (Gragnaniello et al. 2021: no down-sampling in
   * the first layers), at about four times the later blocks' work; 2 halves the image at once (every detector
   * up to 1.4.0; a run.json written before this setting existed is such a run).
   */
  stemStride: setting(z.number().int().min(1).max(2).default(1), {
    flag: 'stem-stride',
    arg: 'n',
    help: 'stride of the first convolution block (1: keep the full resolution there; 2: halve it at once, as detectors up to 1.4.0)',
  }),
  /** Units of the hidden Dense layer before the sigmoid (0 = none). */
  dense: z.number().int().nonnegative().default(64),
  learningRate: z.number().positive().default(1e-3),
  /**
   * BatchNorm moving-average momentum. 0.99 needs many hundreds of steps to forget its initial statistics;
   * on small sets (the 184 real students: ~300 steps) 0.9 lets inference see the trained statistics (the default).
   */
  bnMomentum: setting(z.number().min(0).lt(1).default(0.9), { flag: 'bn-momentum', arg: 'm', help: 'BatchNorm moving-average momentum (0.99 only for long runs on large sets)' }),
});
export type RealFakeConfig = z.infer<typeof RealFakeConfig>;
export type RealFakeConfigInput = z.input<typeof RealFakeConfig>;

/**
 * How `sig train realfake` trains (stored in run.json beside the model config). The defaults (with the model
 * defaults above) are the committed detector's recipe, the one that keeps calling real scans genuine
 * (docs/evaluation-gan.md); the first, small detector was `--filters 16 --stem-stride 2 --bn-momentum 0.99 --epochs 8
 * --fakes 1 --no-augment --capture 0`.
 */
export const RealFakeTrainConfig = z.object({
  epochs: setting(z.number().int().min(1).default(30), { flag: 'epochs', arg: 'n', help: 'training epochs' }),
  batch: setting(z.number().int().min(1).default(32), { flag: 'batch', arg: 'n', help: 'batch size' }),
  seed: setting(z.number().int().min(0).default(1), { flag: 'seed', arg: 'n', help: 'random seed' }),
  holdout: setting(z.number().gt(0).lt(1).default(0.2), { flag: 'holdout', arg: 'fraction', help: 'share of genuine images held out for the test' }),
  fakes: setting(z.number().int().min(1).default(2), { flag: 'fakes', arg: 'k', help: 'generated training images per genuine training image' }),
  augment: setting(z.boolean().default(true), { flag: 'augment', help: 'a fresh identity-keeping augmentation of every training image (both classes) each epoch' }),
  capture: setting(z.number().int().min(0).default(2), {
    flag: 'capture',
    arg: 'k',
    help: 'k extra copies of every genuine training image with capture effects (paper, lighting, resolution, blur, noise, JPEG), as real scans have',
  }),
});
export type RealFakeTrainConfig = z.infer<typeof RealFakeTrainConfig>;
export type RealFakeTrainConfigInput = z.input<typeof RealFakeTrainConfig>;
