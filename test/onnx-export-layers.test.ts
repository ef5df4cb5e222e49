// Per-layer test matrix for the ONNX exporter: every converter in several configurations, each exported
// with random non-trivial weights, compared with TF.js (max abs diff ≤ 1e-4) and validated by the official
// checker (one checker process for all files, in the last test).
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { UserError } from '@sig/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOnnxGraph, exportLayersModel } from '../apps/trainer/src/export/onnx/export-layers-model.ts';
import { checkParity, type InputKind } from '../apps/trainer/src/export/parity.ts';
import { CheckerBatch, randomizeWeights } from './helpers/onnx-check.ts';
import { AbsDifference } from '../apps/trainer/src/model/verifier-layers.ts';
import { buildVerifier } from '../apps/trainer/src/model/verifier.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type Sym = tfl.SymbolicTensor;
const L = tfl.layers;
const apply = (layer: tfl.layers.Layer, x: Sym | Sym[]): Sym => layer.apply(x) as Sym;

interface Case {
  name: string;
  build: () => tfl.LayersModel;
  inputKinds?: InputKind[];
  /** Extra assertion on the converted graph's node types. */
  ops?: { has?: string[]; lacks?: string[] };
  /** Spread of the random weights (default 0.5; deep stacks need less to keep outputs near unit scale). */
  scale?: number;
}

/** A model of `layers` applied in order to an input of `shape`. */
function chain(shape: number[], ...layers: tfl.layers.Layer[]): tfl.LayersModel {
  const input = tfl.input({ shape, name: 'x' });
  let x: Sym = input;
  for (const l of layers) x = apply(l, x);
  return tfl.model({ inputs: input, outputs: x });
}

const img = [13, 11, 3]; // odd sizes make 'same' pads asymmetric

