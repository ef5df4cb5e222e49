import { z } from 'zod';

/** Real-vs-generated detector architecture (`sig train realfake`); output p(genuine). */
export const RealFakeConfig = z.object({
  /** Side of the square input image in pixels. */
  imageSize: z.number().int().positive().default(64),
  /** Filters of the first convolution block; each further block doubles them. */
  filters: z.number().int().positive().default(16),
  /** Convolution blocks (Conv2D 3×3 stride 2 + BatchNorm + LeakyReLU). */
  blocks: z.number().int().min(1).max(6).default(4),
  /** Units of the hidden Dense layer before the sigmoid (0 = none). */
  dense: z.number().int().nonnegative().default(64),
  learningRate: z.number().positive().default(1e-3),
  /**
   * BatchNorm moving-average momentum. 0.99 needs many hundreds of steps to forget its initial statistics;
   * on small sets (the 184 real students: ~300 steps) 0.9 lets inference see the trained statistics.
   */
  bnMomentum: z.number().min(0).max(1).default(0.99),
});
export type RealFakeConfig = z.infer<typeof RealFakeConfig>;
export type RealFakeConfigInput = z.input<typeof RealFakeConfig>;
