import type { Context } from 'hono';
import { z } from 'zod';
import { isNoSignatureError, isUserError } from '@sig/shared';
import { ClosedError, OverloadedError } from '../batching/micro-batcher.ts';
import { StoreUnavailableError } from '../gallery/sql.ts';
import type { Logger } from '../log.ts';

/** The JSON `{ error }` response for anything a handler throws: 4xx for the client's mistakes, 503 when overloaded. */
export function errorResponse(c: Context, err: unknown, opts: { retryAfterSeconds: number; log: Logger }): Response {
  if (err instanceof z.ZodError) {
    const issue = err.issues[0];
    const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    return c.json({ error: `invalid request: ${where}${issue.message}` }, 400);
  }
  // No single signature in the image (blank, a whole form, several): 422 with the reason's code.
  if (isNoSignatureError(err)) return c.json({ error: err.message, reason: err.reason }, 422);
  if (isUserError(err)) {
    // 415 is answered without reading the body: the connection cannot carry another request.
    if (err.status === 415) c.header('Connection', 'close');
    return c.json({ error: err.message }, err.status as 400);
  }
  if (err instanceof OverloadedError || err instanceof ClosedError) {
    c.header('Retry-After', String(opts.retryAfterSeconds));
    return c.json({ error: `server busy: ${err.message}; retry later` }, 503);
  }
  if (err instanceof StoreUnavailableError) {
    opts.log('warn', err.message);
    c.header('Retry-After', String(opts.retryAfterSeconds));
    return c.json({ error: `${err.message}; retry later` }, 503);
  }
  const e = err as { status?: number; message?: string };
  // Hono's own HTTPExceptions (e.g. a malformed multipart body) carry a 4xx status.
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return c.json({ error: e.message || 'bad request' }, e.status as 400);
  }
  opts.log('error', `internal error on ${c.req.method} ${c.req.path}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return c.json({ error: 'internal error' }, 500);
}
