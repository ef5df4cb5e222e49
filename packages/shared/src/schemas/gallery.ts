import { z } from 'zod';
import { UserError } from '../errors.ts';
import { AnsweredBy, AuthenticityScore, ImageBase64, ModelName, StudentId, VerifyRequest } from './api.ts';
import type { EmbeddingThresholds } from './manifest.ts';

// Request and response bodies of the enrolment gallery (open-set lookup and verification against
// enrolled references), for the server's routes, its OpenAPI document, the CLI and the page.

/**
 * Which calibrated threshold decides a match. 1:1 (a claimed ID): false acceptance 1 % (`far1`), 0.1 %
 * (`far01`) or the EER point, against other writers and skilled forgeries. Lookup ("is this anyone
 * enrolled?"): `open1`, at which 1 % of people who are not enrolled are taken for someone who is.
 */
export const ThresholdName = z.enum(['far1', 'far01', 'eer', 'open1']);
export type ThresholdName = z.infer<typeof ThresholdName>;
const thresholdHelp = 'far1 (1 % false acceptance against other writers and skilled forgeries), far01 (0.1 %), eer, or open1 (1 % of unenrolled writers taken for an enrolled one)';

/** An enrolment ID in a URL or a gallery file: letters, digits, . _ - (no slashes). */
export const GalleryId = StudentId.regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, . _ - (starting with a letter or digit)');

/** JSON enrolment body: one or more images (base64 or data: URLs); multipart sends `image` file parts. */
export const EnrolRequest = z.object({
  images: z.array(ImageBase64).min(1).max(64).describe('Reference signatures; in multipart requests, one or more file parts named "image"'),
  name: z.string().min(1).max(200).optional().describe('Display name (kept when omitted on an update)'),
  model: ModelName.optional().describe('Embedding model; default: the first embedding model loaded'),
});
export type EnrolRequest = z.infer<typeof EnrolRequest>;

