import { z } from 'zod';
import { setting } from '../settings/settings.ts';

/**
 * The pairwise signature verifier: one convolution trunk, shared by a reference and a query image (a 5×5
 * stride-2 stem, then 4 blocks of Conv3×3 + BatchNorm + ReLU + MaxPool with 128/256/512/512 filters ×
 * `widthMultiplier`, global average pooling, Dense `featureDim`), and a head on the pair's |a − b| and a · b
 * (Dense `hidden` + ReLU, Dense 1): the logit that the query was written by the reference's writer. Trained
 * on genuine pairs against skilled forgeries and other writers' signatures; it sees both images at once, so
 * it can learn what separates a writer's own variation from an imitation, which a cosine between two
 * independently embedded signatures does not (docs/evaluation-verification.md).
 */
/** The stem halves the input and four pools halve it again: 32 pixels is the least that leaves one. */
export const VerifierConfig = z.object({
  inputHeight: setting(z.number().int().min(32).default(96), { help: 'model input height in pixels' }),
  inputWidth: setting(z.number().int().min(32).default(192), { help: 'model input width in pixels' }),
  widthMultiplier: setting(z.number().positive().max(4).default(0.25), { flag: 'width', arg: 'm', help: 'width multiplier of the convolution filters' }),
  featureDim: setting(z.number().int().min(4).max(1024).default(128), { flag: 'features', arg: 'd', help: 'length of the trunk’s feature vector' }),
  hidden: setting(z.number().int().min(2).max(1024).default(64), { flag: 'hidden', arg: 'n', help: 'units of the pair head’s hidden layer' }),
});
export type VerifierConfig = z.infer<typeof VerifierConfig>;
export type VerifierConfigInput = z.input<typeof VerifierConfig>;

/** Stable layer names: the trainer, the evaluation and the exporter look them up. */
export const VERIFIER_LAYERS = { reference: 'reference', query: 'query', features: 'features', score: 'score' } as const;

/** How `sig train verifier` trains (stored in run.json next to the model config). */
export const VerifierTrainConfig = z.object({
  seed: setting(z.number().int().default(1), { flag: 'seed', arg: 'n', help: 'random seed (weights, pairs, augmentation, held-out writers)' }),
  steps: setting(z.number().int().min(1).default(2000), { flag: 'steps', arg: 'n', help: 'optimizer steps' }),
  batchSize: setting(z.number().int().min(2).default(32), { flag: 'batch-size', arg: 'n', help: 'pairs per step' }),
  learningRate: setting(z.number().positive().default(1e-3), { flag: 'lr', arg: 'rate', help: 'peak Adam learning rate (cosine decay)' }),
  /** Share of pairs that are two genuine signatures of one writer (label 1); the rest are impostor pairs (label 0). */
  genuineShare: setting(z.number().gt(0).lt(1).default(0.5), { flag: 'genuine-share', arg: 'f', help: 'share of genuine pairs in a batch' }),
  /** Share of pairs that are a genuine signature and a skilled forgery of it, when the writer has forgeries; other impostor pairs pair two writers. */
  forgedShare: setting(z.number().min(0).lt(1).default(0.35), { flag: 'forged-share', arg: 'f', help: 'share of pairs that are a signature and a skilled forgery of it (when the writer has any)' }),
  /**
   * Share of pairs whose writer is drawn among the writers that have skilled forgeries (the rest: any writer),
   * so a few real writers with forgeries are not drowned among thousands without.
   */
  forgeryWriterShare: setting(z.number().min(0).max(1).default(0.5), { flag: 'forgery-writer-share', arg: 'f', help: 'share of pairs drawn from writers that have forgeries' }),
  /** Share of each dataset's writers held out (never trained on) when there is no --holdout. */
  valWriters: setting(z.number().min(0).max(0.5).default(0.1), { flag: 'val-writers', arg: 'f', help: 'share of each dataset’s writers held out when there is no --holdout' }),
  /** Genuine signatures each held-out writer enrols for validation. */
  references: setting(z.number().int().min(1).default(3), { flag: 'references', arg: 'n', help: 'signatures each held-out writer enrols for validation' }),
  evalEvery: setting(z.number().int().min(0).default(500), { flag: 'eval-every', arg: 'steps', help: 'measure the held-out writers every n steps (0 = at the end)' }),
  augment: setting(z.boolean().default(true), { flag: 'augment', help: 'on-the-fly augmentation of both images of a pair' }),
});
export type VerifierTrainConfig = z.infer<typeof VerifierTrainConfig>;
export type VerifierTrainConfigInput = z.input<typeof VerifierTrainConfig>;
