import type { Context } from 'hono';
import { z } from 'zod';
import { UserError } from '@sig/shared';
import { readBody } from './body.ts';

/** A parsed image request: the validated fields (without the image) and the image's encoded bytes. */
export interface ImageRequest<T> {
  fields: T;
  image: Uint8Array;
}

type ObjectWithImage = z.ZodObject<{ image: z.ZodString } & z.ZodRawShape>;

/**
 * Reads a request that carries an image: JSON with the image as base64 (or a data: URL), or multipart
 * form data with the image as a file part named `image` and the other fields as text parts.
 */
export async function readImageRequest<S extends ObjectWithImage>(c: Context, schema: S): Promise<ImageRequest<Omit<z.infer<S>, 'image'>>> {
  const type = contentType(c);
  if (type === 'application/json') {
    const body = await readJson(c);
    const { image, ...fields } = schema.parse(body) as Record<string, unknown>;
    return { fields: fields as unknown as Omit<z.infer<S>, 'image'>, image: decodeBase64(image as string) };
  }
  if (type === 'multipart/form-data') {
    let form: Record<string, string | File>;
    try {
      form = (await c.req.parseBody()) as Record<string, string | File>;
    } catch {
      throw new UserError('malformed multipart/form-data body');
    }
    const file = form.image;
    if (file === undefined) throw new UserError('multipart request has no "image" part');
    const image = typeof file === 'string' ? decodeBase64(file) : new Uint8Array(await file.arrayBuffer());
    const rest = schema.omit({ image: true } as never);
    const fields = rest.parse(coerceFormFields(rest, form)) as unknown as Omit<z.infer<S>, 'image'>;
    return { fields, image };
  }
  throw new UserError(`unsupported content type '${type || '(none)'}': send application/json or multipart/form-data`, 415);
}

/** Reads a JSON body validated by `schema`; other content types are 415, unparsable JSON is 400. */
export async function readJsonRequest<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const type = contentType(c);
  if (type !== 'application/json') throw new UserError(`unsupported content type '${type || '(none)'}': send application/json`, 415);
  return schema.parse(await readJson(c));
}

function contentType(c: Context): string {
  return (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
}

async function readJson(c: Context): Promise<unknown> {
  const body = await readBody(c);
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new UserError('invalid JSON body');
  }
}

/** Base64 (standard or URL-safe, whitespace allowed) or a `data:` URL → bytes; anything else is a 400. */
export function decodeBase64(text: string): Uint8Array {
  const s = text.replace(/^data:[^,]*;base64,/, '').replace(/\s+/g, '');
  if (s.length === 0 || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(s)) throw new UserError('image is not valid base64');
  const bytes = Buffer.from(s, 'base64');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** Form fields arrive as text: numbers and booleans are converted where the schema expects them. */
function coerceFormFields(schema: z.ZodObject, form: Record<string, string | File>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(form)) {
    if (typeof value !== 'string') continue;
    const field = schema.shape[key] as z.ZodType | undefined;
    const kind = field ? baseType(field) : 'unknown';
    const trimmed = value.trim();
    if (kind === 'number' && trimmed !== '' && Number.isFinite(Number(trimmed))) out[key] = Number(trimmed);
    else if (kind === 'boolean' && (trimmed === 'true' || trimmed === 'false')) out[key] = trimmed === 'true';
    else out[key] = value;
  }
  return out;
}

function baseType(t: z.ZodType): string {
  let def = t.def as { type: string; innerType?: z.ZodType };
  while ((def.type === 'optional' || def.type === 'default' || def.type === 'nullable') && def.innerType) {
    def = def.innerType.def as typeof def;
  }
  return def.type;
}
