import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { ModelEntry, UserError, type EntryOfKind, type ModelKind, type TensorCtorLike } from '@sig/shared';
import { ModelRunner, type BatcherHooks, type BatchingOptions } from '../batching/micro-batcher.ts';
import type { Logger } from '../log.ts';
import { defaultMaxBatch, GPU_PROVIDERS } from './execution-providers.ts';
import type { InferencePool, PooledSession } from './inference-thread.ts';
import type { OnnxSessionFactory } from './session-factory.ts';

/**
 * A model that passed its checks, ready to serve. The chain a request goes through: `runner` (ModelRunner:
 * micro-batching, what the routes call) → `sessions` (where batches run: a PooledSession with one
 * single-threaded onnxruntime session per inference thread, or one session on the main thread when the server
 * has no inference threads).
 */
export interface LoadedModel<E extends ModelEntry = ModelEntry> {
  entry: E;
  /** The micro-batching front the routes call. */
  runner: ModelRunner;
  /** What the runner runs batches on; released on close. */
  sessions: PooledSession | ort.InferenceSession;
  provider: string;
  requestedProviders: string[];
  fallbackReason?: string;
  /** The WebGPU adapter, when `provider` is webgpu. */
  adapter?: string;
  /** The batcher's limits as chosen for this model's provider (most images per batch, batches at once). */
  batching: BatchingOptions;
}

/** A manifest entry that was not loaded, and why. */
export interface RefusedModel {
  name: string;
  reason: string;
}

/** What the registry needs to build batchers and report them. */
export interface RegistryOptions {
  /** Without maxBatchSize: the provider's default ({@link defaultMaxBatch}). */
  batching: Omit<BatchingOptions, 'maxBatchSize'> & { maxBatchSize?: number };
  /** Run batches on these worker threads (one batch per thread at a time) instead of the event loop's thread. */
  inference?: InferencePool;
  hooks?: (model: string) => BatcherHooks;
}

/** onnxruntime-node's Tensor as the pipeline's constructor type. */
export const NodeTensor: TensorCtorLike = ort.Tensor;

/**
 * The models listed in `<dir>/manifest.json`, each checked (schema, file present, size and sha256) and
 * given a session. A bad entry is refused with a log line; the others still serve.
 */
export class ModelRegistry {
  private constructor(
    readonly dir: string,
    private readonly models: Map<string, LoadedModel>,
    readonly refused: RefusedModel[],
  ) {}

  /** Loads every model of the manifest. A missing, unreadable or empty manifest is a UserError. */
  static async load(dir: string, factory: OnnxSessionFactory, opts: RegistryOptions, log: Logger): Promise<ModelRegistry> {
    const manifestPath = join(dir, 'manifest.json');
    const entries = await readManifest(manifestPath);
    const models = new Map<string, LoadedModel>();
    const refused: RefusedModel[] = [];
    const refuse = (name: string, reason: string): void => {
      refused.push({ name, reason });
      log('error', `model ${name} refused: ${reason}`);
    };
    for (const [i, raw] of entries.entries()) {
      const parsed = ModelEntry.safeParse(raw);
      const name = parsed.success ? parsed.data.name : String((raw as { name?: unknown })?.name ?? `#${i}`);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        refuse(name, `invalid manifest entry (${issue.path.join('.')}: ${issue.message})`);
        continue;
      }
      const entry = parsed.data;
      if (models.has(entry.name)) {
        refuse(entry.name, 'listed twice in the manifest (the first one serves)');
        continue;
      }
      try {
        const loaded = await loadModel(dir, entry, factory, opts);
        models.set(entry.name, loaded);
        log('info', startupLine(entry, loaded));
      } catch (err) {
        refuse(entry.name, err instanceof Error ? err.message : String(err));
      }
    }
    return new ModelRegistry(resolve(dir), models, refused);
  }

  /** The model called `name`. */
  get(name: string): LoadedModel | undefined {
    return this.models.get(name);
  }

  /** Every loaded model, in manifest order. */
  list(): LoadedModel[] {
    return [...this.models.values()];
  }

  /** The named model, or the first loaded one of `kind`; a UserError (404/400/503) says what is wrong. */
  pick<K extends ModelKind>(kind: K, name?: string): LoadedModel<EntryOfKind<K>> {
    const isKind = (m: LoadedModel): m is LoadedModel<EntryOfKind<K>> => m.entry.kind === kind;
    if (name !== undefined) {
      const m = this.models.get(name);
      if (!m) throw new UserError(`unknown model '${name}'`, 404);
      if (!isKind(m)) throw new UserError(`model '${name}' is a ${m.entry.kind}, this route needs a ${kind}`, 400);
      return m;
    }
    const m = this.list().find(isKind);
    if (!m) throw new UserError(`no ${kind} model is loaded on this server`, 503);
    return m;
  }

  /** Shutdown has begun: batches stop waiting to fill, so requests in flight finish sooner. */
  hurry(): void {
    for (const m of this.list()) m.runner.hurry();
  }

  /** Finishes queued work, then releases every session. */
  async close(): Promise<void> {
    await Promise.all(this.list().map((m) => m.runner.drain()));
    await Promise.all(this.list().map((m) => m.sessions.release().catch(() => undefined)));
  }
}

