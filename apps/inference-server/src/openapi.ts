import { z } from 'zod';
import {
  AuthenticityRequest,
  AuthenticityResponse,
  ClassifyRequest,
  ClassifyResponse,
  ErrorResponse,
  GenerateRequest,
  GenerateResponse,
  V2InferRequest,
  V2InferResponse,
  V2ModelList,
  V2ModelMetadata,
  V2RepositoryIndexEntry,
  V2ServerMetadata,
  VerifyRequest,
  VerifyResponse,
} from '@sig/shared';
import { GALLERY_PATHS, GALLERY_SCHEMAS } from './openapi-gallery.ts';

// The OpenAPI 3.1 document, generated from the zod schemas in @sig/shared (JSON Schema 2020-12, which
// OpenAPI 3.1 uses as is). Only the list of paths is written here.

const SCHEMAS = {
  ClassifyRequest,
  ClassifyResponse,
  AuthenticityRequest,
  AuthenticityResponse,
  VerifyRequest,
  VerifyResponse,
  GenerateRequest,
  GenerateResponse,
  ErrorResponse,
  V2ServerMetadata,
  V2ModelMetadata,
  V2ModelList,
  V2RepositoryIndex: z.array(V2RepositoryIndexEntry),
  V2InferRequest,
  V2InferResponse,
  ...GALLERY_SCHEMAS,
} as const;
type SchemaName = keyof typeof SCHEMAS;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

/** The multipart variant of an image request: the image is a file part, the other fields are text parts. */
function multipartSchema(schema: z.ZodObject): Record<string, unknown> {
  const s = jsonSchema(schema, 'input') as { properties: Record<string, unknown> };
  return { ...s, properties: { ...s.properties, image: { type: 'string', format: 'binary', description: 'The signature image file' } } };
}

const ref = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: SchemaName) => ({ 'application/json': { schema: ref(name) } });
const errors = {
  '400': { description: 'Invalid request (bad JSON, bad field, not an image, truncated image)', content: json('ErrorResponse') },
  '404': { description: 'Unknown model or student ID', content: json('ErrorResponse') },
  '413': { description: 'Body or image too large', content: json('ErrorResponse') },
  '405': { description: 'Method not allowed on this path (see Allow)', content: json('ErrorResponse') },
  '415': { description: 'Unsupported content type', content: json('ErrorResponse') },
  '422': { description: 'No single signature in the image (reason: no-ink, whole-form, several-signatures), or an image that cannot be preprocessed', content: json('ErrorResponse') },
  '503': { description: 'Queue full (see Retry-After) or no model of this kind loaded', content: json('ErrorResponse') },
};

function imageOperation(summary: string, req: SchemaName & keyof typeof SCHEMAS, res: SchemaName) {
  return {
    post: {
      summary,
      requestBody: {
        required: true,
        content: { ...json(req), 'multipart/form-data': { schema: multipartSchema(SCHEMAS[req] as unknown as z.ZodObject) } },
      },
      responses: { '200': { description: 'OK', content: json(res) }, ...errors },
    },
  };
}

const BINARY_NOTE =
  'Binary tensor data extension: send the JSON request followed by the raw little-endian tensor bytes, its length in ' +
  'the Inference-Header-Content-Length header, with parameters.binary_data_size on each binary input (no data). ' +
  'Outputs requested with parameters.binary_data (or the request parameter binary_data_output) come back the same way.';

/** The binary tensor data form of a v2 infer request or response body. */
const BINARY_BODY = { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } };

/** The server's OpenAPI 3.1 document. */
export function openApiDocument(version: string): Record<string, unknown> {
  const components: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(SCHEMAS)) {
    components[name] = jsonSchema(schema, name.endsWith('Request') ? 'input' : 'output');
  }
  const get = (summary: string, res?: SchemaName) => ({
    get: { summary, responses: { '200': { description: 'OK', ...(res ? { content: json(res) } : {}) } } },
  });
  const nameParam = [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }];
  return {
    openapi: '3.1.0',
    info: { title: 'Signature inference server', version, description: 'Lookup, authenticity, verification and generation of handwritten signatures (onnxruntime-node).' },
    paths: {
      '/v1/classify': imageOperation('Top-k student IDs for a signature image', 'ClassifyRequest', 'ClassifyResponse'),
      '/v1/authenticity': imageOperation('Probability that a signature is genuine, and the verdict', 'AuthenticityRequest', 'AuthenticityResponse'),
      '/v1/verify': {
        post: {
          ...imageOperation('Accept or reject a signature for a claimed student ID', 'GalleryVerifyRequest', 'VerifyResponse').post,
          description:
            'With an embedding model loaded: against the claimed student\'s enrolled references (GalleryVerifyResponse), plus the real/fake check when a detector is loaded. Without one: the classifier\'s top-1 identity and the real/fake check (VerifyResponse).',
          responses: {
            '200': { description: 'OK', content: { 'application/json': { schema: { oneOf: [ref('GalleryVerifyResponse'), ref('VerifyResponse')] } } } },
            ...errors,
          },
        },
      },
      ...GALLERY_PATHS({ json, ref, errors, imageOperation }),
      '/v1/generate': {
        post: {
          summary: 'Generate signatures for a student ID (same seed → same PNG bytes)',
          requestBody: { required: true, content: json('GenerateRequest') },
          responses: { '200': { description: 'OK', content: json('GenerateResponse') }, ...errors },
        },
      },
      '/v2': get('Server metadata (Open Inference Protocol)', 'V2ServerMetadata'),
      '/v2/health/live': get('Liveness'),
      '/v2/health/ready': get('Readiness (503 while shutting down or with no model loaded)'),
      '/v2/models': get('The loaded models: kind, demo flag, what each was trained on, execution provider', 'V2ModelList'),
      '/v2/repository/index': {
        post: { summary: "Every model in the repository and its state (Triton's model repository extension)", responses: { '200': { description: 'OK', content: json('V2RepositoryIndex') } } },
      },
      '/v2/models/{name}': { get: { ...get('Model metadata, including the execution provider in use', 'V2ModelMetadata').get, parameters: nameParam } },
      '/v2/models/{name}/ready': { get: { ...get('Model readiness').get, parameters: nameParam } },
      '/v2/models/{name}/infer': {
        post: {
          summary: 'Raw tensor inference (Open Inference Protocol)',
          description: BINARY_NOTE,
          parameters: [...nameParam, { name: 'Inference-Header-Content-Length', in: 'header', required: false, schema: { type: 'integer', minimum: 0 } }],
          requestBody: { required: true, content: { ...json('V2InferRequest'), ...BINARY_BODY } },
          responses: {
            '200': { description: 'OK', content: { ...json('V2InferResponse'), ...BINARY_BODY } },
            ...errors,
          },
        },
      },
      '/metrics': { get: { summary: 'Prometheus metrics', responses: { '200': { description: 'Prometheus text format', content: { 'text/plain': {} } } } } },
      '/openapi.json': get('This document'),
    },
    components: { schemas: components, securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'SIG_ADMIN_TOKEN (gallery writes)' } } },
  };
}
