import { z } from 'zod';
import { EmbeddingFields } from './embedding.ts';
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
 * a writer-independent signature vector for the enrolment gallery (embedding).
 */
export const ModelKind = z.enum(['classifier', 'generator', 'realfake', 'embedding']);
export type ModelKind = z.infer<typeof ModelKind>;

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
  /** Embedding only: embeddingDim, similarity, thresholds, calibration (see ./embedding.ts). */
  ...EmbeddingFields,
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
