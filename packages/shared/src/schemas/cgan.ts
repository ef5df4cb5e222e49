import { z } from 'zod';
import { setting } from '../settings/settings.ts';
import { LatentTruncation } from './manifest.ts';

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
  /**
   * Channels of the first feature map; each up-sampling stage halves them. The reference design has 128 and
   * 64 discriminator filters; the defaults are half of both, what the committed models and documented runs use.
   */
  genFilters: setting(z.number().int().positive().default(64), { flag: 'gen-filters', arg: 'n', help: 'generator channels after the Dense layer (reference: 128)' }),
  /** Filters of the discriminator's first strided convolution; each further one doubles them. */
  discFilters: setting(z.number().int().positive().default(32), { flag: 'disc-filters', arg: 'n', help: 'discriminator first-conv filters (reference: 64)' }),
  /** Strided convolutions in the discriminator (each halves the image side). */
  discLayers: z.number().int().min(1).max(6).default(3),
  /**
   * 'resize': UpSampling2D (nearest) + Conv2D 3×3 — no checkerboard artefacts (Odena et al. 2016);
   * 'transpose': Conv2DTranspose 4×4 stride 2 (the reference design).
   */
  upsample: setting(z.enum(['resize', 'transpose']).default('resize'), { flag: 'upsample', arg: 'kind', help: "'resize' (UpSampling2D+Conv2D) or 'transpose' (Conv2DTranspose)" }),
  /** Negative slope of the discriminator's LeakyReLU. */
  leakySlope: z.number().min(0).max(1).default(0.2),
  /** Adam learning rate (both networks). */
  learningRate: z.number().positive().default(2e-4),
  /** Adam β1. */
  beta1: z.number().min(0).max(1).default(0.5),
  /** One-sided label smoothing: the discriminator's target for real images (1 = none). */
  realLabel: setting(z.number().min(0.5).max(1).default(0.9), { flag: 'real-label', arg: 'v', help: 'one-sided label smoothing target for real images (1 = none)' }),
  // Few-shot options (docs/evaluation-gan.md measures each). Defaults: the reference design plus the auxiliary
  // classifier head and a moving average of G's weights, the recipe of the committed generator (without the head
  // it mostly did not draw the label asked for); `--aux-weight 0 --ema 0` is the reference design.
  /**
   * How the discriminator sees the label. 'plane': a Dense label plane concatenated to the image as a second
   * channel (reference); 'projection': an inner product of a label embedding with the image features added to
   * the score (Miyato & Koyama 2018).
   */
  discCondition: setting(z.enum(['plane', 'projection']).default('plane'), { flag: 'disc-condition', arg: 'kind', help: "how D sees the label: 'plane' (reference) or 'projection'" }),
  /**
   * Weight of an auxiliary classifier head on the discriminator (AC-GAN, Odena et al. 2017): D also learns the
   * label of real images, G is also trained to have its samples classified as the label it was given. 0 = off.
   */
  auxWeight: setting(z.number().min(0).default(1), { flag: 'aux-weight', arg: 'w', help: 'weight of an auxiliary classifier loss on D and G (AC-GAN); 0 = off (the reference design)' }),
  /**
   * A twin auxiliary classifier (TAC-GAN, Gong et al. 2019): a second class head on D learns the labels of
   * generated images, and G's auxiliary term becomes CE(head) − CE(twin), which cancels AC-GAN's pull towards the
   * easiest-to-classify sample of each label (its known loss of within-class variety). Uses the head's weight.
   */
  twinAux: setting(z.boolean().default(false), { flag: 'twin-aux', help: "twin auxiliary classifier on generated images (TAC-GAN), against the head's loss of within-label variety" }),
  /** Adversarial loss: 'bce' (sigmoid cross-entropy, non-saturating G loss; reference) or 'hinge' (D ends in a score). */
  loss: setting(z.enum(['bce', 'hinge']).default('bce'), { flag: 'loss', arg: 'kind', help: "adversarial loss: 'bce' (reference) or 'hinge'" }),
  /** Differentiable augmentations of real and generated images before D (Zhao et al. 2020, DiffAugment). */
  diffAugment: setting(z.array(z.enum(['translation', 'cutout'])).default([]), {
    flag: 'diff-augment',
    arg: 'list',
    help: 'DiffAugment for D, comma-separated: translation, cutout',
    defaultText: 'none',
  }),
  /**
   * Adaptive augmentation (ADA, Karras et al. 2020): the --diff-augment transformations are applied to each image
   * with a probability p that starts at 0 and is tuned during training so that D calls this share of the real
   * images it trains on real by more than chance: r = E[sign(D(x) − ½)] (the paper's 0.6). 0 = off (DiffAugment,
   * if any, always applied). Needs --diff-augment.
   */
  ada: setting(z.number().min(0).max(1).default(0), { flag: 'ada', arg: 'target', help: 'adaptive augmentation (ADA): tune how often the --diff-augment transformations (or each --real-augment copy) apply so that E[sign(D(real) − ½)] stays at this target (0.6 in the paper); 0 = off' }),
  /** Real images over which ADA's p may move from 0 to 1 (its speed; the paper's 500 k images for far longer runs). */
  adaImages: setting(z.number().int().min(1).default(20_000), { flag: 'ada-images', arg: 'n', help: "with --ada: real images over which p may go from 0 to 1 (ADA's speed)" }),
  /**
   * Which view of the images the auxiliary classifier head learns from when DiffAugment is on. 'augmented': the
   * same augmented images D scores (DiffAugment's paper); 'clean': D's real/fake score sees the augmented images,
   * its label head the un-augmented ones (one more D pass per update), so a cutout cannot take the student's
   * label away from the head. No effect without DiffAugment or without the head.
   */
  auxView: setting(z.enum(['augmented', 'clean']).default('augmented'), {
    flag: 'aux-view',
    arg: 'view',
    help: "with --diff-augment: the auxiliary head learns from the 'augmented' images D scores or the 'clean' ones",
  }),
  /**
   * Weight of the mode-seeking term (Mao et al. 2019, MSGAN): G's batch is drawn as pairs sharing a label, and G
   * also minimises 1 / (mean|G(z₁,c) − G(z₂,c)| / mean|z₁ − z₂| + ε), so two latent vectors of one label must give
   * different images (against one shape per label). 0 = off.
   */
  modeSeeking: setting(z.number().min(0).default(0), { flag: 'mode-seeking', arg: 'w', help: 'weight of the mode-seeking (MSGAN) diversity term on G; 0 = off' }),
  /**
   * Weight of the IMLE term (Li & Malik 2018; train/imle.ts): for the first `imleImages` real images of the step's
   * batch, the nearest of `imleSamples` samples of its label (on an `imlePool`× average-pooled view) is pulled
   * towards it, so each training signature has latent vectors that draw it (against one shape per label). 0 = off.
   */
  imle: setting(z.number().min(0).default(0), { flag: 'imle', arg: 'w', help: "weight of the IMLE term on G: each real image's nearest of --imle-samples samples is pulled to it; 0 = off" }),
  /** Latent vectors drawn per real image for the IMLE term's nearest sample. */
  imleSamples: setting(z.number().int().min(1).default(4), { flag: 'imle-samples', arg: 'k', help: 'with --imle: samples drawn per real image to find its nearest' }),
  /**
   * The view the IMLE term compares on: images average-pooled by this factor (4: 64 × 64 → 16 × 16, the layout; 1:
   * the pixels). The image side must be a multiple of it.
   */
  imlePool: setting(z.number().int().min(1).default(4), { flag: 'imle-pool', arg: 'f', help: 'with --imle: average-pooling factor of the view compared (1 = pixels)' }),
  /** Real images a step (the first rows of the step's real batch) that the IMLE term pulls a sample to. */
  imleImages: setting(z.number().int().min(1).default(8), { flag: 'imle-images', arg: 'n', help: "with --imle: real images a step (of the batch's) that pull their nearest sample" }),
  /**
   * Spectral normalisation of every discriminator kernel (Miyato et al. 2018): each layer applies W / σ(W), σ from
   * one power iteration a step, so D stays 1-Lipschitz per layer and cannot sharpen without bound on a few images.
   */
  spectralNorm: setting(z.boolean().default(false), { flag: 'spectral-norm', help: "spectral normalisation of D's kernels (Miyato et al. 2018)" }),
  /**
   * Strength of the classifier's identity-keeping augmentation (data/augment.ts: small rotation, scale, shear and
   * shift, an elastic bend, thicker or thinner strokes; no noise) applied to the real images D sees, drawn afresh
   * every step; 1 = the classifier's ranges, 0 = off. Unlike DiffAugment it touches only the real images and is not
   * differentiated through: G is asked to draw the variation a writer's hand has, not to hide it from D.
   */
  realAugment: setting(z.number().min(0).max(2).default(0), { flag: 'real-augment', arg: 's', help: "strength of the classifier's signature augmentation on D's real images (1 = its ranges); 0 = off" }),
  /**
   * Transitional conditioning (after Shahbazi et al. 2023, "Collapse by Conditioning"): the label reaches G and D
   * scaled by λ, and the auxiliary (and twin) head's terms are weighted by λ, where λ = 0 up to step
   * `transitionStart`, rises linearly to 1 at `transitionEnd`, and stays 1: the networks first learn the
   * signatures as one unconditional distribution, then the students. `transitionEnd` 0 = off (λ = 1 throughout).
   */
  transitionStart: setting(z.number().int().min(0).default(0), { flag: 'transition-start', arg: 'step', help: 'with --transition-end: the step at which the label starts to reach G and D (before it: unconditional)' }),
  transitionEnd: setting(z.number().int().min(0).default(0), { flag: 'transition-end', arg: 'step', help: 'the step from which the label reaches G and D in full, after a linear rise from --transition-start; 0 = off' }),
  /** Decay of an exponential moving average of G's weights used for sampling and export; 0 = off. */
  emaDecay: setting(z.number().min(0).max(0.99999).default(0.99), { flag: 'ema', arg: 'decay', help: "moving average of G's weights for samples and the saved generator; 0 = off (the reference design)" }),
});
export type CganConfig = z.infer<typeof CganConfig>;
export type CganConfigInput = z.input<typeof CganConfig>;

