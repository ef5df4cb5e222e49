import { z } from 'zod';

/**
 * The signature classifier's architecture (the reference network): 4 blocks of 2 × (Conv3×3 + ReLU),
 * BatchNorm, MaxPool with 64/128/256/512 filters × `widthMultiplier`; global average pooling; Dense 1024,
 * Dense 512 (the embedding, both × `widthMultiplier`), dropout, softmax over `classes`.
 */
export const ClassifierConfig = z.object({
  /** Number of classes (students). */
  classes: z.number().int().min(2),
  /** Input height in pixels (one grayscale channel). */
  inputHeight: z.number().int().min(16).default(64),
  /** Input width in pixels. */
  inputWidth: z.number().int().min(16).default(128),
  /** Scales every filter and dense-unit count (0.25 → 16/32/64/128 filters, Dense 256 and 128). */
  widthMultiplier: z.number().positive().max(4).default(1),
  /** Dropout rate after each dense layer. */
  dropout: z.number().min(0).max(0.9).default(0.3),
  /** L2 weight decay on convolution and dense kernels (0 = none). */
  l2: z.number().min(0).default(0),
});
export type ClassifierConfig = z.infer<typeof ClassifierConfig>;
export type ClassifierConfigInput = z.input<typeof ClassifierConfig>;

/** Stable layer names: the exporter, parity tests and the embedding extractor rely on them. */
export const CLASSIFIER_LAYERS = {
  input: 'image',
  /** Penultimate Dense (512 × width) activations: the signature embedding. */
  embedding: 'embedding',
  logits: 'logits',
  output: 'probabilities',
} as const;

/** How `sig train classifier` trains (stored in run.json next to the model config). */
export const ClassifierTrainConfig = z.object({
  /** Seeds weight init, shuffling, augmentation, dropout and the validation split. */
  seed: z.number().int().default(1),
  epochs: z.number().int().min(1).default(40),
  batchSize: z.number().int().min(1).default(32),
  /** Adam learning rate (peak; cosine-decayed to 5 % of it over the run). */
  learningRate: z.number().positive().default(1e-3),
  /** Cross-entropy label smoothing. */
  labelSmoothing: z.number().min(0).max(0.5).default(0.1),
  /** Fraction of each class's original samples held out for validation / early stopping (0 = none). */
  valFraction: z.number().min(0).max(0.5).default(0.2),
  /** Evaluate every N steps (0 = once per epoch). */
  evalEvery: z.number().int().min(0).default(0),
  /** Stop after this many evaluations without validation improvement (0 = never stop early). */
  patience: z.number().int().min(0).default(8),
  /** Write a resumable checkpoint every N steps (0 = at every evaluation). */
  checkpointEvery: z.number().int().min(0).default(0),
  /** On-the-fly identity-keeping augmentation of training images. */
  augment: z.boolean().default(true),
  /** Stop after this many steps even if epochs remain (0 = no limit; for tests and time-boxed runs). */
  maxSteps: z.number().int().min(0).default(0),
});
export type ClassifierTrainConfig = z.infer<typeof ClassifierTrainConfig>;
export type ClassifierTrainConfigInput = z.input<typeof ClassifierTrainConfig>;
