import { Hono } from 'hono';
import { GenerateRequest } from '@sig/shared';
import type { AppDeps } from '../deps.ts';
import { readJsonRequest } from '../http/image-request.ts';

/** POST /v1/generate: student ID, count, seed → PNG signatures (base64). */
export function generateRoutes({ service }: AppDeps): Hono {
  const app = new Hono();
  app.post('/v1/generate', async (c) => {
    const req = await readJsonRequest(c, GenerateRequest);
    return c.json(await service.generate(req));
  });
  return app;
}
