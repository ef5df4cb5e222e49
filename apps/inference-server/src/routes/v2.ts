import { Hono } from 'hono';
import { UserError, answeredBy, type V2ModelList } from '@sig/shared';
import type { AppDeps } from '../deps.ts';
import { HEADER_LENGTH, readInferBody } from '../http/v2-binary.ts';
import { inferFeeds, inferResponse, modelMetadata, requestedOutputs } from '../models/v2-tensors.ts';

const SERVER_NAME = 'sig-inference-server';
const SERVER_VERSION = '0.1.0';

/** Open Inference Protocol (KServe v2) REST: health, metadata, infer; the model list (Triton's repository index, GET /v2/models). */
export function v2Routes({ registry, state }: AppDeps): Hono {
  const app = new Hono();
  const model = (name: string) => {
    const m = registry.get(name);
    if (!m) throw new UserError(`unknown model '${name}'`, 404);
    return m;
  };

  app.get('/v2', (c) => c.json({ name: SERVER_NAME, version: SERVER_VERSION, extensions: ['binary_tensor_data'] }));
  app.get('/v2/health/live', (c) => c.json({ live: true }));
  app.get('/v2/health/ready', (c) => {
    const ready = !state.draining && registry.list().length > 0;
    return c.json({ ready }, ready ? 200 : 503);
  });
  // Triton's model repository extension: every model this server has, loaded or refused.
  app.post('/v2/repository/index', (c) =>
    c.json([
      ...registry.list().map((m) => ({ name: m.entry.name, version: m.entry.version, state: 'READY' as const, reason: '' })),
      ...registry.refused.map((r) => ({ name: r.name, version: '', state: 'UNAVAILABLE' as const, reason: r.reason })),
    ]),
  );
  app.get('/v2/models', (c) => {
    const body: V2ModelList = {
      models: registry.list().map((m) => {
        const { model: _name, ...about } = answeredBy(m.entry);
        return { name: m.entry.name, version: m.entry.version, ...about, executionProvider: m.provider };
      }),
    };
    return c.json(body);
  });
  app.get('/v2/models/:name', (c) => c.json(modelMetadata(model(c.req.param('name')))));
  app.get('/v2/models/:name/ready', (c) => {
    const m = model(c.req.param('name'));
    const ready = !state.draining;
    return c.json({ name: m.entry.name, ready }, ready ? 200 : 503);
  });
  app.post('/v2/models/:name/infer', async (c) => {
    const m = model(c.req.param('name'));
    const { req, binary } = await readInferBody(c);
    const feeds = inferFeeds(m.entry, req, binary);
    const names = requestedOutputs(m.entry, req);
    const reply = inferResponse(m.entry, req, names, await m.runner.run(feeds));
    if (reply.binary.length === 0) return c.json(reply.json);
    const head = Buffer.from(JSON.stringify(reply.json));
    return c.body(Buffer.concat([head, ...reply.binary]), 200, { 'content-type': 'application/octet-stream', [HEADER_LENGTH]: String(head.length) });
  });
  return app;
}
