import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { UserError } from '@sig/shared';
import { PROVIDER_NAMES } from './models/execution-providers.ts';

const DEFAULT_EDGE_DIR = fileURLToPath(new URL('../../edge/dist/', import.meta.url));

/** Everything the server can be told, in one typed object (CLI flags and SIG_* environment variables feed it). */
export const ServerConfig = z.object({
  /** Folder with manifest.json and the .onnx files it lists. */
  modelsDir: z.string().min(1).default('models'),
  host: z.string().min(1).default('0.0.0.0'),
  /** 0 picks a free port (tests). */
  port: z.number().int().min(0).max(65535).default(8080),
  /**
   * Tried in order; a provider that cannot load falls back to the next. 'auto' (alone): CUDA when its
   * provider library is installed, WebGPU on a hardware adapter (never a software one), then CPU. Naming
   * webgpu forces it whatever the adapter (src/models/execution-providers.ts).
   */
  executionProviders: z
    .array(z.enum(PROVIDER_NAMES))
    .min(1)
    .refine((l) => !l.includes('auto') || l.length === 1, "'auto' stands alone")
    .default(['auto']),
  graphOptimization: z.enum(['disabled', 'basic', 'extended', 'all']).default('all'),
  /** Threads inside one operator (0: onnxruntime's default, one per core). */
  intraOpThreads: z.number().int().min(0).default(0),
  /** Threads across independent operators (0: onnxruntime's default). */
  interOpThreads: z.number().int().min(0).default(0),
  /**
   * Let onnxruntime's idle threads spin waiting for work. Off by default: the cores are shared with
   * preprocessing and the event loop, and spinning threads take CPU time they need.
   */
  allowSpinning: z.boolean().default(false),
  /**
   * Worker threads that run onnxruntime, each with its own sessions and one batch at a time (0: batches run
   * on the event loop's thread, which onnxruntime-node blocks for the whole batch). With threads, a
   * session's intra-op threads default to cores / inference threads (at least 1). Default: 2 (1 on one
   * core): two half-size batches side by side rather than one batch split across the cores, whose threads
   * wait on each other whenever a core is taken by preprocessing or HTTP.
   */
  inferenceThreads: z.number().int().min(0).max(16).default(Math.min(2, availableParallelism())),
  /**
   * Nice steps the inference threads run below the rest of the server (Linux), so decoding, preprocessing
   * and HTTP, which feed the batches, are not starved by inference on few cores. 0 = same priority.
   */
  inferenceNice: z.number().int().min(0).max(19).default(5),
  /** Worker threads that decode and preprocess uploads (0: on the event loop). Default: cores − 1, 1 to 4. */
  preprocessThreads: z.number().int().min(0).max(64).default(Math.max(1, Math.min(4, availableParallelism() - 1))),
  /**
   * Most rows (images) per micro-batch. Each inference thread runs one batch at a time on its own core; past
   * ~8 images a batch's activations outgrow the caches (a 64-channel 64×128 layer is 2 MiB per image), and
   * the reference classifier costs ~10 % more CPU per image at 32 than at 8 in the server (docs/benchmarks.md).
   * Unset: per model, by the provider it runs on (8 on CPU, 32 on a GPU: {@link defaultMaxBatch}).
   */
  maxBatchSize: z.number().int().min(1).max(1024).optional(),
  /** Longest a request waits for others to join its batch. */
  maxWaitMs: z.number().min(0).max(10_000).default(2),
  /** Most rows waiting per model; past it requests get 503 with Retry-After. */
  maxQueue: z.number().int().min(1).default(256),
  retryAfterSeconds: z.number().int().min(1).default(1),
  /** Largest request body. */
  bodyLimitBytes: z.number().int().positive().default(10 * 1024 * 1024),
  /** Largest decoded image (width × height). */
  maxPixels: z.number().int().positive().default(40_000_000),
  /** How long shutdown waits for requests in flight. */
  shutdownTimeoutMs: z.number().int().min(0).default(10_000),
  /** The built browser bundle served at /edge. */
  edgeDir: z.string().default(DEFAULT_EDGE_DIR),
});
export type ServerConfig = z.infer<typeof ServerConfig>;
export type ServerConfigInput = z.input<typeof ServerConfig>;

/** SIG_* environment variables and the config keys they set. */
export const ENV_VARS: Record<string, { key: keyof ServerConfig; type: 'string' | 'number' | 'list' | 'boolean' }> = {
  SIG_MODELS: { key: 'modelsDir', type: 'string' },
  SIG_HOST: { key: 'host', type: 'string' },
  SIG_PORT: { key: 'port', type: 'number' },
  SIG_EXECUTION_PROVIDERS: { key: 'executionProviders', type: 'list' },
  SIG_GRAPH_OPTIMIZATION: { key: 'graphOptimization', type: 'string' },
  SIG_INTRA_OP_THREADS: { key: 'intraOpThreads', type: 'number' },
  SIG_INTER_OP_THREADS: { key: 'interOpThreads', type: 'number' },
  SIG_ALLOW_SPINNING: { key: 'allowSpinning', type: 'boolean' },
  SIG_INFERENCE_THREADS: { key: 'inferenceThreads', type: 'number' },
  SIG_INFERENCE_NICE: { key: 'inferenceNice', type: 'number' },
  SIG_PREPROCESS_THREADS: { key: 'preprocessThreads', type: 'number' },
  SIG_MAX_BATCH: { key: 'maxBatchSize', type: 'number' },
  SIG_MAX_WAIT_MS: { key: 'maxWaitMs', type: 'number' },
  SIG_MAX_QUEUE: { key: 'maxQueue', type: 'number' },
  SIG_BODY_LIMIT: { key: 'bodyLimitBytes', type: 'number' },
  SIG_MAX_PIXELS: { key: 'maxPixels', type: 'number' },
  SIG_EDGE_DIR: { key: 'edgeDir', type: 'string' },
};

/** The config keys set by SIG_* variables in `env` (values still unvalidated). */
export function configFromEnv(env: NodeJS.ProcessEnv): Partial<Record<keyof ServerConfig, unknown>> {
  const out: Partial<Record<keyof ServerConfig, unknown>> = {};
  for (const [name, { key, type }] of Object.entries(ENV_VARS)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    if (type === 'number') out[key] = Number(raw);
    else if (type === 'list') out[key] = raw.split(',').map((s) => s.trim()).filter(Boolean);
    else if (type === 'boolean') out[key] = raw === '1' || raw.toLowerCase() === 'true' ? true : raw === '0' || raw.toLowerCase() === 'false' ? false : raw;
    else out[key] = raw;
  }
  return out;
}

/** Validates a config (flags over environment over defaults); errors name the offending setting. */
export function parseConfig(input: unknown): ServerConfig {
  const r = ServerConfig.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new UserError(`invalid server setting ${issue.path.join('.') || '(config)'}: ${issue.message}`);
}
