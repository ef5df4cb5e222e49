import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { Hono } from 'hono';
import { EDGE_HEADERS } from '@sig/edge';
import type { AppDeps } from '../deps.ts';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
};

/**
 * GET /edge/*: the built browser bundle (@sig/edge pageDir(), apps/edge/dist by default), or a 404 JSON saying it is not built. A bundle
 * built without models gets this server's loaded models at /edge/models/ (manifest of the loaded ones only).
 */
export function edgeRoutes({ config, registry }: AppDeps): Hono {
  const app = new Hono();
  const root = normalize(config.edgeDir);
  app.get('/edge', (c) => c.redirect('/edge/', 301));
  app.get('/edge/*', async (c) => {
    let rel: string;
    try {
      rel = decodeURIComponent(c.req.path.slice('/edge/'.length)) || 'index.html';
    } catch {
      return c.json({ error: 'malformed path' }, 400);
    }
    const path = normalize(join(root, rel));
    if (path !== root && !path.startsWith(root.endsWith(sep) ? root : root + sep)) return c.json({ error: 'not found' }, 404);
    const info = await stat(path).catch(() => null);
    const file = info?.isDirectory() ? join(path, 'index.html') : path;
    let body: Uint8Array | null = await readFile(file).catch(() => null);
    if (!body && rel.startsWith('models/')) body = await serverModelFile(rel.slice('models/'.length));
    if (!body) {
      const built = await stat(join(root, 'index.html')).catch(() => null);
      return c.json({ error: built ? `not found: /edge/${rel}` : 'the browser bundle is not built (npm run build:edge)' }, 404);
    }
    for (const [k, v] of Object.entries(EDGE_HEADERS)) c.header(k, v);
    c.header('Content-Type', MIME[extname(file).toLowerCase()] ?? 'application/octet-stream');
    // The service worker and index must revalidate so a new build is picked up; the rest can be cached briefly.
    c.header('Cache-Control', /(?:index\.html|sw\.js)$/.test(file) ? 'no-cache' : 'public, max-age=300');
    return c.body(new Uint8Array(body));
  });

  /** The bytes of manifest.json (loaded models only) or of a loaded model's .onnx file. */
  async function serverModelFile(name: string): Promise<Uint8Array | null> {
    const loaded = registry.list();
    if (name === 'manifest.json') return new TextEncoder().encode(JSON.stringify({ schemaVersion: 1, models: loaded.map((m) => m.entry) }, null, 2));
    const m = loaded.find((x) => x.entry.file === name);
    return m ? readFile(join(registry.dir, m.entry.file)).catch(() => null) : null;
  }
  return app;
}
