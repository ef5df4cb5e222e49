// The ONNX exporter end to end on small models: convert, check parity against TF.js on onnxruntime-node,
// and validate every file with the official ONNX checker.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportLayersModel, buildOnnxGraph } from '../apps/trainer/src/export/onnx/export-layers-model.ts';
import { checkParity } from '../apps/trainer/src/export/parity.ts';
import { decodeModel } from '../apps/trainer/src/export/onnx/serialize.ts';
import { onnxCheck, randomizeWeights } from './helpers/onnx-check.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function smallCnn(): tfl.LayersModel {
  const m = tfl.sequential();
  m.add(tfl.layers.conv2d({ inputShape: [20, 18, 1], filters: 4, kernelSize: 3, padding: 'same', useBias: false }));
  m.add(tfl.layers.batchNormalization());
  m.add(tfl.layers.reLU());
  m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tfl.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }));
  m.add(tfl.layers.averagePooling2d({ poolSize: 2, padding: 'same' }));
  m.add(tfl.layers.flatten());
  m.add(tfl.layers.dropout({ rate: 0.5 }));
  m.add(tfl.layers.dense({ units: 8 }));
  m.add(tfl.layers.batchNormalization());
  m.add(tfl.layers.dense({ units: 5, activation: 'softmax' }));
  return m;
}

describe('ONNX export: sequential CNN', () => {
  it('matches TF.js within 1e-4 with identical argmax and passes the checker', async () => {
    const model = smallCnn();
    randomizeWeights(model, 1);
    const bytes = await exportLayersModel(model, { inputNames: ['image'], outputNames: ['probs'] });
    await onnxCheck(bytes, 'small-cnn');
    const r = await checkParity(model, bytes, { samples: 32 });
    expect(r.maxAbsDiff).toBeLessThan(1e-4);
    expect(r.argmaxRows).toBe(32);
    expect(r.argmaxAgreement).toBe(1);
    expect(r.passed).toBe(true);
  });

  it('folds both BatchNorms (conv and dense) and has a dynamic batch dimension', async () => {
    const model = smallCnn();
    const g = buildOnnxGraph(model);
    expect(g.nodes.filter((n) => n.op === 'BatchNormalization')).toHaveLength(0);
    const bytes = await exportLayersModel(model);
    await onnxCheck(bytes, 'small-cnn-untrained');
    const m = decodeModel(bytes);
    expect(Number(m.opsetImport[0].version)).toBeGreaterThanOrEqual(17);
    expect(m.graph?.input?.[0].type?.tensorType?.shape?.dim?.[0].dimParam).toBe('batch');
    expect(m.graph?.output?.[0].type?.tensorType?.shape?.dim?.[0].dimParam).toBe('batch');
  });

  it('parity catches a wrong model', async () => {
    const a = smallCnn();
    randomizeWeights(a, 1);
    const b = smallCnn();
    randomizeWeights(b, 2);
    const bytesB = await exportLayersModel(b);
    await onnxCheck(bytesB, 'small-cnn-b');
    const r = await checkParity(a, bytesB, { samples: 8 });
    expect(r.passed).toBe(false);
  });
});

describe('ONNX checker helper', () => {
  it('rejects an invalid graph (so a passing check means something)', async () => {
    const { OnnxGraph } = await import('../apps/trainer/src/export/onnx/graph.ts');
    const { serializeGraph } = await import('../apps/trainer/src/export/onnx/serialize.ts');
    const g = new OnnxGraph('broken');
    g.inputs.push({ name: 'x', type: 'float32', shape: ['batch', 3] });
    g.addNode('Relu', ['x', 'x'], ['y'], {}, { exactOutputs: true }); // Relu takes one input
    g.outputs.push({ name: 'y', type: 'float32', shape: ['batch', 3] });
    await expect(onnxCheck(serializeGraph(g), 'broken')).rejects.toThrow(/checker rejected/);
  });
});
