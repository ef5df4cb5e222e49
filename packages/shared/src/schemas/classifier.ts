import { z } from 'zod';
import { setting } from '../settings/settings.ts';

/**
 * The signature classifier's architecture (the reference network): 4 blocks of 2 × (Conv3×3 + ReLU),
 * BatchNorm, MaxPool with 64/128/256/512 filters × `widthMultiplier`; global average pooling; Dense 1024,
 * Dense 512 (the embedding, both × `widthMultiplier`), dropout, softmax over `classes`. Its fields carry the
 * `sig train classifier` flags (settings/settings.ts).
 */
export const ClassifierConfig = z.object({
  /** Number of classes (students). */
  classes: z.number().int().min(2),
  /** Input height in pixels (one grayscale channel); the CLI sets both sizes with `--input HxW`. */
  inputHeight: setting(z.number().int().min(16).default(48), { help: 'model input height in pixels' }),
  inputWidth: setting(z.number().int().min(16).default(96), { help: 'model input width in pixels' }),
  /**
   * 1 is the reference network; the default 0.25 (16/32/64/128 filters, Dense 256 and 128) is what the
   * committed models and the documented runs use: it trains in minutes on two cores.
   */
  widthMultiplier: setting(z.number().positive().max(4).default(0.25), { flag: 'width', arg: 'm', help: 'width multiplier of every filter and dense count (reference network: 1)' }),
  dropout: setting(z.number().min(0).max(0.9).default(0.1), { flag: 'dropout', arg: 'rate', help: 'dropout after each dense layer' }),
  /** 0 = none. */
  l2: setting(z.number().min(0).default(0), { flag: 'l2', arg: 'w', help: 'L2 weight decay on convolution and dense kernels' }),
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
  seed: setting(z.number().int().default(1), { flag: 'seed', arg: 'n', help: 'random seed (weights, shuffling, augmentation, dropout, validation split)' }),
  epochs: setting(z.number().int().min(1).default(70), { flag: 'epochs', arg: 'n', help: 'maximum epochs' }),
  batchSize: setting(z.number().int().min(1).default(32), { flag: 'batch-size', arg: 'n', help: 'batch size' }),
  /** Cosine-decayed to 5 % of it over the run. */
  learningRate: setting(z.number().positive().default(2e-3), { flag: 'lr', arg: 'rate', help: 'peak Adam learning rate (cosine decay)' }),
  labelSmoothing: setting(z.number().min(0).max(0.5).default(0.1), { flag: 'label-smoothing', arg: 'e', help: 'cross-entropy label smoothing' }),
  /** Of each class's original samples, held out for validation and early stopping. */
  valFraction: setting(z.number().min(0).max(0.5).default(0), { flag: 'val-fraction', arg: 'f', help: "share of each class's signatures held out for early stopping (0 = none)" }),
  evalEvery: setting(z.number().int().min(0).default(0), { flag: 'eval-every', arg: 'steps', help: 'validate every n steps (0 = every epoch)' }),
  patience: setting(z.number().int().min(0).default(0), { flag: 'patience', arg: 'evals', help: 'stop after n validations without gain (0 = never)' }),
  /** Write a resumable checkpoint every N steps (0 = at every evaluation). */
  checkpointEvery: z.number().int().min(0).default(0),
  augment: setting(z.boolean().default(true), { flag: 'augment', help: 'on-the-fly identity-keeping augmentation of training images' }),
  /**
   * Measured best on the 184 students (docs/evaluation.md): rough captures of the training signatures raise
   * held-out top-1 on tight crops as well as on rough ones, at the same step count.
   */
  roughCopies: setting(z.number().int().min(0).max(32).default(8), {
    flag: 'rough-copies',
    arg: 'n',
    help: 'rough captures cut again from the sheet photos per training signature when the data is a sig ingest of sheets (0 = none); the step count stays that of the originals',
  }),
  /** For tests and time-boxed runs. */
  maxSteps: setting(z.number().int().min(0).default(0), { flag: 'max-steps', arg: 'n', help: 'stop after n steps even if epochs remain (0 = no limit)' }),
});
export type ClassifierTrainConfig = z.infer<typeof ClassifierTrainConfig>;
export type ClassifierTrainConfigInput = z.input<typeof ClassifierTrainConfig>;
