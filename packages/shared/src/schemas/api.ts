import { z } from 'zod';
import { LatentTruncation, ModelKind } from './manifest.ts';

// Request and response bodies of the inference server: the one source of types for the server's
// handlers, its OpenAPI document (generated from these schemas) and the browser page.

/** The image formats the server decodes (sharp's names); the one list the decoder and the API text use. */
export const ACCEPTED_IMAGE_FORMATS = ['png', 'jpeg', 'tiff', 'webp'] as const;
const FORMAT_NAMES = 'PNG, JPEG, TIFF or WebP';

/** An encoded image (PNG, JPEG, TIFF, WebP) as base64, or a `data:` URL. In multipart uploads: the file part. */
export const ImageBase64 = z
  .string()
  .min(1)
  .describe(`Encoded image (${FORMAT_NAMES}) as base64 or a data: URL; in multipart requests, a file part named "image"`);

/** Which model answered and what it was trained on (from its manifest entry), in every /v1 response. */
export const AnsweredBy = z.object({
  model: z.string(),
  kind: ModelKind,
  demo: z.boolean().describe('A demonstration model (e.g. trained on synthetic writers): its IDs are not real students'),
  trainedOn: z.string().describe('What the model was trained on'),
});
export type AnsweredBy = z.infer<typeof AnsweredBy>;
const answeredBy = z.array(AnsweredBy).describe('The models that answered, with their training data');

/** A model's name as it appears in models/manifest.json. */
export const ModelName = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/).max(128).describe('Model name from the manifest; default: the first model of the needed kind');

/** A student ID (a label of the classifier and the generator). */
export const StudentId = z.string().min(1).max(64).describe('Student ID (a class label)');

/** One label with its probability. */
export const IdProbability = z.object({ id: StudentId, probability: z.number().min(0).max(1) });
export type IdProbability = z.infer<typeof IdProbability>;

export const ClassifyRequest = z.object({
  image: ImageBase64,
  topK: z.number().int().min(1).max(100).default(5).describe('How many IDs to return'),
  model: ModelName.optional(),
});
export type ClassifyRequest = z.infer<typeof ClassifyRequest>;

export const ClassifyResponse = z.object({
  model: z.string(),
  predictions: z.array(IdProbability).describe('Most likely first'),
  answeredBy,
});
export type ClassifyResponse = z.infer<typeof ClassifyResponse>;

export const AuthenticityRequest = z.object({
  image: ImageBase64,
  model: ModelName.optional(),
});
export type AuthenticityRequest = z.infer<typeof AuthenticityRequest>;

export const AuthenticityScore = z.object({
  pGenuine: z.number().min(0).max(1).describe('Probability that the signature is genuine (not generated)'),
  verdict: z.enum(['genuine', 'fake']),
  threshold: z.number().min(0).max(1).describe('pGenuine >= threshold is genuine'),
});
export type AuthenticityScore = z.infer<typeof AuthenticityScore>;

export const AuthenticityResponse = AuthenticityScore.extend({ model: z.string(), answeredBy });
export type AuthenticityResponse = z.infer<typeof AuthenticityResponse>;

export const VerifyRequest = z.object({
  image: ImageBase64,
  claimedId: StudentId,
  minIdentity: z
    .number()
    .min(0)
    .max(1)
    .default(0)
    .describe('Least probability of the claimed ID for an identity match (besides being the top-1 ID)'),
  classifierModel: ModelName.optional(),
  realfakeModel: ModelName.optional(),
});
export type VerifyRequest = z.infer<typeof VerifyRequest>;

export const VerifyResponse = z.object({
  accepted: z.boolean().describe('Identity matches and the signature is judged genuine'),
  claimedId: StudentId,
  identity: z.object({
    match: z.boolean().describe('The claimed ID is the top-1 ID with probability >= minIdentity'),
    probability: z.number().min(0).max(1).describe('Probability of the claimed ID'),
    rank: z.number().int().min(1).describe('Rank of the claimed ID (1 = most likely)'),
    top: z.array(IdProbability).describe('The three most likely IDs'),
  }),
  authenticity: AuthenticityScore,
  reasons: z.array(z.string()).describe('Why it was rejected (empty when accepted)'),
  models: z.object({ classifier: z.string(), realfake: z.string() }),
  answeredBy,
});
export type VerifyResponse = z.infer<typeof VerifyResponse>;

/** Most images one generate request may ask for. */
export const GENERATE_MAX_COUNT = 16;
/** Largest seed (the seeded RNG takes 31 bits). */
export const GENERATE_MAX_SEED = 2 ** 31 - 1;

export const GenerateRequest = z.object({
  id: StudentId,
  count: z.number().int().min(1).max(GENERATE_MAX_COUNT).default(1),
  seed: z
    .number()
    .int()
    .min(0)
    .max(GENERATE_MAX_SEED)
    .optional()
    .describe('Same seed, ID and count → the same PNG bytes; without one the server draws a seed and returns it'),
  truncation: z
    .union([LatentTruncation, z.literal('none')])
    .optional()
    .describe("Latent values beyond ±truncation are drawn again: more typical signatures, less variety; 'none' draws plain normals; without it, the model's default (GET /v1/models)"),
  model: ModelName.optional(),
});
export type GenerateRequest = z.infer<typeof GenerateRequest>;

