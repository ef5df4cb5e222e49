import { z } from 'zod';
import { PreprocessConfig } from './preprocess.ts';

/** Element types that appear at model boundaries. */
export const TensorType = z.enum(['float32', 'float16', 'int32', 'int64', 'uint8']);
export type TensorType = z.infer<typeof TensorType>;

/** Name, shape (numbers, or strings for symbolic dims such as 'batch') and type of one model input or output. */
export const TensorSpec = z.object({
  name: z.string().min(1),
  shape: z.array(z.union([z.number().int().nonnegative(), z.string()])),
  type: TensorType,
});
export type TensorSpec = z.infer<typeof TensorSpec>;

/**
 * What a model does: which student (classifier), draw a signature (generator), genuine or generated (realfake),
 * one L2-normalised vector per signature to compare with enrolled references (embedding).
 */
export const ModelKind = z.enum(['classifier', 'generator', 'realfake', 'embedding']);
export type ModelKind = z.infer<typeof ModelKind>;

/** Cosine thresholds of an embedding: at FAR 1 %, at FAR 0.1 %, and at the equal-error point. */
export const EmbeddingThresholds = z.object({ far1: z.number(), far01: z.number(), eer: z.number() });
export type EmbeddingThresholds = z.infer<typeof EmbeddingThresholds>;

/** The development writers an embedding's thresholds were calibrated on. */
export const EmbeddingCalibration = z.object({
  dataset: z.string(),
  writers: z.number().int().nonnegative(),
  genuinePairs: z.number().int().nonnegative().optional(),
  impostorPairs: z.number().int().nonnegative().optional(),
});
export type EmbeddingCalibration = z.infer<typeof EmbeddingCalibration>;

/** One exported ONNX model and everything needed to use it without the trainer. */
export const ModelEntry = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, . _ -'),
  kind: ModelKind,
  version: z.string(),
  /** File name relative to the manifest's folder. */
  file: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().positive(),
  opset: z.number().int().min(17),
  precision: z.enum(['fp32', 'fp16', 'int8']).default('fp32'),
  inputs: z.array(TensorSpec).min(1),
  outputs: z.array(TensorSpec).min(1),
  /** Class labels (student IDs) in output order; the generator's conditioning labels. */
  labels: z.array(z.string()),
  /** Input preprocessing (classifier, realfake) or the output space (generator). */
  preprocess: PreprocessConfig,
  /** Generator only: size of the latent vector z. */
  latentDim: z.number().int().positive().optional(),
  /** Realfake only: probability-genuine threshold for the verdict. */
  threshold: z.number().min(0).max(1).optional(),
  /** Embedding only: length of the L2-normalised output vector. */
  embeddingDim: z.number().int().positive().optional(),
  /** Embedding only: how two vectors are compared (the dot product of unit vectors). */
  similarity: z.literal('cosine').optional(),
  /** Embedding only: cosine-similarity thresholds calibrated on development writers (never test writers). */
  thresholds: EmbeddingThresholds.optional(),
  /** Embedding only: where the thresholds were measured. */
  calibration: EmbeddingCalibration.optional(),
  training: z
    .object({
      dataset: z.string(),
      classes: z.number().int().nonnegative(),
      samples: z.number().int().nonnegative(),
      seed: z.number().int().optional(),
      epochs: z.number().int().nonnegative().optional(),
      seconds: z.number().nonnegative().optional(),
      backend: z.string().optional(),
    })
    .passthrough(),
  /** Evaluation metrics measured on held-out data (names say what they are, e.g. top1, auc). */
  metrics: z.record(z.string(), z.number()).default({}),
  /** The export's TF.js-vs-onnxruntime check (random inputs plus `realSamples` real preprocessed images). */
  parity: z
    .object({
      samples: z.number().int().nonnegative(),
      realSamples: z.number().int().nonnegative(),
      maxAbsDiff: z.number().nonnegative(),
      tolerance: z.number().positive(),
      argmaxAgreement: z.number().min(0).max(1),
    })
    .optional(),
  /** For an fp16/int8 entry: the name of the fp32 entry it was made from. */
  variantOf: z.string().optional(),
  createdAt: z.string(),
});
export type ModelEntry = z.infer<typeof ModelEntry>;

/** models/manifest.json */
export const Manifest = z.object({
  schemaVersion: z.literal(1),
  models: z.array(ModelEntry),
});
export type Manifest = z.infer<typeof Manifest>;