/**
 * The one start-up line of a loaded model: what it is, the execution provider it actually runs on (and its
 * WebGPU adapter), why the providers before it could not load (e.g. `cuda unavailable: ... Failed to load
 * shared library`), and its batch limits.
 */
export function startupLine(entry: ModelEntry, loaded: Pick<LoadedModel, 'provider' | 'fallbackReason' | 'adapter' | 'batching'>): string {
  const demo = entry.demo ? ', demo model' : '';
  const adapter = loaded.adapter ? `, adapter ${loaded.adapter}` : '';
  const why = loaded.fallbackReason ? ` (${loaded.fallbackReason.replace(/^(\w+): /, '$1 unavailable: ').replace(/; (\w+): /g, '; $1 unavailable: ')})` : '';
  const b = loaded.batching;
  const limits = `; batches of up to ${b.maxBatchSize}, ${b.concurrency ?? 1} at a time`;
  return `model ${entry.name} (${entry.kind}, ${entry.labels.length} labels${demo}) loaded on ${loaded.provider}${adapter}${why}${limits}`;
}

async function readManifest(path: string): Promise<unknown[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UserError(`no model manifest at ${path}: export models there first (sig export), or point --models at a folder with manifest.json`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UserError(`${path} is not valid JSON`);
  }
  const obj = json as { schemaVersion?: unknown; models?: unknown };
  if (obj?.schemaVersion !== 1 || !Array.isArray(obj.models)) {
    throw new UserError(`${path} is not a schemaVersion 1 manifest with a models list`);
  }
  if (obj.models.length === 0) throw new UserError(`${path} lists no models: export models there first (sig export)`);
  return obj.models;
}

async function loadModel(dir: string, entry: ModelEntry, factory: OnnxSessionFactory, opts: RegistryOptions): Promise<LoadedModel> {
  const path = join(dir, entry.file);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch {
    throw new Error(`file ${path} is missing or unreadable`);
  }
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== entry.sha256) {
    throw new Error(`sha256 mismatch for ${path} (manifest ${entry.sha256.slice(0, 12)}…, file ${sha.slice(0, 12)}…): the file is corrupted or was replaced; export it again`);
  }
  if (bytes.length !== entry.bytes) throw new Error(`${path} has ${bytes.length} bytes, the manifest says ${entry.bytes}`);
  const created = await factory.create(bytes, entry.name);
  const missing = [...entry.inputs.map((s) => s.name).filter((n) => !created.session.inputNames.includes(n)), ...entry.outputs.map((s) => s.name).filter((n) => !created.session.outputNames.includes(n))];
  if (missing.length > 0) {
    await created.session.release();
    throw new Error(`the ONNX graph has no tensor named ${missing.join(', ')} that the manifest lists`);
  }
  // The main-thread session checked the graph and found the provider; with inference threads it is not
  // kept (the names above were all it was needed for), so each model is in memory once per thread only.
  // A GPU session runs one batch at a time whatever the threads: one copy on one inference thread keeps the
  // event loop free without a second device context per model.
  const gpu = GPU_PROVIDERS.includes(created.provider);
  let sessions: PooledSession | ort.InferenceSession = created.session;
  if (opts.inference && opts.inference.size > 0) {
    try {
      sessions = await opts.inference.open(bytes, factory.sessionOptions([created.provider]), gpu ? 1 : undefined);
    } finally {
      await created.session.release();
    }
  }
  // Generated images must not depend on which other requests shared the batch (same seed → same bytes),
  // so generator requests never merge.
  const batching: BatchingOptions = {
    ...opts.batching,
    maxBatchSize: entry.kind === 'generator' ? 1 : (opts.batching.maxBatchSize ?? defaultMaxBatch(created.provider)),
    concurrency: sessions === created.session ? 1 : (sessions as PooledSession).size,
  };
  const runner = new ModelRunner(sessions, NodeTensor, batching, opts.hooks?.(entry.name));
  return {
    entry,
    runner,
    sessions,
    provider: created.provider,
    requestedProviders: created.requested,
    fallbackReason: created.fallbackReason,
    ...(created.adapter ? { adapter: created.adapter } : {}),
    batching,
  };
}
