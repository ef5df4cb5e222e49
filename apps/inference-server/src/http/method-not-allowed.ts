import type { Context, Hono } from 'hono';

// A request whose path is a route, but not for its method, gets 405 with an `Allow` header (RFC 9110 §15.5.6)
// instead of the 404 Hono gives every unmatched request.

/** The methods `app` routes for `path` (HEAD wherever GET is), or none when the path is no route at all. */
export function allowedMethods(app: Hono, path: string): string[] {
  const methods = new Set<string>();
  for (const r of app.routes) {
    // Middleware is registered as ALL; it says nothing about which methods a path serves.
    if (r.method === 'ALL' || !routePattern(r.path).test(path)) continue;
    methods.add(r.method);
    if (r.method === 'GET') methods.add('HEAD');
  }
  return [...methods].sort();
}

/** 405 with `Allow` when the path has routes for other methods; undefined when it is no route (→ 404). */
export function methodNotAllowed(app: Hono, c: Context): Response | undefined {
  const allow = allowedMethods(app, c.req.path);
  if (allow.length === 0 || allow.includes(c.req.method)) return undefined;
  c.header('Allow', allow.join(', '));
  return c.json({ error: `${c.req.method} is not allowed on ${c.req.path}; use ${allow.join(', ')}` }, 405);
}

const patterns = new Map<string, RegExp>();

/** A Hono route path (`/v2/models/:name/infer`, `/edge/*`) as an anchored regular expression. */
function routePattern(path: string): RegExp {
  let re = patterns.get(path);
  if (!re) {
    const body = path
      .split('/')
      .map((seg) => (seg === '*' ? '.*' : seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    re = new RegExp(`^${body}/?$`);
    patterns.set(path, re);
  }
  return re;
}
