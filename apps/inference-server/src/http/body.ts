import type { IncomingMessage } from 'node:http';
import type { HttpBindings } from '@hono/node-server';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit as honoBodyLimit } from 'hono/body-limit';
import { UserError } from '@sig/shared';

// Request bodies: their size limit and their bytes. Behind @hono/node-server, touching `c.req.raw.body` or
// calling `c.req.arrayBuffer()` first builds a full WHATWG Request (an AbortController, a web ReadableStream
// over the socket stream, undici's body machinery): at a thousand requests a second that was a sixth of the
// event loop. A body with a Content-Length is therefore checked by its header and read straight from Node's
// IncomingMessage into one buffer of that length. Chunked bodies, and requests that do not come from the
// Node server (tests' app.request), take Hono's path, where its body-limit middleware counts the bytes as
// they stream.

/** Bodies over `maxSize` bytes go to `onError` (Hono's bodyLimit, with a fast path for a Content-Length). */
export function bodyLimit(options: { maxSize: number; onError: (c: Context) => Response | Promise<Response> }): MiddlewareHandler {
  const streamed = honoBodyLimit(options);
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const length = declaredLength(c);
    if (length === undefined) return streamed(c, next);
    return length > options.maxSize ? options.onError(c) : next();
  };
}

/** A header's byte count: a non-negative safe integer written in digits, else undefined. */
export function byteCount(value: string | undefined): number | undefined {
  const s = value?.trim();
  if (!s || !/^\d+$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The body's length from its Content-Length, unless the body is chunked (then only streaming counts it). */
function declaredLength(c: Context): number | undefined {
  return c.req.header('transfer-encoding') === undefined ? byteCount(c.req.header('content-length')) : undefined;
}

/**
 * The whole body; read it once per request. `alignAt`: a byte offset that should start on an 8-byte boundary
 * of the underlying buffer (where binary tensors begin), so typed arrays can view the bytes without a copy.
 */
export async function readBody(c: Context, alignAt = 0): Promise<Uint8Array> {
  // The Node server's bindings, when the request came through it (server.ts passes them on as the app's env).
  const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
  const length = declaredLength(c);
  if (incoming && !incoming.readableDidRead && length !== undefined) return readIncoming(incoming, length, alignAt);
  return new Uint8Array(await c.req.arrayBuffer());
}

function readIncoming(incoming: IncomingMessage, length: number, alignAt: number): Promise<Uint8Array> {
  const pad = (8 - (alignAt % 8)) % 8;
  const body = new Uint8Array(new ArrayBuffer(length + pad), pad, length);
  let at = 0;
  return new Promise((resolve, reject) => {
    const fail = (message: string) => {
      cleanup();
      reject(new UserError(message));
    };
    const onData = (chunk: Buffer) => {
      // Node's HTTP parser stops at Content-Length, so this only guards against a broken peer.
      if (at + chunk.length > length) return fail(`request body is longer than its Content-Length (${length})`);
      body.set(chunk, at);
      at += chunk.length;
    };
    const onEnd = () => {
      cleanup();
      if (at !== length) reject(new UserError(`request body ended after ${at} of ${length} bytes`));
      else resolve(body);
    };
    const onError = () => fail(`request body ended after ${at} of ${length} bytes`);
    const cleanup = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('aborted', onError);
    };
    incoming.on('data', onData);
    incoming.once('end', onEnd);
    incoming.once('error', onError);
    incoming.once('aborted', onError);
  });
}
