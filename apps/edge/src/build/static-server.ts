// A minimal static file server on loopback for the edge bundle (tests, benchmark, trying the page by hand):
// any static host works; this one can add the COOP/COEP headers that enable multi-threaded wasm.
//   npx tsx apps/edge/src/build/static-server.ts [dir] [--port 8081] [--no-isolation]
import { createServer, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EDGE_HEADERS, pageDir } from '../index.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.png': 'image/png',
};

export interface StaticServer {
  url: string;
  server: Server;
  /** Bytes sent so far (response bodies), for download-size accounting. */
  bytesSent(): number;
  close(): Promise<void>;
}

/** Serves `dir` on 127.0.0.1 (port 0 = any free one); `isolate` adds the cross-origin isolation headers. */
export async function serveStatic(dir: string, opts: { port?: number; isolate?: boolean } = {}): Promise<StaticServer> {
  const root = resolve(dir);
  let sent = 0;
  const server = createServer(async (req, res) => {
    try {
      const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      let file = normalize(join(root, pathname));
      if (file !== root && !file.startsWith(root + sep)) throw new Error('outside');
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      const headers: Record<string, string> = {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Content-Length': String(body.length),
        'Cache-Control': 'no-cache',
      };
      if (opts.isolate !== false) Object.assign(headers, EDGE_HEADERS);
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
      if (req.method !== 'HEAD') sent += body.length;
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    }
  });
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(opts.port ?? 0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    server,
    bytesSent: () => sent,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const portAt = args.indexOf('--port');
  const dir = args.find((a, i) => !a.startsWith('--') && i !== portAt + 1) ?? pageDir();
  const s = await serveStatic(dir, { port: portAt >= 0 ? Number(args[portAt + 1]) : 8081, isolate: !args.includes('--no-isolation') });
  console.log(`serving ${dir} at ${s.url}`);
}