/**
 * How `sig train cgan` trains (stored in run.json beside the model config). The defaults train the committed
 * generator (7 000 steps, 32–36 min on the 2-core machine for 10 writers); the reference runs were 600 steps.
 */
export const CganTrainConfig = z.object({
  steps: setting(z.number().int().min(1).default(7000), { flag: 'steps', arg: 'n', help: 'total adversarial steps (one D and one G update each)' }),
  batch: setting(z.number().int().min(1).default(16), { flag: 'batch', arg: 'n', help: 'batch size' }),
  seed: setting(z.number().int().min(0).default(1), { flag: 'seed', arg: 'n', help: 'random seed (weights, batches, latent vectors)' }),
  sampleEvery: setting(z.number().int().min(1).default(500), { flag: 'sample-every', arg: 'n', help: 'write a sample grid PNG every n steps' }),
  checkpointEvery: setting(z.number().int().min(1).default(250), { flag: 'checkpoint-every', arg: 'n', help: 'write a resumable checkpoint every n steps' }),
  snapshotEvery: setting(z.number().int().min(1).default(250), { flag: 'snapshot-every', arg: 'n', help: 'keep a generator snapshot every n steps (the real/fake detector trains on them)' }),
  holdout: setting(z.number().min(0).lt(1).default(0.2), { flag: 'holdout', arg: 'fraction', help: 'share of each label held out of GAN training (for sig eval cgan)' }),
  holdoutLast: setting(z.boolean().default(false), {
    flag: 'holdout-last',
    help: "hold out each label's last image in natural order instead (the split of `sig eval classifier --folds 1`, so its fold model never saw them)",
  }),
  gridLabels: setting(z.number().int().min(1).default(10), { flag: 'grid-labels', arg: 'n', help: 'rows (labels) in the sample grid' }),
  /**
   * Worker threads for the adversarial step (train/adversarial-parallel.ts): 1 = this thread; 2 = both cores,
   * the same step to float rounding (G's BatchNorm is synchronised across the workers, train/sync-batch-norm.ts).
   */
  workers: setting(z.number().int().min(1).max(16).default(1), {
    flag: 'workers',
    arg: 'n',
    help: 'worker threads for the adversarial step (1 = this thread; 2 = both cores; not with --diff-augment, --mode-seeking, --imle or --spectral-norm)',
  }),
});
export type CganTrainConfig = z.infer<typeof CganTrainConfig>;
export type CganTrainConfigInput = z.input<typeof CganTrainConfig>;

