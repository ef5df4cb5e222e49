// Conv2D layers with a ReLU train as one fused kernel on the wasm backend. Under a gradient tfjs-core's
// `fused.conv2d` refuses any activation but 'linear' and runs convolution, bias add and ReLU as three kernels,
// three passes over the activation; here the forward pass is one FusedConv2D (on onnxruntime's NCHWc kernels,
// bias and ReLU inside the convolution, see native-conv.ts), recorded as one kernel whose gradient masks dy once with the
// saved output (ReLU's y > 0 is its input's z > 0) before the two convolution gradients and the bias sum.
// The layer class is patched, not replaced, so saved models, the exporter and every other backend see plain
// Keras Conv2D layers; the patch steps aside unless the wasm backend is recording a gradient.
import * as tf from '@tensorflow/tfjs-core';
import {
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  FusedConv2D,
  getKernel,
  type GradConfig,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type Tensor,
  type Tensor4D,
} from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { recordingGradientOnWasm, runOp } from './wasm-kernel-calls.ts';
import { RELU_GRAD } from './wasm-train-kernels.ts';

/** relu(conv2d(x, filter) + bias) as one recorded kernel (inputs x, filter, bias; attrs strides, pad). */
export const CONV2D_BIAS_RELU = 'SigConv2DBiasRelu';

const run = (name: string, inputs: Record<string, Tensor>, attrs: Record<string, unknown>) => runOp(name, inputs, attrs) as Tensor;

const convAttrs = (attrs: NamedAttrMap) => ({ strides: attrs.strides, pad: attrs.pad, dataFormat: 'NHWC', dimRoundingMode: undefined });

/** The forward kernel: the wasm backend's FusedConv2D (native when registered) with a ReLU. */
export function conv2dBiasReluKernel(): KernelConfig {
  return {
    kernelName: CONV2D_BIAS_RELU,
    backendName: 'wasm',
    kernelFunc: ((args: { inputs: object; backend: unknown; attrs: NamedAttrMap }) => {
      const fused = getKernel(FusedConv2D, 'wasm');
      if (!fused) throw new Error('the wasm backend has no FusedConv2D kernel');
      return fused.kernelFunc({ ...args, attrs: { ...convAttrs(args.attrs), dilations: [1, 1], activation: 'relu' } } as never);
    }) as unknown as KernelFunc,
  };
}

/** Its gradient: dy masked once by the saved output (ReLU's y > 0 is z > 0), then only the gradients asked for. */
const conv2dBiasReluGrad: GradConfig = {
  kernelName: CONV2D_BIAS_RELU,
  inputsToSave: ['x', 'filter'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter, y] = saved;
    const dz = run(RELU_GRAD, { dy: dy as Tensor, x: y }, {});
    const common = convAttrs(attrs);
    return {
      x: () => run(Conv2DBackpropInput, { dy: dz, filter }, { ...common, inputShape: x.shape }),
      filter: () => run(Conv2DBackpropFilter, { x, dy: dz }, { ...common, filterShape: filter.shape }),
      bias: () => tf.sum(dz, [0, 1, 2]),
    };
  },
};

/** relu(conv2d(x, w) + b), NHWC, dilation 1, recorded as one kernel (wasm backend only). */
export function conv2dBiasRelu(x: Tensor4D, w: Tensor4D, b: Tensor, strides: [number, number], pad: 'same' | 'valid'): Tensor4D {
  return run(CONV2D_BIAS_RELU, { x, filter: w, bias: b }, { strides, pad }) as Tensor4D;
}

interface ConvLayer {
  rank: number;
  kernel: { read(): Tensor };
  bias: { read(): Tensor } | null;
  strides: number[];
  padding: string;
  dataFormat: string;
  dilationRate: number[];
  activation: { getClassName(): string };
  call(inputs: Tensor | Tensor[], kwargs: object): Tensor | Tensor[];
}

function fusable(layer: ConvLayer, x: Tensor): boolean {
  return (
    recordingGradientOnWasm() &&
    layer.rank === 2 &&
    x.rank === 4 &&
    layer.bias !== null &&
    layer.activation.getClassName() === 'relu' &&
    layer.dataFormat === 'channelsLast' &&
    (layer.padding === 'same' || layer.padding === 'valid') &&
    layer.dilationRate.every((d) => d === 1)
  );
}

let installed = false;

/**
 * Registers the fused kernel and its gradient and patches tfjs-layers' Conv2D so ReLU convolutions train fused
 * on the wasm backend (idempotent).
 */
export function installFusedConvTraining(): void {
  if (installed) return;
  installed = true;
  if (!getKernel(CONV2D_BIAS_RELU, 'wasm')) tf.registerKernel(conv2dBiasReluKernel());
  tf.registerGradient(conv2dBiasReluGrad);
  const proto = Object.getPrototypeOf(tfl.layers.conv2d({ filters: 1, kernelSize: 1 })) as ConvLayer;
  const original = proto.call;
  proto.call = function (this: ConvLayer, inputs: Tensor | Tensor[], kwargs: object) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!fusable(this, x)) return original.call(this, inputs, kwargs);
    const [sh, sw] = this.strides;
    return tf.tidy(() => conv2dBiasRelu(x as Tensor4D, this.kernel.read() as Tensor4D, this.bias!.read(), [sh, sw], this.padding as 'same' | 'valid'));
  };
}