const cases: Case[] = [
  // Conv2D
  { name: 'conv valid 3x3', build: () => chain(img, L.conv2d({ filters: 4, kernelSize: 3 })) },
  { name: 'conv same stride 2 (asymmetric pads)', build: () => chain(img, L.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same' })) },
  { name: 'conv same 4x4 stride 3', build: () => chain(img, L.conv2d({ filters: 2, kernelSize: 4, strides: 3, padding: 'same' })) },
  { name: 'conv same 2x2 stride 1 (pad after only)', build: () => chain(img, L.conv2d({ filters: 2, kernelSize: 2, padding: 'same' })) },
  { name: 'conv 3x5 strides [1,2] no bias', build: () => chain(img, L.conv2d({ filters: 3, kernelSize: [3, 5], strides: [1, 2], padding: 'same', useBias: false })) },
  { name: 'conv dilated 2', build: () => chain(img, L.conv2d({ filters: 3, kernelSize: 3, dilationRate: 2, padding: 'same' })) },
  { name: 'depthwise conv ×2 same stride 2', build: () => chain(img, L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same' })) },
  // activation option on a layer, each supported function
  ...['relu', 'relu6', 'sigmoid', 'tanh', 'elu', 'selu', 'softplus', 'softsign', 'hardSigmoid', 'swish', 'mish', 'gelu', 'gelu_new', 'linear', 'softmax'].map((a) => ({
    name: `conv activation ${a}`,
    build: () => chain(img, L.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: a as 'relu' })),
  })),
  { name: 'dense activation logSoftmax', build: () => chain([6], L.dense({ units: 4, activation: 'logSoftmax' as 'relu' })) },
  // Conv2DTranspose
  ...[
    [3, 2, 'same'],
    [4, 2, 'same'],
    [2, 2, 'valid'],
    [3, 1, 'valid'],
    [3, 2, 'valid'],
    [1, 2, 'valid'],
    [1, 3, 'same'],
  ].map(([k, s, p]) => ({
    name: `conv transpose k${k} s${s} ${p}`,
    build: () => chain([5, 4, 3], L.conv2dTranspose({ filters: 2, kernelSize: k as number, strides: s as number, padding: p as 'same' })),
  })),
  {
    name: 'conv transpose + BN folds',
    build: () => chain([5, 4, 3], L.conv2dTranspose({ filters: 3, kernelSize: 4, strides: 2, padding: 'same', useBias: false }), L.batchNormalization(), L.reLU()),
    ops: { lacks: ['BatchNormalization'], has: ['ConvTranspose'] },
  },
  // UpSampling2D
  { name: 'upsampling nearest 2', build: () => chain([4, 5, 2], L.upSampling2d({ size: [2, 2] })) },
  { name: 'upsampling nearest [2,3]', build: () => chain([4, 5, 2], L.upSampling2d({ size: [2, 3] })) },
  { name: 'upsampling bilinear', build: () => chain([4, 5, 2], L.upSampling2d({ size: [2, 2], interpolation: 'bilinear' })) },
  // BatchNormalization
  {
    name: 'BN after conv folds',
    build: () => chain(img, L.conv2d({ filters: 4, kernelSize: 3 }), L.batchNormalization()),
    ops: { lacks: ['BatchNormalization'] },
  },
  {
    name: 'BN after conv+relu stays',
    build: () => chain(img, L.conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }), L.batchNormalization({ epsilon: 0.01 })),
    ops: { has: ['BatchNormalization'] },
  },
  { name: 'BN on input image', build: () => chain(img, L.batchNormalization()), ops: { has: ['BatchNormalization'] } },
  { name: 'BN on vector without scale/center', build: () => chain([7], L.batchNormalization({ scale: false, center: false })) },
  {
    name: 'BN after dense folds into Gemm',
    build: () => chain([7], L.dense({ units: 5, useBias: false }), L.batchNormalization(), L.leakyReLU({ alpha: 0.1 })),
    ops: { lacks: ['BatchNormalization'], has: ['Gemm'] },
  },
  {
    name: 'BN after dense → reshape folds into Gemm columns (DCGAN seed layer)',
    build: () => chain([6], L.dense({ units: 3 * 2 * 4, useBias: false }), L.reshape({ targetShape: [3, 2, 4] }), L.batchNormalization(), L.reLU(), L.conv2d({ filters: 2, kernelSize: 3, padding: 'same' })),
    ops: { lacks: ['BatchNormalization'], has: ['Gemm'] },
  },
  {
    name: 'BN after dense → reshape with a second reader stays',
    build: () => {
      const input = tfl.input({ shape: [6], name: 'x' });
      const r = apply(L.reshape({ targetShape: [3, 2, 4] }), apply(L.dense({ units: 24 }), input));
      const bn = apply(L.batchNormalization(), r);
      return tfl.model({ inputs: input, outputs: apply(L.add(), [bn, apply(L.conv2d({ filters: 4, kernelSize: 1 }), r)]) });
    },
    ops: { has: ['BatchNormalization'] },
  },
  {
    name: 'BN after depthwise conv folds',
    build: () => chain(img, L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2 }), L.batchNormalization()),
    ops: { lacks: ['BatchNormalization'] },
  },
  // Pooling
  { name: 'maxpool 2 valid', build: () => chain(img, L.maxPooling2d({ poolSize: 2 })) },
  { name: 'maxpool 3 stride 2 same', build: () => chain(img, L.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' })) },
  { name: 'maxpool [2,3] stride 1 same', build: () => chain(img, L.maxPooling2d({ poolSize: [2, 3], strides: 1, padding: 'same' })) },
  { name: 'avgpool 2 valid', build: () => chain(img, L.averagePooling2d({ poolSize: 2 })) },
  { name: 'avgpool 3 stride 2 same (pads not counted)', build: () => chain(img, L.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' })) },
  { name: 'global average pool', build: () => chain(img, L.conv2d({ filters: 4, kernelSize: 3 }), L.globalAveragePooling2d({})) },
  { name: 'global max pool', build: () => chain(img, L.globalMaxPooling2d({})) },
  // Dense, Flatten, Reshape
  { name: 'dense on vector', build: () => chain([9], L.dense({ units: 4, activation: 'tanh' })) },
  { name: 'dense on 3-D (MatMul)', build: () => chain([4, 6], L.dense({ units: 3 })), ops: { has: ['MatMul'] } },
  { name: 'flatten after conv keeps NHWC order for dense', build: () => chain(img, L.conv2d({ filters: 3, kernelSize: 3, strides: 2 }), L.flatten(), L.dense({ units: 5, activation: 'softmax' })) },
  { name: 'reshape dense → 4-D → conv', build: () => chain([6], L.dense({ units: 4 * 3 * 2 }), L.reshape({ targetShape: [4, 3, 2] }), L.conv2d({ filters: 2, kernelSize: 3, padding: 'same' })) },
  { name: 'reshape with -1', build: () => chain(img, L.reshape({ targetShape: [-1, 3] })) },
  { name: 'reshape 4-D conv output to vector', build: () => chain(img, L.conv2d({ filters: 2, kernelSize: 3 }), L.reshape({ targetShape: [11 * 9 * 2] })) },
  { name: 'permute', build: () => chain([4, 6], L.permute({ dims: [2, 1] })) },
  { name: 'zero padding 2-D', build: () => chain(img, L.zeroPadding2d({ padding: [[1, 2], [0, 3]] }), L.conv2d({ filters: 2, kernelSize: 3 })) },
  // Activation layers
  { name: 'ReLU layer', build: () => chain([8], L.reLU()) },
  { name: 'ReLU maxValue', build: () => chain(img, L.conv2d({ filters: 2, kernelSize: 1 }), L.reLU({ maxValue: 0.5 })) },
  { name: 'LeakyReLU 0.2', build: () => chain(img, L.leakyReLU({ alpha: 0.2 })) },
  { name: 'ELU layer', build: () => chain([8], L.elu()) }, // TF.js itself only runs alpha = 1
  { name: 'Softmax layer on vector', build: () => chain([8], L.softmax()) },
  { name: 'Activation layer tanh', build: () => chain([8], L.activation({ activation: 'tanh' })) },
  { name: 'dropout and noise are identities', build: () => chain([8], L.dropout({ rate: 0.4 }), L.gaussianNoise({ stddev: 1 }), L.dense({ units: 3 })) },
  // Embedding
  {
    name: 'embedding',
    build: () => chain([2], L.embedding({ inputDim: 7, outputDim: 3 }), L.flatten()),
    inputKinds: [{ integers: 7 }],
  },
];

/** Two-input functional models: merges in both layouts. */
function twoBranch(merge: (a: Sym, b: Sym) => Sym): tfl.LayersModel {
  const input = tfl.input({ shape: img, name: 'x' });
  const a = apply(L.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }), input);
  const b = apply(L.conv2d({ filters: 3, kernelSize: 1 }), input);
  return tfl.model({ inputs: input, outputs: merge(a, b) });
}
cases.push(
  { name: 'concat channels of two conv branches', build: () => twoBranch((a, b) => apply(L.concatenate(), [a, b])) },
  { name: 'concat along height', build: () => twoBranch((a, b) => apply(L.concatenate({ axis: 1 }), [a, b])) },
  { name: 'concat NCHW and NHWC inputs', build: () => {
    const input = tfl.input({ shape: img, name: 'x' });
    const a = apply(L.conv2d({ filters: 2, kernelSize: 1 }), input);
    return tfl.model({ inputs: input, outputs: apply(L.concatenate(), [a, input]) });
  } },
  { name: 'add', build: () => twoBranch((a, b) => apply(L.add(), [a, b])) },
  { name: 'multiply', build: () => twoBranch((a, b) => apply(L.multiply(), [a, b])) },
  { name: 'maximum', build: () => twoBranch((a, b) => apply(L.maximum(), [a, b])) },
  { name: 'minimum', build: () => twoBranch((a, b) => apply(L.minimum(), [a, b])) },
  { name: 'average', build: () => twoBranch((a, b) => apply(L.average(), [a, b])) },
  { name: 'abs difference (the verifier’s |a − b|)', build: () => twoBranch((a, b) => apply(new AbsDifference({}), [a, b])), ops: { has: ['Sub', 'Abs'] } },
  {
    name: 'the pairwise verifier: one trunk shared by two image inputs, head on |a − b| and a · b',
    build: () => buildVerifier({ inputHeight: 32, inputWidth: 48, widthMultiplier: 0.0625, featureDim: 6, hidden: 4 }, 1),
    ops: { has: ['Abs', 'Mul', 'Concat'] },
    scale: 0.15,
  },
  { name: 'concat vectors (two inputs)', build: () => {
    const a = tfl.input({ shape: [5], name: 'a' });
    const b = tfl.input({ shape: [3], name: 'b' });
    return tfl.model({ inputs: [a, b], outputs: apply(L.dense({ units: 4 }), apply(L.concatenate(), [a, b])) });
  } },
  { name: 'shared layer called twice', build: () => {
    const a = tfl.input({ shape: [5], name: 'a' });
    const b = tfl.input({ shape: [5], name: 'b' });
    const shared = L.dense({ units: 3, activation: 'tanh' });
    return tfl.model({ inputs: [a, b], outputs: apply(L.add(), [apply(shared, a), apply(shared, b)]) });
  } },
  { name: 'two outputs', build: () => {
    const input = tfl.input({ shape: img, name: 'x' });
    const c = apply(L.conv2d({ filters: 2, kernelSize: 3 }), input);
    const v = apply(L.dense({ units: 3 }), apply(L.globalAveragePooling2d({}), c));
    return tfl.model({ inputs: input, outputs: [c, v] });
  } },
);

const checker = new CheckerBatch();

describe('ONNX export: per-layer matrix', () => {
  it.each(cases.map((c, i) => [c.name, i] as const))('%s', async (_name, i) => {
    const c = cases[i];
    const model = c.build();
    randomizeWeights(model, 100 + i, c.scale ?? 0.5);
    if (c.ops) {
      const ops = new Set(buildOnnxGraph(model).nodes.map((n) => n.op));
      for (const op of c.ops.has ?? []) expect(ops, `has ${op}`).toContain(op);
      for (const op of c.ops.lacks ?? []) expect(ops, `lacks ${op}`).not.toContain(op);
    }
    const bytes = await exportLayersModel(model);
    await checker.add(bytes, `layer-${i}-${c.name}`);
    const r = await checkParity(model, bytes, { samples: 32, seed: i, inputKinds: c.inputKinds });
    expect(r.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    expect(r.argmaxAgreement).toBe(1);
  });

  it('refuses an unsupported layer with a UserError naming it', async () => {
    const model = chain([10, 3], L.conv1d({ filters: 2, kernelSize: 3, name: 'my_conv1d' }));
    const err = await exportLayersModel(model).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/my_conv1d.*Conv1D.*not supported/);
  });

  it('refuses a nested model with a UserError that says so', async () => {
    const inner = tfl.sequential({ layers: [L.dense({ inputShape: [4], units: 2 })], name: 'inner' });
    const x = tfl.input({ shape: [4] });
    const model = tfl.model({ inputs: x, outputs: apply(inner, x) });
    await expect(exportLayersModel(model)).rejects.toThrow(/inner.*nested models are not supported/);
  });

  it('refuses an unsupported activation with a UserError naming it', async () => {
    // Every built-in TF.js activation converts, so the converter is called with an unknown name directly.
    const { applyActivation } = await import('../apps/trainer/src/export/onnx/layers/activation.ts');
    const { ConvertContext } = await import('../apps/trainer/src/export/onnx/context.ts');
    const { OnnxGraph } = await import('../apps/trainer/src/export/onnx/graph.ts');
    const ctx = new ConvertContext(new OnnxGraph('g'));
    const v = { name: 'x', shape: [null, 3], layout: 'tf' as const };
    expect(() => applyActivation(ctx, v, 'bogus', 'layer d1 (Dense)', 'd1')).toThrow(UserError);
    expect(() => applyActivation(ctx, v, 'bogus', 'layer d1 (Dense)', 'd1')).toThrow(/d1 \(Dense\): activation 'bogus' is not supported/);
  });

  it('every exported file passes onnx.checker (full_check)', async () => {
    expect(checker.count).toBe(cases.length);
    await checker.checkAll();
  });
});
