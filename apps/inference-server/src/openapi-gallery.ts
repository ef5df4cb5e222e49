import {
  EnrolRequest,
  EnrolResponse,
  GalleryFileHeader,
  GalleryFileStudent,
  GalleryList,
  GalleryStudent,
  GalleryVerifyRequest,
  GalleryVerifyResponse,
  IdentifyRequest,
  IdentifyResponse,
} from '@sig/shared';

// The gallery's part of the OpenAPI document (schemas come from @sig/shared like the rest).

export const GALLERY_SCHEMAS = {
  EnrolRequest,
  EnrolResponse,
  GalleryStudent,
  GalleryList,
  IdentifyRequest,
  IdentifyResponse,
  GalleryVerifyRequest,
  GalleryVerifyResponse,
  GalleryFileHeader,
  GalleryFileStudent,
} as const;

type Name = keyof typeof GALLERY_SCHEMAS;
interface Helpers {
  json(name: Name): Record<string, unknown>;
  ref(name: Name): Record<string, unknown>;
  errors: Record<string, unknown>;
  imageOperation(summary: string, req: Name, res: Name): { post: Record<string, unknown> };
}

const BEARER = [{ bearer: [] }];
const WRITE_ERRORS = {
  '401': { description: 'No bearer token (the server has SIG_ADMIN_TOKEN set)' },
  '403': { description: 'Wrong token, or no token configured and the client is not on loopback' },
  '409': { description: 'Over the references-per-student or gallery-size limit (nothing written)' },
  '422': { description: 'An image that cannot be preprocessed' },
};

/** The gallery paths, built with the document's helpers. */
export function GALLERY_PATHS({ json, errors, imageOperation }: Helpers): Record<string, unknown> {
  const idParam = [{ name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', maxLength: 64 } }];
  const enrolBody = {
    required: true,
    content: {
      ...json('EnrolRequest'),
      'multipart/form-data': {
        schema: {
          type: 'object',
          required: ['image'],
          properties: {
            image: { type: 'array', items: { type: 'string', format: 'binary' }, description: 'One or more file parts named "image"' },
            name: { type: 'string' },
            model: { type: 'string' },
          },
        },
      },
    },
  };
  const write = (summary: string) => ({
    summary,
    security: BEARER,
    parameters: idParam,
    requestBody: enrolBody,
    responses: { '200': { description: 'OK', content: json('EnrolResponse') }, ...errors, ...WRITE_ERRORS },
  });
  return {
    '/v1/gallery': {
      get: {
        summary: 'Enrolled students, by ID (paginated)',
        parameters: [
          { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
        ],
        responses: { '200': { description: 'OK', content: json('GalleryList') }, ...errors },
      },
    },
    '/v1/gallery/{id}': {
      get: { summary: 'One enrolled student', parameters: idParam, responses: { '200': { description: 'OK', content: json('GalleryStudent') }, ...errors } },
      put: write('Enrol a student, or replace their references (no retraining)'),
      delete: {
        summary: 'Delete a student with every reference image and embedding',
        security: BEARER,
        parameters: idParam,
        responses: { '200': { description: 'Deleted', content: { 'application/json': { schema: { type: 'object', properties: { id: { type: 'string' }, deleted: { const: true } } } } } }, ...errors, ...WRITE_ERRORS },
      },
    },
    '/v1/gallery/{id}/signatures': { post: write('Add reference signatures to an enrolled student') },
    '/v1/identify': {
      post: {
        ...imageOperation('Open-set lookup: top-k enrolled students; match null ("not enrolled") below the calibrated threshold', 'IdentifyRequest', 'IdentifyResponse').post,
      },
    },
  };
}
