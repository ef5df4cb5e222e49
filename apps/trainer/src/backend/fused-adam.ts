// Adam's update as one kernel per variable on the wasm backend. tfjs-core's AdamOptimizer runs ~13 small
// kernels per variable (moments, bias corrections, square root, division, assignment), ~360 kernel calls per
// step for the classifier, which the data-parallel trainer runs on its main thread while both workers wait
// (6–18 ms a step). Here one pass per variable computes the same formulas: a WebAssembly SIMD loop over the
// backend's own memory, four weights an instruction in float32 as tfjs's kernels compute (simd-adam.ts; 109 → 14 ms
// for 4.7 M weights, the 184-student generator's Dense layer), or, where a runtime cannot build it, the same
// float32 steps in JavaScript. The optimizer's own moment variables are assigned, so its state,
// getWeights/setWeights and checkpoints are unchanged. The patch steps aside on every other backend.
import * as tf from '@tensorflow/tfjs-core';
import { type KernelConfig, type KernelFunc, type NamedTensorMap, type Tensor, type TensorInfo, type Variable } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { adamUpdate, type AdamConstants } from './simd-adam.ts';
import { heapF32, runOp } from './wasm-kernel-calls.ts';

/** One Adam step for one variable: inputs value, m, v, g; outputs the new value, m and v. */
export const ADAM_UPDATE = 'SigAdamUpdate';

function adamKernel({ inputs, backend, attrs }: { inputs: Record<'value' | 'm' | 'v' | 'g', TensorInfo>; backend: BackendWasm; attrs: AdamConstants }): TensorInfo[] {
  const { value, m, v, g } = inputs;
  const outs = [value, m, v].map((t) => backend.makeOutput(t.shape, 'float32'));
  const [x, mo, vo, gr] = [value, m, v, g].map((t) => heapF32(backend, t));
  const [xN, mN, vN] = outs.map((t) => heapF32(backend, t));
  adamUpdate((backend.wasm as unknown as { asm?: { memory?: WebAssembly.Memory } }).asm?.memory, x, mo, vo, gr, xN, mN, vN, attrs);
  return outs;
}

/** The kernel config (wasm). */
export function adamUpdateKernel(): KernelConfig {
  return { kernelName: ADAM_UPDATE, backendName: 'wasm', kernelFunc: adamKernel as unknown as KernelFunc };
}

/** The AdamOptimizer fields the update reads and writes (tfjs-core's own names). */
interface AdamFields {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: Variable;
  accBeta2: Variable;
  accumulatedFirstMoment: { originalName: string; variable: Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: Variable }[];
  incrementIterations(): void;
  applyGradients(g: NamedTensorMap | { name: string; tensor: Tensor }[]): void;
}

let installed = false;

/** Registers the kernel and patches tf.AdamOptimizer to use it on the wasm backend (idempotent). */
export function installFusedAdam(): void {
  if (installed) return;
  installed = true;
  if (!tf.getKernel(ADAM_UPDATE, 'wasm')) tf.registerKernel(adamUpdateKernel());
  const proto = tf.AdamOptimizer.prototype as unknown as AdamFields;
  const original = proto.applyGradients;
  proto.applyGradients = function (this: AdamFields, variableGradients) {
    const list = Array.isArray(variableGradients)
      ? variableGradients
      : Object.keys(variableGradients).map((name) => ({ name, tensor: variableGradients[name] }));
    const registered = tf.engine().registeredVariables;
    if (tf.getBackend() !== 'wasm' || list.some(({ name, tensor }) => registered[name]?.dtype !== 'float32' || (tensor != null && tensor.dtype !== 'float32'))) {
      return original.call(this, variableGradients);
    }
    tf.tidy(() => {
      const correction1 = 1 - this.accBeta1.dataSync()[0];
      const correction2 = 1 - this.accBeta2.dataSync()[0];
      const attrs = { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, learningRate: this.learningRate, correction1, correction2 };
      list.forEach(({ name, tensor: gradient }, i) => {
        const value = registered[name];
        // Created exactly as tfjs-core creates them, so checkpoints keep their names and order.
        this.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        this.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        if (gradient == null) return;
        const m = this.accumulatedFirstMoment[i].variable;
        const v = this.accumulatedSecondMoment[i].variable;
        const [newValue, newM, newV] = runOp(ADAM_UPDATE, { value, m, v, g: gradient }, { ...attrs }) as Tensor[];
        m.assign(newM);
        v.assign(newV);
        value.assign(newValue);
      });
      this.accBeta1.assign(tf.mul(this.accBeta1, this.beta1));
      this.accBeta2.assign(tf.mul(this.accBeta2, this.beta2));
    });
    this.incrementIterations();
  };
}
