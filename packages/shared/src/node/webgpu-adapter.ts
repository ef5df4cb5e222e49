// The WebGPU adapter this machine offers, as Dawn (the optional `webgpu` npm package, which ships dawn.node
// inside it) sees it. The server's provider choice and the trainer's backend choice both ask here, so a
// software adapter (SwiftShader, llvmpipe, lavapipe: far slower than the CPU paths) is told apart the same
// way on both sides.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';

/** What WebGPU offers (Dawn's adapter info, as a browser's GPUAdapterInfo). */
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

/** Whether an adapter is a CPU implementation of WebGPU. */
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

/** Adapter info read field by field (GPUAdapterInfo's fields are prototype getters: a spread copies none). */
export function adapterInfo(i: Partial<WebGpuAdapter> | undefined, fallback = false): WebGpuAdapter {
  return {
    vendor: i?.vendor ?? '',
    architecture: i?.architecture ?? '',
    device: i?.device ?? '',
    description: i?.description ?? '',
    isFallbackAdapter: Boolean(i?.isFallbackAdapter ?? fallback),
  };
}

// A short child process: onnxruntime-node does not expose its adapter, a second Dawn in the caller's own
// process would be a second Vulkan instance, and Dawn prints the Vulkan loader's warnings on machines
// without a driver.
const PROBE = `
const { create } = await import(process.argv[1]);
const a = await create([]).requestAdapter({ powerPreference: 'high-performance' });
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
