import { z } from 'zod';

/**
 * Conditional GAN architecture and optimiser settings (`sig train cgan`). The generator maps (z, one-hot
 * label) to an image in [-1, 1] (tanh, paper -1, ink 1); the discriminator maps (image, one-hot label) to
 * p(real). Image size must be `seedSize · 2^k`.
 */
export const CganConfig = z.object({
  /** Number of conditioning labels (students). */
  numClasses: z.number().int().positive(),
  /** Length of the latent vector z. */
  latentDim: z.number().int().positive().default(100),
  /** Side of the square output image in pixels. */
  imageSize: z.number().int().positive().default(64),
  /** Side of the first feature map (after the Dense layer); each up-sampling stage doubles it. */
  seedSize: z.number().int().positive().default(16),
  /** Channels of the first feature map; each up-sampling stage halves them. Reference design: 128. */
  genFilters: z.number().int().positive().default(128),
  /** Filters of the discriminator's first strided convolution; each further one doubles them. */
  discFilters: z.number().int().positive().default(64),
  /** Strided convolutions in the discriminator (each halves the image side). */
  discLayers: z.number().int().min(1).max(6).default(3),
  /**
   * 'resize': UpSampling2D (nearest) + Conv2D 3×3 — no checkerboard artefacts (Odena et al. 2016);
   * 'transpose': Conv2DTranspose 4×4 stride 2 (the reference design).
   */
  upsample: z.enum(['resize', 'transpose']).default('resize'),
  /** Negative slope of the discriminator's LeakyReLU. */
  leakySlope: z.number().min(0).max(1).default(0.2),
  /** Adam learning rate (both networks). */
  learningRate: z.number().positive().default(2e-4),
  /** Adam β1. */
  beta1: z.number().min(0).max(1).default(0.5),
  /** One-sided label smoothing: the discriminator's target for real images (1 = none). */
  realLabel: z.number().min(0.5).max(1).default(0.9),
  // Few-shot options (docs/evaluation-gan.md measures each); the defaults are the reference design.
  /**
   * How the discriminator sees the label. 'plane': a Dense label plane concatenated to the image as a second
   * channel (reference); 'projection': an inner product of a label embedding with the image features added to
   * the score (Miyato & Koyama 2018).
   */
  discCondition: z.enum(['plane', 'projection']).default('plane'),
  /**
   * Weight of an auxiliary classifier head on the discriminator (AC-GAN, Odena et al. 2017): D also learns the
   * label of real images, G is also trained to have its samples classified as the label it was given. 0 = off.
   */
  auxWeight: z.number().min(0).default(0),
  /** Adversarial loss: 'bce' (sigmoid cross-entropy, non-saturating G loss; reference) or 'hinge' (D ends in a score). */
  loss: z.enum(['bce', 'hinge']).default('bce'),
  /** Differentiable augmentations of real and generated images before D (Zhao et al. 2020, DiffAugment). */
  diffAugment: z.array(z.enum(['translation', 'cutout'])).default([]),
  /** Decay of an exponential moving average of G's weights used for sampling and export; 0 = off. */
  emaDecay: z.number().min(0).max(0.99999).default(0),
});
export type CganConfig = z.infer<typeof CganConfig>;
export type CganConfigInput = z.input<typeof CganConfig>;
