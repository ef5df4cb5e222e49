// Which onnxruntime execution providers the server asks for. The default ('auto') is CUDA when its
// provider library is installed, then WebGPU when the machine offers a hardware adapter, then CPU. A
// software WebGPU adapter (SwiftShader, llvmpipe, lavapipe) is never taken by default: it runs the models far
// slower than the CPU provider. Naming webgpu explicitly (--providers webgpu) forces it, as the tests do.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describeAdapter, probeWebGpuAdapter, type AdapterProbe } from '@sig/shared/node/webgpu-adapter.ts';

/** Provider names accepted by --providers / SIG_EXECUTION_PROVIDERS ('auto' alone: the default order). */
export const PROVIDER_NAMES = ['auto', 'cuda', 'webgpu', 'cpu'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** Providers that run on an accelerator: one session per model (not one per inference thread), larger batches. */
export const GPU_PROVIDERS: readonly string[] = ['cuda', 'webgpu'];

/**
 * Most images per micro-batch when --max-batch is not given. On CPU, batches past ~8 images outgrow the
 * caches and cost more per image (docs/benchmarks.md); a GPU keeps gaining from larger batches, and one
 * batch at a time per model reaches it (not measured on a real GPU here: scripts/gpu-check.sh does).
 */
export function defaultMaxBatch(provider: string): number {
  return GPU_PROVIDERS.includes(provider) ? 32 : 8;
}

/**
 * Whether onnxruntime-node's CUDA provider library is installed (`npm rebuild onnxruntime-node
 * --onnxruntime-node-install=cuda12` puts it next to the binding; .npmrc skips it by default).
 */
export function cudaInstalled(): boolean {
  try {
    const main = createRequire(import.meta.url).resolve('onnxruntime-node'); // <pkg>/dist/index.js
    return existsSync(join(dirname(main), '..', 'bin', 'napi-v6', process.platform, process.arch, 'libonnxruntime_providers_cuda.so'));
  } catch {
    return false;
  }
}

/** Whether this onnxruntime-node build carries the WebGPU provider (loaded here, not at import: see index.ts). */
export async function webgpuBundled(): Promise<boolean> {
  const ort = await import('onnxruntime-node');
  return ort.listSupportedBackends().some((b) => b.name === 'webgpu' && b.bundled);
}

/** The provider list to try, and why the default left some out. */
export interface ResolvedProviders {
  providers: string[];
  /** Why 'auto' skipped a provider (e.g. the WebGPU adapter is a software one). */
  skipped: string[];
  /** The WebGPU adapter, when webgpu is on the list or was considered. */
  adapter?: AdapterProbe;
}

/** Expands 'auto' into cuda → webgpu → cpu as this machine allows; an explicit list is kept as given. */
export async function resolveProviders(
  requested: readonly string[],
  probe: () => Promise<AdapterProbe> = probeWebGpuAdapter,
  cuda: () => boolean = cudaInstalled,
  bundled: () => Promise<boolean> = webgpuBundled,
): Promise<ResolvedProviders> {
  if (!requested.includes('auto')) {
    return { providers: [...requested], skipped: [], adapter: requested.includes('webgpu') ? await probe() : undefined };
  }
  const providers: string[] = [];
  const skipped: string[] = [];
  if (cuda()) providers.push('cuda');
  else skipped.push('cuda: its provider library is not installed');
  const adapter: AdapterProbe = (await bundled()) ? await probe() : { reason: 'this onnxruntime-node build has no WebGPU provider' };
  if (adapter.adapter && !adapter.software) providers.push('webgpu');
  else if (adapter.adapter) skipped.push(`webgpu: the adapter is ${describeAdapter(adapter)}, slower than the CPU provider (--providers webgpu forces it)`);
  else skipped.push(`webgpu: ${adapter.reason}`);
  providers.push('cpu');
  return { providers, skipped, adapter };
}
