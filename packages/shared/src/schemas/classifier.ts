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
