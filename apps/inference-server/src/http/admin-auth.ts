import { createHash, timingSafeEqual } from 'node:crypto';
import type { HttpBindings } from '@hono/node-server';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../log.ts';

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.replace(/^::ffff:/, '');
  return a === '::1' || /^127\./.test(a);
}

/** Equal-time comparison of two secrets (hashed first, so their lengths leak nothing either). */
function sameSecret(a: string, b: string): boolean {
  const h = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(a), h(b));
}

/**
 * Guards writes: with a token, `Authorization: Bearer <token>` is required (401 without one, 403 with a
 * wrong one); without a token, only loopback clients may write (403 otherwise), which start-up logs.
 */
export function adminAuth(token: string | undefined, log: Logger): MiddlewareHandler {
  if (!token) log('info', 'gallery writes: no SIG_ADMIN_TOKEN set; accepted from loopback clients only');
  return async (c, next) => {
    if (token) {
      const header = c.req.header('authorization') ?? '';
      const m = /^Bearer\s+(.+)$/i.exec(header.trim());
      if (!m) {
        c.header('WWW-Authenticate', 'Bearer realm="sig-gallery"');
        return c.json({ error: 'gallery writes need Authorization: Bearer <SIG_ADMIN_TOKEN>' }, 401);
      }
      if (!sameSecret(m[1], token)) return c.json({ error: 'wrong admin token' }, 403);
      return next();
    }
    const remote = (c.env as Partial<HttpBindings> | undefined)?.incoming?.socket?.remoteAddress;
    if (!isLoopback(remote)) return c.json({ error: 'gallery writes from other hosts need SIG_ADMIN_TOKEN set on the server' }, 403);
    return next();
  };
}
