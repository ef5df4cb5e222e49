import { z } from 'zod';
import { UserError } from '../errors.ts';

/** Cosine-similarity thresholds calibrated on held-out writers: at 1 % and 0.1 % false acceptance, and at the EER. */
export const EmbeddingThresholds = z.object({
  far1: z.number().min(-1).max(1),
  far01: z.number().min(-1).max(1),
  eer: z.number().min(-1).max(1),
});
export type EmbeddingThresholds = z.infer<typeof EmbeddingThresholds>;

/** The false-acceptance rate each threshold was calibrated for. */
export const THRESHOLD_FAR: Record<keyof EmbeddingThresholds, string> = { far1: '1%', far01: '0.1%', eer: 'EER' };

/**
 * The manifest fields of a model of kind `embedding` (one output `embedding` [batch, embeddingDim],
 * L2-normalised). Optional here because ModelEntry is one flat object; {@link embeddingSpec} checks them.
 */
export const EmbeddingFields = {
  embeddingDim: z.number().int().positive().optional(),
  similarity: z.literal('cosine').optional(),
  thresholds: EmbeddingThresholds.optional(),
  /** How the thresholds were found (held-out writers, pairs, ...): free-form, reported as is. */
  calibration: z.record(z.string(), z.unknown()).optional(),
};

/** What the gallery needs from an embedding model's manifest entry. */
export interface EmbeddingSpec {
  dim: number;
  thresholds: EmbeddingThresholds;
}

/** The embedding fields of an entry, or a UserError naming the missing one. */
export function embeddingSpec(entry: {
  name: string;
  kind: string;
  embeddingDim?: number;
  thresholds?: EmbeddingThresholds;
}): EmbeddingSpec {
  if (entry.kind !== 'embedding') throw new UserError(`model '${entry.name}' is a ${entry.kind}, not an embedding model`, 400);
  if (!entry.embeddingDim) throw new UserError(`embedding model '${entry.name}' has no embeddingDim in its manifest entry`, 503);
  if (!entry.thresholds) throw new UserError(`embedding model '${entry.name}' has no calibrated thresholds in its manifest entry`, 503);
  return { dim: entry.embeddingDim, thresholds: entry.thresholds };
}
