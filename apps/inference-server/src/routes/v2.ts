import { Hono } from 'hono';
import { UserError, V2InferRequest } from '@sig/shared';
import type { AppDeps } from '../deps.ts';
import { readJsonRequest } from '../http/image-request.ts';
import { inferFeeds, inferResponse, modelMetadata, requestedOutputs } from '../models/v2-tensors.ts';

const SERVER_NAME = 'sig-inference-server';
const SERVER_VERSION = '0.1.0';

/** Open Inference Protocol (KServe v2) REST: health, metadata, infer. */
export function v2Routes({ registry, state }: AppDeps): Hono {
  const app = new Hono();
  const model = (name: string) => {
    const m = registry.get(name);
    if (!m) throw new UserError(`unknown model '${name}'`, 404);
    return m;
  };

  app.get('/v2', (c) => c.json({ name: SERVER_NAME, version: SERVER_VERSION, extensions: [] }));
  app.get('/v2/health/live', (c) => c.json({ live: true }));
  app.get('/v2/health/ready', (c) => {
    const ready = !state.draining && registry.list().length > 0;
    return c.json({ ready }, ready ? 200 : 503);
  });
  app.get('/v2/models/:name', (c) => c.json(modelMetadata(model(c.req.param('name')))));
  app.get('/v2/models/:name/ready', (c) => {
    const m = model(c.req.param('name'));
    const ready = !state.draining;
    return c.json({ name: m.entry.name, ready }, ready ? 200 : 503);
  });
  app.post('/v2/models/:name/infer', async (c) => {
    const m = model(c.req.param('name'));
    const req = await readJsonRequest(c, V2InferRequest);
    const feeds = inferFeeds(m.entry, req);
    const names = requestedOutputs(m.entry, req);
    const out = await m.runner.run(feeds);
    return c.json(inferResponse(m.entry, req, names, out));
  });
  return app;
}
