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
 * What a model does: which student (classifier), draw a signature (generator), genuine or generated
 * (realfake), a writer-independent signature vector to compare with enrolled references (embedding).
 */
export const ModelKind = z.enum(['classifier', 'generator', 'realfake', 'embedding']);
export type ModelKind = z.infer<typeof ModelKind>;

/**
 * Cosine thresholds of an embedding, 1:1 at FAR 1 %, at FAR 0.1 % and at the equal-error point (impostors:
 * other writers and skilled forgeries), and `open1` for lookup: 1 % of unenrolled writers' signatures reach
 * it against some enrolled writer (absent in entries calibrated before it existed).
 */
export const EmbeddingThresholds = z.object({ far1: z.number(), far01: z.number(), eer: z.number(), open1: z.number().optional() });
export type EmbeddingThresholds = z.infer<typeof EmbeddingThresholds>;

/** How a writer's enrolled references score a query: `max`, the best cosine with any of them (what the gallery does), or `template`, the cosine with their normalised mean. */
export const EmbeddingScoring = z.enum(['max', 'template']);
export type EmbeddingScoring = z.infer<typeof EmbeddingScoring>;

/** The development writers an embedding's thresholds were calibrated on. */
export const EmbeddingCalibration = z.object({
  dataset: z.string(),
  writers: z.number().int().nonnegative(),
  genuinePairs: z.number().int().nonnegative().optional(),
  impostorPairs: z.number().int().nonnegative().optional(),
  /** How enrolled references scored a query there (absent: `template`, entries before it was recorded). */
  scoring: EmbeddingScoring.optional(),
});
export type EmbeddingCalibration = z.infer<typeof EmbeddingCalibration>;

/**
 * What a scoring model's first output holds, as the exporter read it from the model's last activation:
 * softmax/sigmoid `probabilities`, or raw `logits` the pipeline still has to squash. Manifests written
 * before this field existed hold probabilities (every exported classifier and detector ended in
 * softmax/sigmoid), hence the default.
 */
export const OutputScores = z.enum(['probabilities', 'logits']);
export type OutputScores = z.infer<typeof OutputScores>;

/** Fields every manifest entry has, whatever its kind. */
const EntryBase = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, . _ -'),
  version: z.string(),
  /** File name relative to the manifest's folder. */
  file: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().positive(),
  opset: z.number().int().min(17),
  precision: z.enum(['fp32', 'fp16', 'int8']).default('fp32'),
  inputs: z.array(TensorSpec).min(1),
  outputs: z.array(TensorSpec).min(1),
  /** Class labels (student IDs) in output order; the generator's conditioning labels; may be empty (embedding). */
  labels: z.array(z.string()),
  /** Input preprocessing (classifier, realfake, embedding) or the output space (generator). */
  preprocess: PreprocessConfig,
  /** A demonstration model (trained on synthetic writers, say): responses and the page say so. */
  demo: z.boolean().optional(),
  training: z
    .object({
      /** What the model was trained on, in words (responses and the page show it). */
      description: z.string().optional(),
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

/** A student classifier: one image in, one score per label out (in `labels` order). */
export const ClassifierEntry = EntryBase.extend({
  kind: z.literal('classifier'),
  scores: OutputScores.default('probabilities'),
});
export type ClassifierEntry = z.infer<typeof ClassifierEntry>;

/**
 * A latent truncation t (latent values beyond ±t are drawn again), wherever one is accepted: a request, the
 * manifest's served default, `sig export` and `sig eval cgan`. Below 0.25 most draws would be rejected (and the
 * redrawing would all but stop); beyond 10 nothing is left to truncate.
 */
export const LatentTruncation = z.number().min(0.25).max(10);

/**
 * A conditional generator: inputs `latentInput` (latentDim standard normals per image) and `labelInput`
 * (the label, one-hot when as wide as `labels`, else its index); one image out in `preprocess.range`.
 * The input names default to the ones every exported CGAN generator has had (z, label).
 */
export const GeneratorEntry = EntryBase.extend({
  kind: z.literal('generator'),
  latentDim: z.number().int().positive(),
  latentInput: z.string().min(1).default('z'),
  labelInput: z.string().min(1).default('label'),
  /**
   * Served sampling default: latent values beyond ±truncation are drawn again (truncation trick), fewer
   * off-student samples for less variety (docs/evaluation-gan.md measures both). Absent: plain normals.
   * A request's own `truncation` overrides it.
   */
  truncation: LatentTruncation.optional(),
});
export type GeneratorEntry = z.infer<typeof GeneratorEntry>;

/** The real/fake detector: one image in, p(genuine) (one value) or [fake, genuine] scores (two) out. */
export const RealfakeEntry = EntryBase.extend({
  kind: z.literal('realfake'),
  scores: OutputScores.default('probabilities'),
  /** Probability-genuine threshold for the verdict (calibrated by `sig train realfake`). */
  threshold: z.number().min(0).max(1).optional(),
});
export type RealfakeEntry = z.infer<typeof RealfakeEntry>;

/**
 * A writer-independent signature embedding: one image in, one L2-normalised vector `[batch, embeddingDim]`
 * out. Two signatures are compared by cosine similarity; `thresholds` are the similarities at which the
 * false-accept rate is 1 % and 0.1 %, and the equal-error point, calibrated on development writers only.
 */
export const EmbeddingEntry = EntryBase.extend({
  kind: z.literal('embedding'),
  embeddingDim: z.number().int().positive(),
  similarity: z.literal('cosine'),
  thresholds: EmbeddingThresholds,
  /** Which data the thresholds were calibrated on. */
  calibration: EmbeddingCalibration.optional(),
});
export type EmbeddingEntry = z.infer<typeof EmbeddingEntry>;

/** One exported ONNX model and everything needed to use it without the trainer; `kind` says which fields it has. */
export const ModelEntry = z.discriminatedUnion('kind', [ClassifierEntry, GeneratorEntry, RealfakeEntry, EmbeddingEntry]);
export type ModelEntry = z.infer<typeof ModelEntry>;
/** A manifest entry as written (fields with defaults may be left out). */
export type ModelEntryInput = z.input<typeof ModelEntry>;

/** The entry type of one kind, e.g. `EntryOfKind<'generator'>` is `GeneratorEntry`. */
export type EntryOfKind<K extends ModelKind> = Extract<ModelEntry, { kind: K }>;

/** models/manifest.json */
export const Manifest = z.object({
  schemaVersion: z.literal(1),
  models: z.array(ModelEntry),
});
export type Manifest = z.infer<typeof Manifest>;
