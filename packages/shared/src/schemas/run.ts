import { z } from 'zod';
import { EmbeddingCalibration, EmbeddingThresholds } from './manifest.ts';
import { PreprocessConfig } from './preprocess.ts';

/** What kind of training produced a run folder. */
export const RunKind = z.enum(['classifier', 'cgan', 'realfake', 'embedding', 'verifier']);
export type RunKind = z.infer<typeof RunKind>;

/**
 * `<runDir>/run.json`: written by `sig train`, read by `sig eval`, `sig export` and `--resume`.
 * Layout of a run folder:
 *   run.json           this record
 *   metrics.json       held-out metrics (see each trainer)
 *   model/             the trained TF.js LayersModel (model.json + weights.bin); for a CGAN: generator/ and discriminator/
 *   checkpoint/        latest resumable state (model weights, optimizer state, step, rng state)
 *   *.png              curves, confusion matrix, sample grids
 */
export const RunInfo = z.object({
  kind: RunKind,
  /** Model name used for the exported file and the manifest (e.g. 'classifier'). */
  name: z.string(),
  createdAt: z.string(),
  /** Class labels in output order (student IDs as folder names). */
  labels: z.array(z.string()),
  preprocess: PreprocessConfig,
  /** The typed model/training configuration this run used (each trainer's own zod schema). */
  config: z.record(z.string(), z.unknown()),
  dataset: z.object({ path: z.string(), classes: z.number().int(), samples: z.number().int() }).passthrough(),
  seed: z.number().int(),
  backend: z.string(),
  /** Generator only. */
  latentDim: z.number().int().positive().optional(),
  /** Realfake only: decision threshold on p(genuine). */
  threshold: z.number().min(0).max(1).optional(),
  /** Embedding only: output dimension, calibrated cosine thresholds and where they were measured. */
  embeddingDim: z.number().int().positive().optional(),
  thresholds: EmbeddingThresholds.optional(),
  calibration: EmbeddingCalibration.optional(),
  /** A human line saying what the model was trained on (copied into the manifest's training.description). */
  description: z.string().optional(),
  metrics: z.record(z.string(), z.number()).default({}),
  seconds: z.number().nonnegative().optional(),
});
export type RunInfo = z.infer<typeof RunInfo>;