export const GeneratedImage = z.object({
  png: z.string().describe('PNG, base64'),
  width: z.number().int(),
  height: z.number().int(),
});

export const GenerateResponse = z.object({
  model: z.string(),
  id: StudentId,
  seed: z.number().int().describe('The seed used (the one asked for, or the one drawn)'),
  truncation: z.number().nullable().describe('The latent truncation used (null: none)'),
  images: z.array(GeneratedImage),
  answeredBy,
});
export type GenerateResponse = z.infer<typeof GenerateResponse>;

/** Every 4xx/5xx body. */
export const ErrorResponse = z.object({
  error: z.string(),
  /** Set on 422 when the image holds no single signature: 'no-ink', 'whole-form' or 'several-signatures'. */
  reason: z.enum(['no-ink', 'whole-form', 'several-signatures']).optional(),
});
export type ErrorResponse = z.infer<typeof ErrorResponse>;

// --- Open Inference Protocol (KServe v2), JSON/REST ---

export const V2Datatype = z.enum(['BOOL', 'UINT8', 'INT32', 'INT64', 'FP16', 'FP32']);
export type V2Datatype = z.infer<typeof V2Datatype>;

export const V2TensorMetadata = z.object({
  name: z.string(),
  datatype: V2Datatype,
  shape: z.array(z.number().int()).describe('-1 for a dynamic dimension'),
});

export const V2ServerMetadata = z.object({ name: z.string(), version: z.string(), extensions: z.array(z.string()) });
export type V2ServerMetadata = z.infer<typeof V2ServerMetadata>;

export const V2ModelMetadata = z.object({
  name: z.string(),
  versions: z.array(z.string()),
  platform: z.string(),
  inputs: z.array(V2TensorMetadata),
  outputs: z.array(V2TensorMetadata),
  // Extensions beyond the protocol: what kind of model, and where it actually runs.
  kind: ModelKind,
  executionProvider: z.string().describe('Execution provider the session actually uses (e.g. cpu after a CUDA fallback)'),
  requestedProviders: z.array(z.string()),
  fallbackReason: z.string().optional().describe('Why a requested provider could not be used'),
  adapter: z.string().optional().describe('The WebGPU adapter, when executionProvider is webgpu (vendor, architecture, description, hardware or software)'),
  sha256: z.string(),
  labels: z.array(z.string()),
});
export type V2ModelMetadata = z.infer<typeof V2ModelMetadata>;

/** One model in `POST /v2/repository/index` (Triton's model repository extension). */
export const V2RepositoryIndexEntry = z.object({
  name: z.string(),
  version: z.string(),
  state: z.enum(['READY', 'UNAVAILABLE']),
  reason: z.string(),
});

/** `GET /v2/models`: the loaded models, with what they are and what they were trained on. */
export const V2ModelList = z.object({
  models: z.array(AnsweredBy.omit({ model: true }).extend({ name: z.string(), version: z.string(), executionProvider: z.string() })),
});
export type V2ModelList = z.infer<typeof V2ModelList>;

const V2Data = z
  .array(z.union([z.number(), z.boolean(), z.array(z.unknown())]))
  .describe('Row-major values, flat or nested');

/**
 * Binary tensor data extension: `binary_data_size` (bytes, in a request input or response output) says the
 * tensor's data follows the JSON header in the body instead of `data`; `binary_data: true` (a requested
 * output) or `binary_data_output: true` (the request) asks for outputs that way.
 */
const V2Parameters = z
  .object({
    binary_data_size: z.number().int().nonnegative().optional(),
    binary_data: z.boolean().optional(),
    binary_data_output: z.boolean().optional(),
  })
  .catchall(z.unknown());

export const V2InferInput = z
  .object({
    name: z.string(),
    shape: z.array(z.number().int().nonnegative()),
    datatype: V2Datatype,
    data: V2Data.optional(),
    parameters: V2Parameters.optional(),
  })
  .refine((i) => (i.data === undefined) !== (i.parameters?.binary_data_size === undefined), {
    message: 'each input needs either data or parameters.binary_data_size (binary tensor data), not both',
  });

export const V2InferRequest = z.object({
  id: z.string().optional(),
  parameters: V2Parameters.optional(),
  inputs: z.array(V2InferInput).min(1),
  outputs: z.array(z.object({ name: z.string(), parameters: V2Parameters.optional() })).optional(),
});
export type V2InferRequest = z.infer<typeof V2InferRequest>;

export const V2InferOutput = z.object({
  name: z.string(),
  shape: z.array(z.number().int()),
  datatype: V2Datatype,
  /** Absent when the output is sent as binary tensor data (then `parameters.binary_data_size` is set). */
  data: z.array(z.number()).optional(),
  parameters: z.object({ binary_data_size: z.number().int().nonnegative() }).optional(),
});

export const V2InferResponse = z.object({
  model_name: z.string(),
  model_version: z.string().optional(),
  id: z.string().optional(),
  outputs: z.array(V2InferOutput),
});
export type V2InferResponse = z.infer<typeof V2InferResponse>;
