import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { buildDiscriminator, buildGenerator } from '../apps/trainer/src/model/cgan.ts';
import { buildRealFake } from '../apps/trainer/src/model/realfake.ts';

describe('CGAN builders', () => {
  it('generator maps (z, label) to a 64×64×1 image in [-1, 1] with the reference sizes', () => {
    const g = buildGenerator({ numClasses: 10, genFilters: 128 });
    expect(g.inputNames).toEqual(['z', 'label']);
    expect(g.inputs[0].shape).toEqual([null, 100]);
    expect(g.inputs[1].shape).toEqual([null, 10]);
    expect(g.outputs[0].shape).toEqual([null, 64, 64, 1]);
    expect(g.getLayer('g_dense').outputShape).toEqual([null, 16 * 16 * 128]);
    const y = g.predict([tf.randomNormal([2, 100], 0, 1, 'float32', 1), tf.cast(tf.oneHot([1, 7], 10), 'float32')]) as tf.Tensor;
    const [lo, hi] = [tf.min(y).dataSync()[0], tf.max(y).dataSync()[0]];
    expect(lo).toBeGreaterThanOrEqual(-1);
    expect(hi).toBeLessThanOrEqual(1);
  });

  it('supports transposed convolution and other sizes', () => {
    const g = buildGenerator({ numClasses: 3, latentDim: 8, imageSize: 32, seedSize: 8, genFilters: 16, upsample: 'transpose' });
    expect(g.outputs[0].shape).toEqual([null, 32, 32, 1]);
    expect(g.layers.some((l) => l.getClassName() === 'Conv2DTranspose')).toBe(true);
    expect(() => buildGenerator({ numClasses: 3, imageSize: 48, seedSize: 16 })).toThrow(/power of two/);
  });

  it('the reference discriminator maps (image, label) to one probability and sees the label as a channel', () => {
    const d = buildDiscriminator({ numClasses: 10, auxWeight: 0 }); // the reference design: no auxiliary head
    expect(d.inputNames).toEqual(['image', 'label']);
    expect(d.inputs[0].shape).toEqual([null, 64, 64, 1]);
    expect(d.getLayer('d_concat').outputShape).toEqual([null, 64, 64, 2]);
    expect(d.outputs[0].shape).toEqual([null, 1]);
    const p = d.predict([tf.zeros([2, 64, 64, 1]), tf.cast(tf.oneHot([0, 9], 10), 'float32')]) as tf.Tensor;
    for (const v of p.dataSync()) expect(v).toBeGreaterThan(0), expect(v).toBeLessThan(1);
  });

  it('the same seed builds the same weights, another seed different ones', () => {
    const w = (seed: number): Float32Array => buildGenerator({ numClasses: 2, latentDim: 4, imageSize: 16, seedSize: 8, genFilters: 8 }, seed).getLayer('g_dense').getWeights()[0].dataSync() as Float32Array;
    expect(Array.from(w(5))).toEqual(Array.from(w(5)));
    expect(Array.from(w(5))).not.toEqual(Array.from(w(6)));
  });

  it('real/fake detector maps an image to p(genuine)', () => {
    const m = buildRealFake({ imageSize: 64 });
    expect(m.inputNames[0]).toBe('image');
    expect(m.outputs[0].shape).toEqual([null, 1]);
  });
});
