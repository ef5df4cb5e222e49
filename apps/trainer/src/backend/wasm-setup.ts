// Makes the wasm backend trainable: local binaries (never the network) and our gradient kernels registered.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's Node bundle registers no gradients; tfjs-layers' bundle registers all of core's.
import '@tensorflow/tfjs-layers';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { installFusedAdam } from './fused-adam.ts';
import { installFusedBatchNormTraining } from './fused-batchnorm-training.ts';
import { installFusedConvTraining } from './fused-conv-training.ts';
import { nativeConvKernels } from './native-conv.ts';
import { nativeMatMulKernels } from './native-matmul.ts';
import { wasmConvGradKernels } from './wasm-conv-grad.ts';
import { registerWasmGradients } from './wasm-gradients.ts';
import { wasmResizeGradKernels } from './resize-grad.ts';
import { wasmTrainKernels } from './wasm-train-kernels.ts';
import { registerLeakyReluGradient, wasmGanKernels } from './wasm-gan-kernels.ts';

let kernelsRegistered = false;
let nativeConvolutions = false;

/** The folder holding tfjs-backend-wasm's .wasm files in node_modules, with a trailing slash. */
export function wasmBinaryDir(): string {
  const require = createRequire(import.meta.url);
  // The package's "main" lives in dist/, next to the .wasm binaries.
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/');
}

/** Registers this project's wasm kernels, replacing slow or missing built-ins (idempotent). */
export function registerTrainableWasmKernels(): void {
  if (kernelsRegistered) return;
  // Later entries replace earlier ones: the native convolutions, when onnxruntime-node loads, win.
  const native = nativeConvKernels();
  nativeConvolutions = native.length > 0;
  for (const config of [...wasmConvGradKernels, ...wasmResizeGradKernels, ...wasmTrainKernels(), ...native, ...nativeMatMulKernels()]) {
    if (tf.getKernel(config.kernelName, 'wasm')) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
  // These wrap kernels registered just above (their fallbacks), so they go in a second pass.
  for (const config of wasmGanKernels()) {
    if (tf.getKernel(config.kernelName, 'wasm')) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
  registerWasmGradients();
  registerLeakyReluGradient();
  installFusedConvTraining();
  installFusedBatchNormTraining();
  installFusedAdam();
  kernelsRegistered = true;
}

/** Whether convolutions run on onnxruntime-node's native kernels (see native-conv.ts). */
export function usesNativeConvolutions(): boolean {
  return nativeConvolutions;
}

/** Sets the wasm backend up for training and makes it current; throws if it cannot start. */
export async function useTrainableWasm(): Promise<void> {
  setWasmPaths(wasmBinaryDir());
  registerTrainableWasmKernels();
  const ok = await tf.setBackend('wasm');
  if (!ok) throw new Error('the wasm backend failed to initialise');
}
