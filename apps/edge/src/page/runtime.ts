// onnxruntime-web set up from the page's own origin: thread count from cross-origin isolation, the models
// listed in models/manifest.json, one lazily created session per model.
import type * as Ort from 'onnxruntime-web';
import { Manifest, type EntryOfKind, type ModelEntry, type ModelKind, type PipelineContext } from '@sig/shared';
import type { EdgeConfig } from './config.ts';

/** How the wasm backend runs on this page. */
export interface ThreadInfo {
  /** True when COOP/COEP headers made the page cross-origin isolated (SharedArrayBuffer available). */
  isolated: boolean;
  /** wasm threads onnxruntime-web uses (1 unless isolated); after the first session, the count it really runs. */
  threads: number;
}

/** The loaded runtime: ORT module, manifest, and sessions on demand. */
export interface EdgeRuntime {
  ort: typeof Ort;
  manifest: Manifest;
  threading: ThreadInfo;
  /** The model of `kind` to use: the first of that kind in the manifest (the server's default rule too). */
  pick<K extends ModelKind>(kind: K): EntryOfKind<K> | undefined;
  /** A pipeline context (session + Tensor class) for a manifest entry; sessions are created once. */
  context(entry: ModelEntry): Promise<PipelineContext>;
}

/** Threads to use: all cores up to `max` when cross-origin isolated, else one (no SharedArrayBuffer). */
export function threadInfo(max: number): ThreadInfo {
  const isolated = globalThis.crossOriginIsolated === true;
  const cores = navigator.hardwareConcurrency || 1;
  return { isolated, threads: isolated ? Math.max(1, Math.min(max, cores)) : 1 };
}

/** Loads onnxruntime-web from `config.ortUrl` and the manifest from `config.modelsUrl`. */
export async function loadRuntime(config: EdgeConfig): Promise<EdgeRuntime> {
  // A runtime URL (not a bare specifier) keeps the bundler from inlining ORT: its wasm loader and worker
  // threads must load from its own file next to the .wasm.
  const ort = (await import(/* @vite-ignore */ new URL(config.ortModule, config.ortUrl).href)) as typeof Ort;
  const threading = threadInfo(config.maxThreads);
  ort.env.wasm.numThreads = threading.threads;
  ort.env.wasm.wasmPaths = config.ortUrl;
  ort.env.logLevel = 'error';
  const res = await fetch(new URL('manifest.json', config.modelsUrl));
  const manifest: Manifest = res.ok ? Manifest.parse(await res.json()) : { schemaVersion: 1, models: [] };
  const sessions = new Map<string, Promise<PipelineContext>>();
  return {
    ort,
    manifest,
    threading,
    pick: <K extends ModelKind>(kind: K) => manifest.models.find((m): m is EntryOfKind<K> => m.kind === kind),
    context(entry) {
      let ctx = sessions.get(entry.name);
      if (!ctx) {
        ctx = ort.InferenceSession.create(new URL(entry.file, config.modelsUrl).href, {
          executionProviders: ['wasm'],
          graphOptimizationLevel: 'all',
        }).then((session) => {
          // onnxruntime-web initialises wasm with the first session and writes back 1 if it had to fall back
          // to a single thread (no SharedArrayBuffer / threaded wasm), so the page reports what really runs.
          threading.threads = ort.env.wasm.numThreads ?? threading.threads;
          return { session, Tensor: ort.Tensor as unknown as PipelineContext['Tensor'] };
        });
        sessions.set(entry.name, ctx);
        ctx.catch(() => sessions.delete(entry.name));
      }
      return ctx;
    },
  };
}