export const GalleryStudent = z.object({
  id: StudentId,
  name: z.string().nullable(),
  references: z.number().int().nonnegative().describe('Stored reference signatures'),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type GalleryStudent = z.infer<typeof GalleryStudent>;

export const EnrolResponse = GalleryStudent.extend({
  added: z.number().int().nonnegative().describe('References added by this request'),
  model: z.string().describe('Embedding model the references were embedded with'),
});
export type EnrolResponse = z.infer<typeof EnrolResponse>;

export const GalleryListQuery = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type GalleryListQuery = z.infer<typeof GalleryListQuery>;

export const GalleryList = z.object({
  total: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  limit: z.number().int().positive(),
  students: z.array(GalleryStudent),
});
export type GalleryList = z.infer<typeof GalleryList>;

/** The threshold a decision used and the false-acceptance rate it was calibrated for. */
export const ThresholdUsed = z.object({
  name: ThresholdName,
  value: z.number().describe('Cosine similarity at or above which a reference matches'),
  far: z.string().describe('False-acceptance rate the threshold was calibrated for (1%, 0.1%, EER, 1% open set)'),
});
export type ThresholdUsed = z.infer<typeof ThresholdUsed>;

export const IdSimilarity = z.object({ id: StudentId, similarity: z.number().min(-1.0001).max(1.0001) });
export type IdSimilarity = z.infer<typeof IdSimilarity>;

/** What the gallery held when it answered; `unindexed` references (another model's embeddings) were not compared. */
export const GalleryState = z.object({
  students: z.number().int().nonnegative(),
  references: z.number().int().nonnegative(),
  unindexed: z.number().int().nonnegative().describe('References embedded by another model version, waiting to be re-embedded (not compared)'),
});

export const IdentifyRequest = z.object({
  image: ImageBase64,
  topK: z.number().int().min(1).max(100).default(5),
  threshold: ThresholdName.default('far1').describe(`Calibrated operating point: ${thresholdHelp}`),
  model: ModelName.optional(),
});
export type IdentifyRequest = z.infer<typeof IdentifyRequest>;

export const IdentifyResponse = z.object({
  model: z.string(),
  match: IdSimilarity.nullable().describe('The most similar enrolled student when at or above the threshold; null = not enrolled'),
  candidates: z.array(IdSimilarity).describe('Most similar enrolled students (best reference each), most similar first'),
  threshold: ThresholdUsed,
  gallery: GalleryState,
  answeredBy: z.array(AnsweredBy).describe('The models that answered, with their training data'),
});
export type IdentifyResponse = z.infer<typeof IdentifyResponse>;

export const GalleryVerifyRequest = VerifyRequest.extend({
  threshold: ThresholdName.default('far1').describe(`Calibrated operating point: ${thresholdHelp}`),
  embeddingModel: ModelName.optional(),
});
export type GalleryVerifyRequest = z.infer<typeof GalleryVerifyRequest>;

export const GalleryVerifyResponse = z.object({
  accepted: z.boolean().describe('Similar enough to the claimed student\'s references and (with a real/fake model) judged genuine'),
  claimedId: StudentId,
  score: z.number().describe('Best cosine similarity to the claimed student\'s references'),
  threshold: ThresholdUsed,
  references: z.number().int().nonnegative().describe('References of the claimed student compared'),
  authenticity: AuthenticityScore.nullable().describe('The real/fake check; null when no real/fake model is loaded (identity only)'),
  reasons: z.array(z.string()),
  models: z.object({ embedding: z.string(), realfake: z.string().nullable() }),
  answeredBy: z.array(AnsweredBy).describe('The models that answered, with their training data'),
});
export type GalleryVerifyResponse = z.infer<typeof GalleryVerifyResponse>;

/** One student in a gallery file: reference PNGs and their embeddings, each tagged with the model that made it. */
export const GalleryFileStudent = z.object({
  id: GalleryId,
  name: z.string().nullable(),
  signatures: z.array(
    z.object({
      png: z.string().describe('PNG, base64'),
      embeddings: z.array(
        z.object({
          model: z.string(),
          version: z.string(),
          sha256: z.string(),
          preprocess: z.string(),
          vector: z.string().describe('float32 little-endian, base64'),
        }),
      ),
    }),
  ),
});
export type GalleryFileStudent = z.infer<typeof GalleryFileStudent>;

/**
 * The first line of a gallery file (sig gallery export/import, the page's export/import). Version 2 is JSON
 * Lines: this header, then one {@link GalleryFileStudent} per line, so a gallery of any size is written and
 * read a student at a time.
 */
export const GalleryFileHeader = z.object({
  format: z.literal('sig-gallery'),
  version: z.literal(2),
  exportedAt: z.string(),
});
export type GalleryFileHeader = z.infer<typeof GalleryFileHeader>;

/** Version 1 of the gallery file, still read: one JSON document holding every student. */
export const GalleryFileV1 = z.object({
  format: z.literal('sig-gallery'),
  version: z.literal(1),
  exportedAt: z.string(),
  students: z.array(GalleryFileStudent),
});

/** The false-acceptance rate each threshold of an embedding model was calibrated for. */
export const THRESHOLD_FAR: Record<ThresholdName, string> = { far1: '1%', far01: '0.1%', eer: 'EER', open1: '1% open set' };

/** What the gallery needs from an embedding model's manifest entry. */
export interface EmbeddingSpec {
  dim: number;
  thresholds: EmbeddingThresholds;
}

/** The embedding fields of a manifest entry (read structurally), or a UserError naming the missing one. */
export function embeddingSpec(entry: { name: string; kind: string; embeddingDim?: number; thresholds?: EmbeddingThresholds }): EmbeddingSpec {
  if (entry.kind !== 'embedding') throw new UserError(`model '${entry.name}' is a ${entry.kind}, not an embedding model`, 400);
  if (!entry.embeddingDim) throw new UserError(`embedding model '${entry.name}' has no embeddingDim in its manifest entry`, 503);
  if (!entry.thresholds) throw new UserError(`embedding model '${entry.name}' has no calibrated thresholds in its manifest entry`, 503);
  return { dim: entry.embeddingDim, thresholds: entry.thresholds };
}
