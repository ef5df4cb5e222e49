import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { pageDir } from '@sig/edge';
import { readSettings, setting, UserError } from '@sig/shared';
import { PROVIDER_NAMES } from './models/execution-providers.ts';

/**
 * Everything the server can be told, in one typed object. Each field's flag (`sig serve --…`), SIG_*
 * environment variable, help line and default are written here once; `serverConfigFrom` reads them.
 */
export const ServerConfig = z.object({
  modelsDir: setting(z.string().min(1).default('models'), { flag: 'models', arg: 'dir', env: 'SIG_MODELS', help: 'folder with manifest.json and the .onnx files it lists' }),
  host: setting(z.string().min(1).default('0.0.0.0'), { flag: 'host', arg: 'addr', env: 'SIG_HOST', help: 'address to listen on' }),
  port: setting(z.number().int().min(0).max(65535).default(8080), { flag: 'port', arg: 'n', env: 'SIG_PORT', help: 'port, 0 for any free one' }),
  /**
   * Tried in order; a provider that cannot load falls back to the next. 'auto' (alone): CUDA when its
   * provider library is installed, WebGPU on a hardware adapter (never a software one), then CPU. Naming
   * webgpu forces it whatever the adapter (src/models/execution-providers.ts).
   */
  executionProviders: setting(
    z
      .array(z.enum(PROVIDER_NAMES))
      .min(1)
      .refine((l) => !l.includes('auto') || l.length === 1, "'auto' stands alone")
      .default(['auto']),
    {
      flag: 'providers',
      arg: 'list',
      env: 'SIG_EXECUTION_PROVIDERS',
      help: 'execution providers in order of preference, comma-separated; auto = cuda when installed, webgpu on a hardware adapter, then cpu',
    },
  ),
  graphOptimization: setting(z.enum(['disabled', 'basic', 'extended', 'all']).default('all'), { flag: 'graph-optimization', arg: 'level', env: 'SIG_GRAPH_OPTIMIZATION', help: 'onnxruntime graph optimisation level' }),
  intraOpThreads: setting(z.number().int().min(0).default(0), { flag: 'intra-op-threads', arg: 'n', env: 'SIG_INTRA_OP_THREADS', help: "threads within one operator, 0 = onnxruntime's default (one per core)" }),
  interOpThreads: setting(z.number().int().min(0).default(0), { flag: 'inter-op-threads', arg: 'n', env: 'SIG_INTER_OP_THREADS', help: "threads across independent operators, 0 = onnxruntime's default" }),
  /**
   * Off by default: the cores are shared with preprocessing and the event loop, and spinning threads take
   * CPU time they need.
   */
  allowSpinning: setting(z.boolean().default(false), { flag: 'allow-spinning', env: 'SIG_ALLOW_SPINNING', help: "let onnxruntime's idle threads spin waiting for work; off by default, the cores are shared" }),
  /**
   * Each thread has its own sessions and runs one batch at a time (0: batches run on the event loop's
   * thread, which onnxruntime-node blocks for the whole batch). With threads, a session's intra-op threads
   * default to cores / inference threads (at least 1). Default 2 (1 on one core): two half-size batches
   * side by side rather than one batch split across the cores, whose threads wait on each other whenever a
   * core is taken by preprocessing or HTTP.
   */
  inferenceThreads: setting(z.number().int().min(0).max(16).default(Math.min(2, availableParallelism())), {
    flag: 'inference-threads',
    arg: 'n',
    env: 'SIG_INFERENCE_THREADS',
    help: 'worker threads running onnxruntime, one batch each at a time, 0 = on the event loop',
    defaultText: '2, 1 on one core',
  }),
  /** So decoding, preprocessing and HTTP, which feed the batches, are not starved by inference on few cores. */
  inferenceNice: setting(z.number().int().min(0).max(19).default(5), { flag: 'inference-nice', arg: 'n', env: 'SIG_INFERENCE_NICE', help: 'nice steps the inference threads run below the rest of the server (Linux), 0 = same priority' }),
  preprocessThreads: setting(z.number().int().min(0).max(64).default(Math.max(1, Math.min(4, availableParallelism() - 1))), {
    flag: 'preprocess-threads',
    arg: 'n',
    env: 'SIG_PREPROCESS_THREADS',
    help: 'worker threads decoding and preprocessing uploads, 0 = on the event loop',
    defaultText: 'cores − 1, 1 to 4',
  }),
  /**
   * Each inference thread runs one batch at a time on its own core; past ~8 images a batch's activations
   * outgrow the caches (a 64-channel 64×128 layer is 2 MiB per image), and the reference classifier costs
   * ~10 % more CPU per image at 32 than at 8 in the server (docs/benchmarks.md). Unset: per model, by the
   * provider it runs on (8 on CPU, 32 on a GPU: defaultMaxBatch in src/models/execution-providers.ts).
   */
  maxBatchSize: setting(z.number().int().min(1).max(1024).optional(), {
    flag: 'max-batch',
    arg: 'n',
    env: 'SIG_MAX_BATCH',
    help: 'most images (rows) per micro-batch',
    defaultText: '8 on cpu, 32 on a GPU provider',
  }),
  maxWaitMs: setting(z.number().min(0).max(10_000).default(2), { flag: 'max-wait-ms', arg: 'ms', env: 'SIG_MAX_WAIT_MS', help: 'longest a request waits for others to join its batch' }),
  maxQueue: setting(z.number().int().min(1).default(256), { flag: 'max-queue', arg: 'n', env: 'SIG_MAX_QUEUE', help: 'most images waiting per model; past it requests get 503 with Retry-After' }),
  retryAfterSeconds: z.number().int().min(1).default(1),
  bodyLimitBytes: setting(z.number().int().positive().default(10 * 1024 * 1024), { flag: 'body-limit', arg: 'bytes', env: 'SIG_BODY_LIMIT', help: 'largest request body', defaultText: '10 MiB' }),
  maxPixels: setting(z.number().int().positive().default(40_000_000), { flag: 'max-pixels', arg: 'n', env: 'SIG_MAX_PIXELS', help: 'largest decoded image, width × height', defaultText: '40e6' }),
  /** How long shutdown waits for requests in flight. */
  shutdownTimeoutMs: z.number().int().min(0).default(10_000),
  edgeDir: setting(z.string().default(pageDir()), { env: 'SIG_EDGE_DIR', help: 'the built browser page served at /edge', defaultText: "@sig/edge's pageDir()" }),
  // --- enrolment gallery (src/gallery/) ---
  galleryDataDir: setting(z.string().min(1).default('data/gallery'), { flag: 'data-dir', arg: 'dir', env: 'SIG_DATA_DIR', help: 'folder of the embedded gallery database (PGlite), used unless a database URL is set' }),
  databaseUrl: setting(z.string().optional(), {
    flag: 'database-url',
    arg: 'url',
    env: 'DATABASE_URL',
    help: 'postgres://… : keep the gallery on this PostgreSQL server instead (several server processes share it)',
  }),
  /** Bearer token that gallery writes need; without one, writes are accepted from loopback only. Never a flag (process lists show flags). */
  adminToken: setting(z.string().min(1).optional(), { env: 'SIG_ADMIN_TOKEN', help: 'bearer token gallery writes need; without one, writes only from loopback' }),
  galleryMaxReferencesPerStudent: setting(z.number().int().min(1).default(32), { env: 'SIG_GALLERY_MAX_REFERENCES_PER_STUDENT', help: 'most reference signatures per student (more answer 409)' }),
  galleryMaxReferences: setting(z.number().int().min(1).default(1_000_000), { env: 'SIG_GALLERY_MAX_REFERENCES', help: 'most reference signatures in the whole gallery (more answer 409)' }),
  galleryAutoReembed: setting(z.boolean().default(true), { env: 'SIG_GALLERY_AUTO_REEMBED', help: 'at start, embed again in the background the references stored by another embedding model version' }),
});
export type ServerConfig = z.infer<typeof ServerConfig>;
export type ServerConfigInput = z.input<typeof ServerConfig>;

/** The config from command-line flags (by config key, as typed) and SIG_* variables; flags win. */
export function serverConfigFrom(sources: { flags?: Record<string, unknown>; env?: Record<string, string | undefined> }): ServerConfig {
  return readSettings(ServerConfig, { ...sources, env: sources.env && serverConfigEnv(sources.env) });
}

/** `env` with PORT, the platform convention (Heroku, Cloud Run, ...), read as SIG_PORT; SIG_PORT wins when both are set. */
export function serverConfigEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  return env.PORT !== undefined && env.PORT !== '' && !env.SIG_PORT ? { ...env, SIG_PORT: env.PORT } : env;
}

/** Validates a typed config (code, tests); errors name the offending setting. */
export function parseConfig(input: unknown): ServerConfig {
  const r = ServerConfig.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new UserError(`invalid server setting ${issue.path.join('.') || '(config)'}: ${issue.message}`);
}
