import type { Context } from 'hono';
import { UserError, V2InferRequest } from '@sig/shared';
import { byteCount, readBody } from './body.ts';
import { readJsonRequest } from './image-request.ts';

// The Open Inference Protocol's binary tensor data extension (as in Triton and KServe): the body is the
// JSON request (its length in the Inference-Header-Content-Length header) followed by the raw tensor bytes,
// little-endian, row-major, in the order of the inputs that carry `parameters.binary_data_size`. No JSON
// number parsing and no base64: a 64×128 image is 32 KiB of float32 instead of ~80 KB of text.

export const HEADER_LENGTH = 'inference-header-content-length';

/** A v2 infer request and, for binary inputs, their bytes by input name. */
export interface V2Body {
  req: V2InferRequest;
  binary: Map<string, Uint8Array>;
}

/** Reads a JSON infer request, or a binary one when the Inference-Header-Content-Length header is set. */
export async function readInferBody(c: Context): Promise<V2Body> {
  const header = c.req.header(HEADER_LENGTH);
  if (header === undefined) {
    const req = await readJsonRequest(c, V2InferRequest);
    const binaryInput = req.inputs.find((i) => i.parameters?.binary_data_size !== undefined);
    if (binaryInput) throw new UserError(`input ${binaryInput.name} has binary_data_size but the request has no ${HEADER_LENGTH} header`);
    return { req, binary: new Map() };
  }
  const jsonLength = byteCount(header);
  const body = await readBody(c, jsonLength ?? 0);
  if (jsonLength === undefined || jsonLength > body.length) {
    throw new UserError(`${HEADER_LENGTH} must be the JSON header's length in bytes (0 to ${body.length}), got '${header}'`);
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(body.subarray(0, jsonLength)));
  } catch {
    throw new UserError('invalid JSON in the binary request header');
  }
  const req = V2InferRequest.parse(json);
  const binary = new Map<string, Uint8Array>();
  let offset = jsonLength;
  for (const input of req.inputs) {
    const size = input.parameters?.binary_data_size;
    if (size === undefined) continue;
    if (offset + size > body.length) throw new UserError(`input ${input.name}: binary_data_size ${size} runs past the end of the body`);
    binary.set(input.name, body.subarray(offset, offset + size));
    offset += size;
  }
  if (offset !== body.length) throw new UserError(`the body has ${body.length - offset} bytes after the last binary input`);
  return { req, binary };
}

/** Whether the client asked for output `name` as binary data (per output, else the request-wide flag). */
export function wantsBinaryOutput(req: V2InferRequest, name: string): boolean {
  const own = req.outputs?.find((o) => o.name === name)?.parameters?.binary_data;
  return own ?? req.parameters?.binary_data_output ?? false;
}

/** The bytes of a typed array as the extension sends them (little-endian). */
export function littleEndianBytes(data: ArrayBufferView & { BYTES_PER_ELEMENT: number }): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return LITTLE_ENDIAN ? bytes : swapped(bytes, data.BYTES_PER_ELEMENT);
}

/**
 * Binary tensor bytes (little-endian) as a typed array of `count` elements: a view of the same memory where the
 * machine is little-endian and the bytes are aligned (readBody aligns the first tensor), else an aligned copy.
 */
export function fromLittleEndian<T extends Float32Array | Int32Array | BigInt64Array>(
  bytes: Uint8Array,
  Ctor: { new (n: number): T; new (buffer: ArrayBuffer, byteOffset: number, length: number): T; BYTES_PER_ELEMENT: number },
  count: number,
): T {
  if (LITTLE_ENDIAN && bytes.byteOffset % Ctor.BYTES_PER_ELEMENT === 0) return new Ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset, count);
  const out = new Ctor(count);
  new Uint8Array(out.buffer).set(LITTLE_ENDIAN ? bytes : swapped(bytes, Ctor.BYTES_PER_ELEMENT));
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function swapped(bytes: Uint8Array, width: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += width) for (let k = 0; k < width; k++) out[i + k] = bytes[i + width - 1 - k];
  return out;
}
