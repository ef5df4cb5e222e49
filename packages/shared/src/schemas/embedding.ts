import { z } from 'zod';

/**
 * The writer-independent signature embedding: the classifier's convolution blocks (filters × `widthMultiplier`),
 * global average pooling, a linear projection to `embeddingDim`, BatchNorm, L2 normalisation (`embedding`).
 * Training adds a cosine head over the training writers (`cosines`), dropped at export.
 */
export const EmbeddingConfig = z.object({
  inputHeight: z.number().int().min(16).default(48),
  inputWidth: z.number().int().min(16).default(96),
  widthMultiplier: z.number().positive().max(4).default(0.25),
  /** Length of the L2-normalised output vector (128–512 for real use; smaller only in tests). */
  embeddingDim: z.number().int().min(8).max(1024).default(128),
  /** Number of training writers (rows of the cosine head). */
  classes: z.number().int().min(2),
});
export type EmbeddingConfig = z.infer<typeof EmbeddingConfig>;
export type EmbeddingConfigInput = z.input<typeof EmbeddingConfig>;

/** Stable layer names: the exporter and the verification evaluation look them up. */
export const EMBEDDING_LAYERS = { input: 'image', embedding: 'embedding', cosines: 'cosines' } as const;

/** How `sig train embedding` trains (stored in run.json next to the model config). */
export const EmbeddingTrainConfig = z.object({
  seed: z.number().int().default(1),
  steps: z.number().int().min(1).default(3000),
  batchSize: z.number().int().min(2).default(64),
  learningRate: z.number().positive().default(2e-3),
  /**
   * 'cosface': softmax over s·(cos − m·[true writer]) (large-margin cosine loss); 'softmax': the same with m = 0
   * (normalised softmax), kept to measure what the margin adds.
   */
  objective: z.enum(['cosface', 'softmax']).default('cosface'),
  /** CosFace scale s and margin m. */
  scale: z.number().positive().default(24),
  margin: z.number().min(0).max(1).default(0.3),
  /**
   * Weight of the forgery term: a forgery of writer w is pushed below cosine `forgeryMargin` to w's head
   * vector (softplus(s·(cos − δ))); 0 ignores forgeries.
   */
  forgeryWeight: z.number().min(0).default(1),
  forgeryMargin: z.number().min(-1).max(1).default(0.2),
  /** Share of each dataset's writers held out (never trained on) for validation and threshold calibration. */
  valWriters: z.number().min(0).max(0.5).default(0.1),
  /** Genuine signatures each held-out writer enrols for validation and threshold calibration. */
  references: z.number().int().min(1).default(3),
  /** Evaluate (validation EER) every N steps (0 = only at the end). */
  evalEvery: z.number().int().min(0).default(500),
  augment: z.boolean().default(true),
});
export type EmbeddingTrainConfig = z.infer<typeof EmbeddingTrainConfig>;
export type EmbeddingTrainConfigInput = z.input<typeof EmbeddingTrainConfig>;