/** How `sig eval cgan` measures a generator. */
export const CganEvalConfig = z.object({
  perLabel: setting(z.number().int().min(1).default(20), { flag: 'per-label', arg: 'n', help: 'generated samples per label for agreement and Fréchet distance' }),
  tstrPerLabel: setting(z.number().int().min(1).default(50), { flag: 'tstr-per-label', arg: 'n', help: 'generated samples per label to train the TSTR classifier on' }),
  tstrEpochs: setting(z.number().int().min(1).default(8), { flag: 'tstr-epochs', arg: 'n', help: 'epochs of the TSTR classifier' }),
  tstrWidth: setting(z.number().min(0.01).max(4).default(0.25), { flag: 'tstr-width', arg: 'm', help: 'width multiplier of the TSTR classifier' }),
  tstrJudge: setting(z.boolean().default(false), {
    flag: 'tstr-judge',
    help: "also train TSTR with the judge classifier's own recipe (its model, augmentation and step budget; no rough copies) on the TSTR samples",
  }),
  trtr: setting(z.boolean().default(true), {
    flag: 'trtr',
    help: "TSTR's references: the same recipe trained on the real training images, native and at the generator's size (two more trainings, the same for every generator of one split)",
  }),
  snapshot: setting(z.number().int().min(1).optional(), {
    flag: 'snapshot',
    arg: 'step',
    help: "measure the run's generator snapshot of that step (snapshots/step-<step>) instead of its final generator",
    defaultText: 'the final generator',
  }),
  seed: setting(z.number().int().min(0).default(1), { flag: 'seed', arg: 'n', help: 'random seed (latent vectors, TSTR classifier)' }),
  truncation: setting(LatentTruncation.optional(), {
    flag: 'truncation',
    arg: 't',
    help: 'draw the latent vectors within ±t (the truncation a models folder serves with), to measure what it costs',
    defaultText: 'none',
  }),
});
export type CganEvalConfig = z.infer<typeof CganEvalConfig>;
export type CganEvalConfigInput = z.input<typeof CganEvalConfig>;
