// Which onnxruntime execution providers the server asks for. The default ('auto') is CUDA when its
// provider library is installed, then WebGPU when the machine offers a hardware adapter, then CPU. A
// software WebGPU adapter (SwiftShader, llvmpipe, lavapipe) is never taken by default: it runs the models far
// slower than the CPU provider. Naming webgpu explicitly (--providers webgpu) forces it, as the tests do.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';

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

/** What WebGPU offers on this machine (Dawn's adapter info, as a browser's GPUAdapterInfo). */
export interface WebGpuAdapter {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** Dawn's own flag for a CPU implementation. */
  isFallbackAdapter: boolean;
}

/** The adapter, or why there is none. */
export type AdapterProbe = { adapter: WebGpuAdapter; software: boolean } | { adapter?: undefined; reason: string };

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|software|microsoft basic render/i;

/** Whether an adapter is a CPU implementation of WebGPU (far slower than onnxruntime's CPU provider). */
export function isSoftwareAdapter(a: WebGpuAdapter): boolean {
  return a.isFallbackAdapter || SOFTWARE.test(`${a.vendor} ${a.architecture} ${a.device} ${a.description}`);
}

/** One line naming an adapter, e.g. "google swiftshader (SwiftShader driver 5.0.0), software". */
export function describeAdapter(p: AdapterProbe): string {
  if (!p.adapter) return `none (${p.reason})`;
  const a = p.adapter;
  const name = [a.vendor, a.architecture].filter(Boolean).join(' ') || 'unknown adapter';
  return `${name}${a.description ? ` (${a.description})` : ''}, ${p.software ? 'software' : 'hardware'}`;
}

// The probe runs Dawn (the `webgpu` npm package, the same Dawn onnxruntime bundles) in a short child process:
// onnxruntime-node does not expose its adapter, a second Dawn in the server's own process would be a second
// copy of the Vulkan instance, and Dawn prints Vulkan loader warnings on machines without a driver.
const PROBE = `
const { create } = await import(process.argv[1]);
const gpu = create([]);
const a = await gpu.requestAdapter({ powerPreference: 'high-performance' });
const i = a && a.info;
process.stdout.write(JSON.stringify(i ? { vendor: i.vendor ?? '', architecture: i.architecture ?? '', device: i.device ?? '', description: i.description ?? '', isFallbackAdapter: Boolean(i.isFallbackAdapter ?? a.isFallbackAdapter) } : null));
process.exit(0);
`;

let probed: Promise<AdapterProbe> | undefined;

/** The WebGPU adapter this machine offers (probed once per process, in a child process, 15 s at most). */
export function probeWebGpuAdapter(): Promise<AdapterProbe> {
  return (probed ??= runProbe());
}

function runProbe(): Promise<AdapterProbe> {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve('webgpu');
  } catch {
    return Promise.resolve({ reason: "the optional 'webgpu' package (Dawn) is not installed, so the adapter cannot be checked" });
  }
  return new Promise((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', PROBE, entry], { timeout: 15_000, encoding: 'utf8' }, (err, stdout) => {
      if (err) return resolve({ reason: `the WebGPU probe failed (${String(err.message).split('\n')[0]})` });
      try {
        const adapter = JSON.parse(stdout) as WebGpuAdapter | null;
        if (!adapter) return resolve({ reason: 'no Vulkan driver offers an adapter' });
        resolve({ adapter, software: isSoftwareAdapter(adapter) });
      } catch {
        resolve({ reason: 'the WebGPU probe gave no answer' });
      }
    });
  });
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

/** Whether this onnxruntime-node build carries the WebGPU provider. */
export function webgpuBundled(): boolean {
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
): Promise<ResolvedProviders> {
  if (!requested.includes('auto')) {
    return { providers: [...requested], skipped: [], adapter: requested.includes('webgpu') ? await probe() : undefined };
  }
  const providers: string[] = [];
  const skipped: string[] = [];
  if (cuda()) providers.push('cuda');
  else skipped.push('cuda: its provider library is not installed');
  const adapter = webgpuBundled() ? await probe() : { reason: 'this onnxruntime-node build has no WebGPU provider' };
  if (adapter.adapter && !adapter.software) providers.push('webgpu');
  else if (adapter.adapter) skipped.push(`webgpu: the adapter is ${describeAdapter(adapter)}, slower than the CPU provider (--providers webgpu forces it)`);
  else skipped.push(`webgpu: ${adapter.reason}`);
  providers.push('cpu');
  return { providers, skipped, adapter };
}
