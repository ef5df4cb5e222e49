import { Hono } from 'hono';
import type { AppDeps } from './deps.ts';
import { bodyLimit } from './http/body.ts';
import { errorResponse } from './http/errors.ts';
import { methodNotAllowed } from './http/method-not-allowed.ts';
import { edgeRoutes } from './routes/edge.ts';
import { galleryRoutes } from './routes/gallery.ts';
import { generateRoutes } from './routes/generate.ts';
import { lookupRoutes } from './routes/lookup.ts';
import { metaRoutes } from './routes/meta.ts';
import { v2Routes } from './routes/v2.ts';

/** The Hono app: metrics and limits around the route groups; every error becomes `{ error }` JSON. */
export function createApp(deps: AppDeps): Hono {
  const { config, metrics, log, state } = deps;
  const app = new Hono();

  app.use('*', async (c, next) => {
    const start = performance.now();
    await next();
    const route = c.req.routePath && c.req.routePath !== '*' && c.req.routePath !== '/*' ? c.req.routePath : 'unmatched';
    const status = String(c.res.status);
    metrics.requests.inc({ route, method: c.req.method, status });
    metrics.latency.observe({ route }, (performance.now() - start) / 1000);
    if (c.res.status >= 400) metrics.errors.inc({ route, status });
  });

  // While draining, requests that still arrive on open connections are turned away (the load balancer retries).
  app.use('/v1/*', async (c, next) => {
    if (state.draining) {
      c.header('Retry-After', String(config.retryAfterSeconds));
      c.header('Connection', 'close');
      return c.json({ error: 'server is shutting down; retry later' }, 503);
    }
    await next();
  });

  app.use(
    '*',
    bodyLimit({
      maxSize: config.bodyLimitBytes,
      onError: (c) => {
        // The rest of the body is never read: the connection cannot carry another request.
        c.header('Connection', 'close');
        return c.json({ error: `request body over the ${config.bodyLimitBytes}-byte limit` }, 413);
      },
    }),
  );

  for (const routes of [lookupRoutes, galleryRoutes, generateRoutes, v2Routes, metaRoutes, edgeRoutes]) app.route('/', routes(deps));

  app.get('/', (c) => c.json({ name: 'sig-inference-server', openapi: '/openapi.json', models: deps.registry.list().map((m) => m.entry.name) }));
  app.notFound((c) => methodNotAllowed(app, c) ?? c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404));
  app.onError((err, c) => errorResponse(c, err, { retryAfterSeconds: config.retryAfterSeconds, log }));
  return app;
}
