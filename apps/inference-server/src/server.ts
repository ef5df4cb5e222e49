import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { parseConfig, type ServerConfig, type ServerConfigInput } from './config.ts';

/** Settings as given: typed (tests, code) or raw from flags and environment (validated by parseConfig). */
export type ServerSettings = ServerConfigInput | Partial<Record<keyof ServerConfig, unknown>>;
import { createApp } from './app.ts';
import { ensureEdgeBundle } from './edge-bundle.ts';
import { refuseOversizedBodies } from './http/oversized-body.ts';
import { consoleLogger, type Logger } from './log.ts';
import { ServerMetrics } from './metrics.ts';
import { InferencePool } from './models/inference-thread.ts';
import { ModelRegistry, NodeTensor } from './models/registry.ts';
import { OnnxSessionFactory } from './models/session-factory.ts';
import { PreprocessPool } from './preprocess/pool.ts';
import { SignatureService, poolPreparer, registryModels } from './signature-service.ts';
import { GalleryHost } from './gallery/host.ts';

/** A listening server. */
export interface RunningServer {
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  port: number;
  config: ServerConfig;
  registry: ModelRegistry;
  metrics: ServerMetrics;
  /** Graceful shutdown: stop accepting, finish requests in flight (up to shutdownTimeoutMs), release sessions. */
  close(): Promise<void>;
}

/** Loads the models and starts listening. Throws UserError for a bad config or a missing/empty manifest. */
export async function startServer(input: ServerSettings, opts: { log?: Logger } = {}): Promise<RunningServer> {
  const log = opts.log ?? consoleLogger;
  const config = parseConfig(input);
  const metrics = new ServerMetrics();
  const factory = new OnnxSessionFactory(config, log);
  const inference = new InferencePool(config.inferenceThreads, NodeTensor, log, config.inferenceNice);
  const registry = await ModelRegistry.load(
    config.modelsDir,
    factory,
    {
      batching: { maxBatchSize: config.maxBatchSize, maxWaitMs: config.maxWaitMs, maxQueue: config.maxQueue },
      inference,
      hooks: (m) => metrics.batcherHooks(m),
    },
    log,
  );
  for (const m of registry.list()) metrics.modelProvider.set({ model: m.entry.name, provider: m.provider }, 1);
  if (registry.list().length === 0) log('error', `no model could be loaded from ${registry.dir}; serving health and metadata only`);
  const state = { draining: false };
  const pool = new PreprocessPool(config.preprocessThreads, log);
  const service = new SignatureService(registry, pool, { maxPixels: config.maxPixels }, log);
  // The pool moves (detaches) the bytes it is given; the gallery stores each reference's bytes after preprocessing,
  // so it hands the pool a copy.
  const poolPrepare = poolPreparer(pool, config.maxPixels, log);
  const gallery = new GalleryHost(registryModels(registry), (bytes, configs) => poolPrepare(new Uint8Array(bytes), configs), config, log);
  await gallery.start();
  const app = createApp({ config, registry, service, gallery, metrics, log, state });

  let inFlight = 0;
  let idle: (() => void) | null = null;
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({
      fetch: async (req, env) => {
        inFlight++;
        try {
          return await app.fetch(req, env);
        } finally {
          inFlight--;
          if (inFlight === 0) idle?.();
        }
      },
      hostname: config.host,
      port: config.port,
    }) as Server;
    refuseOversizedBodies(s, config.bodyLimitBytes, () => {
      metrics.requests.inc({ route: 'body-limit', method: 'POST', status: '413' });
      metrics.errors.inc({ route: 'body-limit', status: '413' });
    });
    s.once('listening', () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  log('info', `listening on http://${config.host}:${port} (${registry.list().length} model(s); OpenAPI at /openapi.json)`);

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      state.draining = true;
      registry.hurry();
      log('info', `shutting down: draining ${inFlight} request(s) in flight`);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => (idle = resolve)),
          new Promise<void>((resolve) => setTimeout(resolve, config.shutdownTimeoutMs).unref()),
        ]);
      }
      await gallery.close();
      await registry.close();
      await inference.close();
      await pool.close();
      server.closeAllConnections();
      await closed;
      log('info', 'stopped');
    })());

  return { url: `http://${host}:${port}`, port, config, registry, metrics, close };
}

/** Builds the page if missing, starts the server and shuts it down gracefully on SIGTERM or SIGINT (the `sig serve` entry point). */
export async function runServer(input: ServerSettings): Promise<RunningServer> {
  await ensureEdgeBundle(parseConfig(input).edgeDir, consoleLogger);
  const running = await startServer(input);
  const stop = (signal: string) => {
    consoleLogger('info', `${signal} received`);
    running.close().then(
      () => process.exit(0),
      (err) => {
        consoleLogger('error', `shutdown failed: ${String(err)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  return running;
}
