// Everything the trainer's backend set-up changes for the whole process, in one place. `selectBackend`
// (select.ts) is the one call that applies it; data-parallel workers receive the same settings.
//
// | switch                      | setting / where                  | default                    | environment             |
// |-----------------------------|----------------------------------|----------------------------|-------------------------|
// | native convolutions         | `nativeConv` (native-conv.ts)    | 'nchwc' (then im2col/GEMM) | SIG_NATIVE_CONV=gemm/0  |
// | onnxruntime-node binding    | `nativeBinding` (native-conv.ts) | its private dist/binding.js, pinned to one onnxruntime-node version | — |
// | V8 concurrent marking       | `concurrentMarking` (markingForWorkers, before data-parallel workers start) | off | SIG_CONCURRENT_MARKING=1 |
// | tfjs "Overriding…" warnings | withoutTfjsWarnings (scoped PROD flag while our gradients replace tfjs's) | — | — |
// | patched tfjs classes        | installed once by registerTrainableWasmKernels (wasm-setup.ts): AdamOptimizer.applyGradients (fused-adam.ts), Conv2D.call (fused-conv-training.ts), BatchNormalization.call (fused-batchnorm-training.ts); each falls back to the original off wasm | — | — |
// | cpu resize gradients        | replaced by fixCpuResizeGradients (resize-grad.ts) when the cpu backend is chosen | — | — |
// | WebGPU device               | `navigator.gpu` set to Dawn's (the optional `webgpu` package) before tfjs-backend-webgpu loads (webgpu-setup.ts) | only when webgpu is tried | VK_ICD_FILENAMES picks the Vulkan driver |
// | WebGPU Conv2D               | tfjs flag WEBGPU_CONV_SEPARATE_IM2COL_SHADER on (im2col then matmul: ~5x faster on SwiftShader) | when webgpu is chosen | — |
//
// A native convolution load failure is not silent: nativeConvStatus() says why, and selectBackend prints it.
import { setFlagsFromString } from 'node:v8';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';

/** Process-wide backend switches (see the table above). */
export const BackendSettings = z.object({
  /** Convolutions on onnxruntime-node's kernels: NCHWc where the channels allow ('nchwc'), GEMM only ('gemm'), or none ('off'). */
  nativeConv: z.enum(['nchwc', 'gemm', 'off']).default('nchwc'),
  /** Module that exposes onnxruntime-node's native InferenceSession (tests point it elsewhere to simulate a failed load). */
  nativeBinding: z.string().default('onnxruntime-node/dist/binding.js'),
  /** Keep V8's concurrent marking when data-parallel workers run (off by default: its helper threads take their cores). */
  concurrentMarking: z.boolean().default(false),
});
export type BackendSettings = z.infer<typeof BackendSettings>;

/** The settings the environment asks for (SIG_NATIVE_CONV, SIG_CONCURRENT_MARKING); unset means the defaults. */
export function backendSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): BackendSettings {
  const conv = env.SIG_NATIVE_CONV;
  return BackendSettings.parse({
    nativeConv: conv === '0' ? 'off' : conv === 'gemm' ? 'gemm' : undefined,
    concurrentMarking: env.SIG_CONCURRENT_MARKING === '1',
  });
}

let current: BackendSettings | undefined;

/** The settings in force: those given to configureBackend, else the environment's (read on first use, not at import). */
export function backendSettings(): BackendSettings {
  current ??= backendSettingsFromEnv();
  return current;
}

/**
 * Sets the process's backend settings (before selectBackend; the native runtime is loaded once, with the
 * settings in force then). Fields left out keep their defaults.
 */
export function configureBackend(settings: Partial<BackendSettings>): BackendSettings {
  current = BackendSettings.parse(settings);
  return current;
}

let markingOff = false;

/**
 * Turns off V8's concurrent marking for this process before the first data-parallel workers start, unless the
 * settings keep it, so their heaps mark on their own threads. Every worker step ends in a mark-compact
 * (onnxruntime-node returns each output as a fresh external buffer, ~50 MB a step), and with the workers
 * already on every core the concurrent marking tasks only compete with them: a two-worker step went from ~330
 * to ~297 ms (docs/benchmarks.md). V8 reads the flag when an isolate starts marking, so it takes effect for the
 * workers created after it.
 */
export function markingForWorkers(): void {
  if (markingOff || backendSettings().concurrentMarking) return;
  setFlagsFromString('--no-concurrent-marking');
  markingOff = true;
}

/** Runs `fn` with tfjs's own warnings off (its PROD flag), e.g. while intended gradient replacements log "Overriding…". */
export function withoutTfjsWarnings<T>(fn: () => T): T {
  const env = tf.env();
  const prod = env.getBool('PROD');
  env.set('PROD', true);
  try {
    return fn();
  } finally {
    env.set('PROD', prod);
  }
}
