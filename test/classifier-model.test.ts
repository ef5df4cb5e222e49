import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLASSIFIER_LAYERS, ClassifierConfig } from '@sig/shared';
import { buildClassifier, embeddingModel } from '../apps/trainer/src/model/classifier.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('buildClassifier', () => {
  it('outputs a probability per class and a named embedding of 512 × width', () => {
    const model = buildClassifier({ classes: 7, inputHeight: 32, inputWidth: 64, widthMultiplier: 0.125 });
    const x = tf.randomUniform([3, 32, 64, 1], 0, 1, 'float32', 1);
    const p = model.predict(x) as tf.Tensor;
    expect(p.shape).toEqual([3, 7]);
    const sums = tf.sum(p, 1).arraySync() as number[];
    for (const s of sums) expect(s).toBeCloseTo(1, 5);
    const e = embeddingModel(model).predict(x) as tf.Tensor;
    expect(e.shape).toEqual([3, 64]);
    expect(model.getLayer(CLASSIFIER_LAYERS.embedding).name).toBe('embedding');
    tf.dispose([x, p, e]);
  });

  it('follows the reference architecture: 4 blocks of 2 convs with 64/128/256/512 × width filters', () => {
    const model = buildClassifier({ classes: 3, inputHeight: 64, inputWidth: 128, widthMultiplier: 0.25 });
    expect(model.inputs[0].shape).toEqual([null, 64, 128, 1]);
    const convs = model.layers.filter((l) => l.getClassName() === 'Conv2D');
    expect(convs.map((l) => (l.getConfig() as { filters: number }).filters)).toEqual([16, 16, 32, 32, 64, 64, 128, 128]);
    const names = model.layers.map((l) => l.name);
    for (const b of [1, 2, 3, 4]) expect(names).toContain(`block${b}_bn`);
    expect((model.getLayer('dense1').getConfig() as { units: number }).units).toBe(256);
    expect((model.getLayer('embedding').getConfig() as { units: number }).units).toBe(128);
    expect(names.at(-1)).toBe(CLASSIFIER_LAYERS.output);
  });

  it('rejects an invalid config', () => {
    expect(() => ClassifierConfig.parse({ classes: 1 })).toThrow();
    expect(() => buildClassifier({ classes: 4, dropout: 2 })).toThrow();
  });
});
