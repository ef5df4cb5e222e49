// Picks the fastest TensorFlow.js backend this machine can run:
// tfjs-node-gpu (when it loads and sees a GPU) → webgpu (on a hardware adapter, never a software one) →
// tfjs-node → wasm made trainable here → cpu.
// tfjs-node(-gpu) are optional dependencies that often cannot install, so they are imported dynamically and
// a failed import simply moves on to the next candidate.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { UserError } from '@sig/shared';
import { fixCpuResizeGradients } from './resize-grad.ts';
import { nativeConvStatus } from './native-conv.ts';
import { useTrainableWasm } from './wasm-setup.ts';
import { useWebGpu } from './webgpu-setup.ts';

/** Backend names accepted by `--backend` and returned by {@link selectBackend}. */
export const BACKEND_NAMES = ['tfjs-node-gpu', 'webgpu', 'tfjs-node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Why each candidate that was tried could not be used (for the message of a forced backend). */
type Attempt = { ok: true } | { ok: false; reason: string };

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0];
}

async function tryTfjsNode(pkg: '@tensorflow/tfjs-node' | '@tensorflow/tfjs-node-gpu'): Promise<Attempt> {
  try {
    // A variable specifier keeps TypeScript from resolving packages that are not installed.
    const name: string = pkg;
    await import(name);
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException)?.code === 'ERR_MODULE_NOT_FOUND';
    return { ok: false, reason: missing ? `${pkg} is not installed` : `${pkg} does not load (${firstLine(err)})` };
  }
  if (!(await tf.setBackend('tensorflow'))) return { ok: false, reason: `${pkg} loaded but its backend failed to start` };
  if (pkg === '@tensorflow/tfjs-node-gpu') {
    // NodeJSKernelBackend reports whether TensorFlow found a CUDA device.
    const usingGpu = (tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true;
    if (!usingGpu) return { ok: false, reason: `${pkg} loaded but sees no GPU` };
  }
  return { ok: true };
}

async function tryWasm(): Promise<Attempt> {
  try {
    await useTrainableWasm();
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: `wasm failed to start (${firstLine(err)})` };
  }
}

let webgpuAdapter = '';

/** WebGPU: `forced` (--backend webgpu) takes any adapter, the automatic choice only a hardware one. */
async function tryWebGpu(forced: boolean): Promise<Attempt> {
  try {
    webgpuAdapter = (await useWebGpu(forced)).adapter;
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: firstLine(err) };
  }
}

async function tryCpu(): Promise<Attempt> {
  fixCpuResizeGradients();
  return (await tf.setBackend('cpu')) ? { ok: true } : { ok: false, reason: 'the cpu backend failed to start' };
}

const candidates: Record<BackendName, (forced: boolean) => Promise<Attempt>> = {
  'tfjs-node-gpu': () => tryTfjsNode('@tensorflow/tfjs-node-gpu'),
  webgpu: tryWebGpu,
  'tfjs-node': () => tryTfjsNode('@tensorflow/tfjs-node'),
  wasm: tryWasm,
  cpu: tryCpu,
};

/** The backend's name as printed; for wasm, where convolutions run and, when not natively, why not. */
function describe(name: BackendName): string {
  if (name === 'webgpu') return `webgpu (adapter: ${webgpuAdapter})`;
  if (name !== 'wasm') return name;
  const native = nativeConvStatus();
  return native.available ? 'wasm (convolutions: onnxruntime-node native)' : `wasm (convolutions: wasm; native ones unavailable: ${native.reason})`;
}

/**
 * Makes the best available backend current, prints `backend: <name>` and returns the name. The one backend
 * set-up call: it applies the process-wide settings (settings.ts; configureBackend first to change them).
 * `requested` (from `--backend`; undefined or 'auto' = best available) forces one; an unknown or unavailable
 * name is a UserError. Pass `log: () => {}` to stay silent (worker threads do); `exclude` leaves backends out
 * of the automatic choice (export reads weights synchronously, which WebGPU cannot do in Node).
 */
export async function selectBackend(
  requested?: string,
  opts: { log?: (line: string) => void; exclude?: readonly BackendName[] } = {},
): Promise<BackendName> {
  const log = opts.log ?? ((line: string) => console.log(line));
  if (requested !== undefined && requested !== 'auto') {
    if (!(BACKEND_NAMES as readonly string[]).includes(requested)) {
      throw new UserError(`unknown backend '${requested}' (choose one of: auto, ${BACKEND_NAMES.join(', ')})`);
    }
    const name = requested as BackendName;
    const attempt = await candidates[name](true);
    if (!attempt.ok) throw new UserError(`backend '${name}' is not available: ${attempt.reason}`);
    log(`backend: ${describe(name)}`);
    return name;
  }
  const skipped: string[] = [];
  for (const name of BACKEND_NAMES) {
    if (opts.exclude?.includes(name)) continue;
    const attempt = await candidates[name](false);
    if (attempt.ok) {
      log(`backend: ${describe(name)}${skipped.length ? ` (skipped: ${skipped.join('; ')})` : ''}`);
      return name;
    }
    skipped.push(attempt.reason);
  }
  throw new UserError(`no TensorFlow.js backend could start: ${skipped.join('; ')}`);
}
