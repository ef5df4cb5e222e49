// TensorFlow.js's WebGPU backend in Node, on Dawn from the optional `webgpu` package (dawn.node ships inside
// it: nothing is downloaded). The backend looks for `navigator.gpu` when its module loads, so Dawn's GPU object
// is put there first. Only asynchronous reads work there (dataSync needs OffscreenCanvas, absent in Node); the
// training and evaluation paths read with `await data()`.
import * as tf from '@tensorflow/tfjs-core';
import { adapterInfo, describeAdapter, isSoftwareAdapter, probeWebGpuAdapter, type AdapterProbe, type WebGpuAdapter } from '@sig/shared/node/webgpu-adapter.ts';

/** What `useWebGpu` found: the adapter, in one line. */
export interface WebGpuBackendInfo {
  adapter: string;
}

/** Why WebGPU cannot be used: the reason, for `--backend webgpu` and for auto's skipped list. */
export class WebGpuUnavailable extends Error {}

/**
 * Makes `webgpu` the current TensorFlow.js backend. `allowSoftware` false (the automatic choice) refuses a
 * software adapter (SwiftShader, llvmpipe: far slower than wasm); `--backend webgpu` passes true.
 */
export async function useWebGpu(allowSoftware: boolean): Promise<WebGpuBackendInfo> {
  if (!allowSoftware) {
    // Checked in a child process first, so a machine without a Vulkan driver never loads Dawn here (which
    // prints the Vulkan loader's warnings); the same probe the server uses.
    const probe = await probeWebGpuAdapter();
    if (!probe.adapter) throw new WebGpuUnavailable(`webgpu: ${probe.reason}`);
    if (probe.software) throw new WebGpuUnavailable(`webgpu: the adapter is ${describeAdapter(probe)} (--backend webgpu forces it)`);
  }
  let dawn: { create(flags: string[]): GpuLike; globals: Record<string, unknown> };
  try {
    const name: string = 'webgpu'; // a variable specifier: the package is optional
    dawn = (await import(name)) as typeof dawn;
  } catch {
    throw new WebGpuUnavailable("webgpu: the optional 'webgpu' package (Dawn) is not installed");
  }
  const g = globalThis as unknown as { navigator?: { gpu?: GpuLike } };
  if (!g.navigator?.gpu) {
    Object.assign(globalThis, dawn.globals); // GPUBufferUsage, GPUMapMode, ... as in a browser
    const gpu = dawn.create([]);
    if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
    Object.defineProperty(g.navigator!, 'gpu', { value: gpu, configurable: true });
  }
  const adapter = await g.navigator!.gpu!.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new WebGpuUnavailable('webgpu: no Vulkan driver offers an adapter');
  const info = adapterInfo(adapter.info);
  const probe: AdapterProbe = { adapter: info, software: isSoftwareAdapter(info) };
  if (probe.software && !allowSoftware) throw new WebGpuUnavailable(`webgpu: the adapter is ${describeAdapter(probe)} (--backend webgpu forces it)`);
  try {
    const name: string = '@tensorflow/tfjs-backend-webgpu';
    await import(name);
  } catch {
    throw new WebGpuUnavailable("webgpu: the optional '@tensorflow/tfjs-backend-webgpu' package is not installed");
  }
  // Conv2D as a separate im2col pass then a matmul: ~5x faster than the fused shader on the software GPU.
  tf.env().set('WEBGPU_CONV_SEPARATE_IM2COL_SHADER', true);
  if (!(await tf.setBackend('webgpu'))) throw new WebGpuUnavailable('webgpu: the TensorFlow.js WebGPU backend failed to start');
  return { adapter: describeAdapter(probe) };
}

interface GpuLike {
  requestAdapter(o?: { powerPreference?: string }): Promise<{ info?: Partial<WebGpuAdapter> } | null>;
}
