import { Hono } from 'hono';
import type { AppDeps } from '../deps.ts';
import { openApiDocument } from '../openapi.ts';

/** GET /metrics (Prometheus text) and GET /openapi.json. */
export function metaRoutes({ metrics }: AppDeps): Hono {
  const app = new Hono();
  const doc = openApiDocument('0.1.0');
  app.get('/metrics', async (c) => {
    c.header('Content-Type', metrics.registry.contentType);
    return c.body(await metrics.registry.metrics());
  });
  app.get('/openapi.json', (c) => c.json(doc));
  return app;
}
