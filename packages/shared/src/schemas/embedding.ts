import { z } from 'zod';
import { setting } from '../settings/settings.ts';

/**
 * The writer-independent signature embedding: the classifier's convolution blocks (filters × `widthMultiplier`),
 * global average pooling, a linear projection to `embeddingDim`, BatchNorm, L2 normalisation (`embedding`).
 * Training adds a cosine head over the training writers (`cosines`), dropped at export. Its fields carry the
 * `sig train embedding` flags (settings/settings.ts; `--input HxW` sets both sizes).
 */
export const EmbeddingConfig = z.object({
  inputHeight: setting(z.number().int().min(16).default(48), { help: 'model input height in pixels' }),
  inputWidth: setting(z.number().int().min(16).default(96), { help: 'model input width in pixels' }),
  widthMultiplier: setting(z.number().positive().max(4).default(0.25), { flag: 'width', arg: 'm', help: 'width multiplier of the convolution filters' }),
  /** Length of the L2-normalised output vector (128–512 for real use; smaller only in tests). */
  embeddingDim: setting(z.number().int().min(8).max(1024).default(128), { flag: 'dim', arg: 'd', help: 'embedding dimension' }),
  /** Number of training writers (rows of the cosine head). */
  classes: z.number().int().min(2),
});
export type EmbeddingConfig = z.infer<typeof EmbeddingConfig>;
export type EmbeddingConfigInput = z.input<typeof EmbeddingConfig>;

/** Stable layer names: the exporter and the verification evaluation look them up. */
export const EMBEDDING_LAYERS = { input: 'image', embedding: 'embedding', cosines: 'cosines', training: 'training_output' } as const;

/** How `sig train embedding` trains (stored in run.json next to the model config). */
export const EmbeddingTrainConfig = z.object({
  seed: setting(z.number().int().default(1), { flag: 'seed', arg: 'n', help: 'random seed (weights, batches, augmentation, held-out writers)' }),
  steps: setting(z.number().int().min(1).default(3000), { flag: 'steps', arg: 'n', help: 'optimizer steps' }),
  batchSize: setting(z.number().int().min(2).default(64), { flag: 'batch-size', arg: 'n', help: 'batch size' }),
  learningRate: setting(z.number().positive().default(2e-3), { flag: 'lr', arg: 'rate', help: 'peak Adam learning rate (cosine decay)' }),
  /**
   * 'cosface': softmax over s·(cos − m·[true writer]) (large-margin cosine loss); 'softmax': the same with m = 0
   * (normalised softmax), kept to measure what the margin adds.
   */
  objective: setting(z.enum(['cosface', 'softmax']).default('cosface'), { flag: 'objective', arg: 'name', help: "'cosface' (margin softmax) or 'softmax' (margin 0)" }),
  /** CosFace scale s and margin m. */
  scale: setting(z.number().positive().default(24), { flag: 'scale', arg: 's', help: 'cosine logit scale s' }),
  margin: setting(z.number().min(0).max(1).default(0.3), { flag: 'margin', arg: 'm', help: 'CosFace margin m' }),
  /**
   * Weight of the forgery term: a forgery of writer w is pushed below cosine `forgeryMargin` to w's head
   * vector (softplus(s·(cos − δ))); 0 ignores forgeries. Off by default: on the development writers (041–050)
   * the same run measured EER 5.7 % without it and 8.9 % with it (docs/evaluation-verification.md, runs B, C).
   */
  forgeryWeight: setting(z.number().min(0).default(0), { flag: 'forgery-weight', arg: 'w', help: 'weight of the skilled-forgery term (0: ignore forgeries)' }),
  forgeryMargin: setting(z.number().min(-1).max(1).default(0.2), { flag: 'forgery-margin', arg: 'd', help: 'cosine a forgery is pushed below, to the writer it imitates' }),
  /**
   * Weight of the batch-hard triplet term on the embeddings themselves (Hermans et al. 2017, soft margin): for
   * every genuine anchor, its least similar genuine of the same writer in the batch must beat its most similar
   * image that is not (another writer's, or a skilled forgery of its own writer) by `tripletMargin` in cosine.
   * Batches then hold `perWriter` images of each of batch / perWriter writers (one of them a forgery of that
   * writer when it has any). 0 = off (uniform batches, the cosine head alone).
   */
  tripletWeight: setting(z.number().min(0).default(0), { flag: 'triplet-weight', arg: 'w', help: 'weight of the batch-hard triplet term (0: off)' }),
  tripletMargin: setting(z.number().min(0).max(2).default(0.2), { flag: 'triplet-margin', arg: 'm', help: 'cosine margin of the triplet term' }),
  perWriter: setting(z.number().int().min(2).default(4), { flag: 'per-writer', arg: 'k', help: 'images per writer in a batch when the triplet term is on' }),
  /** Share of each dataset's writers held out (never trained on) for validation and threshold calibration. */
  valWriters: setting(z.number().min(0).max(0.5).default(0.1), { flag: 'val-writers', arg: 'f', help: 'share of each dataset’s writers held out when there is no --holdout' }),
  /** Genuine signatures each held-out writer enrols for validation and threshold calibration. */
  references: setting(z.number().int().min(1).default(3), { flag: 'references', arg: 'n', help: 'signatures each held-out writer enrols for calibration' }),
  /** Evaluate (validation EER) every N steps (0 = only at the end). */
  evalEvery: setting(z.number().int().min(0).default(500), { flag: 'eval-every', arg: 'steps', help: 'measure the held-out writers every n steps (0 = at the end)' }),
  augment: setting(z.boolean().default(true), { flag: 'augment', help: 'on-the-fly augmentation' }),
});
export type EmbeddingTrainConfig = z.infer<typeof EmbeddingTrainConfig>;
export type EmbeddingTrainConfigInput = z.input<typeof EmbeddingTrainConfig>;
