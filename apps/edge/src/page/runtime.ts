// onnxruntime-web set up from the page's own origin: WebGPU where the browser offers an adapter (wasm
// otherwise), thread count from cross-origin isolation, the models listed in models/manifest.json, one
// lazily created session per model.
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

/** Where the sessions run: onnxruntime-web's WebGPU provider, or its wasm (CPU) one. */
export interface ProviderInfo {
  /** The provider the sessions were created on (after a failed WebGPU session: wasm). */
  name: 'webgpu' | 'wasm';
  /** The WebGPU adapter, e.g. "google swiftshader", when the browser offered one. */
  adapter?: string;
  /** Why WebGPU is not used, when it is not. */
  reason?: string;
}

/** The loaded runtime: ORT module, manifest, and sessions on demand. */
export interface EdgeRuntime {
  ort: typeof Ort;
  manifest: Manifest;
  threading: ThreadInfo;
  provider: ProviderInfo;
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

/** The browser's WebGPU adapter as one line ("vendor architecture"), or why there is none. */
async function webgpuAdapter(): Promise<{ adapter?: string; reason?: string }> {
  type Gpu = { requestAdapter(): Promise<{ info?: { vendor?: string; architecture?: string; description?: string } } | null> };
  const gpu = (navigator as unknown as { gpu?: Gpu }).gpu;
  if (!gpu) return { reason: 'this browser offers no WebGPU' };
  try {
    const a = await gpu.requestAdapter();
    if (!a) return { reason: 'no WebGPU adapter' };
    const i = a.info ?? {};
    return { adapter: [i.vendor, i.architecture].filter(Boolean).join(' ') || i.description || 'unknown adapter' };
  } catch (e) {
    return { reason: `WebGPU adapter request failed (${e instanceof Error ? e.message : String(e)})` };
  }
}

/** Loads onnxruntime-web (its WebGPU build where the browser offers WebGPU) from `config.ortUrl` and the manifest from `config.modelsUrl`. */
export async function loadRuntime(config: EdgeConfig): Promise<EdgeRuntime> {
  const gpu = config.executionProvider === 'wasm' ? { reason: 'wasm asked for (?ep=wasm)' } : await webgpuAdapter();
  const provider: ProviderInfo = gpu.adapter ? { name: 'webgpu', adapter: gpu.adapter } : { name: 'wasm', reason: gpu.reason };
  // A runtime URL (not a bare specifier) keeps the bundler from inlining ORT: its wasm loader and worker
  // threads must load from its own file next to the .wasm. The WebGPU build is only fetched when used.
  const module = provider.name === 'webgpu' ? config.ortWebGpuModule : config.ortModule;
  const ort = (await import(/* @vite-ignore */ new URL(module, config.ortUrl).href)) as typeof Ort;
  const threading = threadInfo(config.maxThreads);
  ort.env.wasm.numThreads = threading.threads;
  ort.env.wasm.wasmPaths = config.ortUrl;
  ort.env.logLevel = 'error';
  const res = await fetch(new URL('manifest.json', config.modelsUrl));
  const manifest: Manifest = res.ok ? Manifest.parse(await res.json()) : { schemaVersion: 1, models: [] };
  const sessions = new Map<string, Promise<PipelineContext>>();
  const create = async (url: string): Promise<Ort.InferenceSession> => {
    const options = { graphOptimizationLevel: 'all' } as const;
    if (provider.name === 'webgpu') {
      try {
        return await ort.InferenceSession.create(url, { ...options, executionProviders: ['webgpu'] });
      } catch (e) {
        // A model WebGPU cannot run: every later session goes to wasm, and the page says why.
        Object.assign(provider, { name: 'wasm', reason: `WebGPU session failed (${e instanceof Error ? e.message : String(e)})` });
      }
    }
    return ort.InferenceSession.create(url, { ...options, executionProviders: ['wasm'] });
  };
  return {
    ort,
    manifest,
    threading,
    provider,
    pick: <K extends ModelKind>(kind: K) => manifest.models.find((m): m is EntryOfKind<K> => m.kind === kind),
    context(entry) {
      let ctx = sessions.get(entry.name);
      if (!ctx) {
        ctx = create(new URL(entry.file, config.modelsUrl).href).then((session) => {
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
