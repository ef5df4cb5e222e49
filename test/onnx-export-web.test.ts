// The exported precisions must run in the browser runtime too: onnxruntime-web (wasm) in Node on the same
// files, compared with TF.js under each precision's stated limit.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as ortw from 'onnxruntime-web';
import { Rng } from '@sig/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildClassifier } from '../apps/trainer/src/model/classifier.ts';
import { buildGenerator } from '../apps/trainer/src/model/cgan.ts';
import { exportLayersModel } from '../apps/trainer/src/export/onnx/export-layers-model.ts';
import { PARITY_LIMITS } from '../apps/trainer/src/export/parity.ts';
import { CheckerBatch, randomizeWeights } from './helpers/onnx-check.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
  ortw.env.wasm.numThreads = 1;
});

function randoms(n: number, rng: Rng, f: () => number = () => rng.next()): Float32Array {
  return Float32Array.from({ length: n }, f);
}

describe('onnxruntime-web runs every precision', () => {
  it('classifier and generator: fp32, fp16 and int8 within their limits', async () => {
    const rng = new Rng(5);
    const cls = buildClassifier({ classes: 4, inputHeight: 32, inputWidth: 32, widthMultiplier: 0.0625 });
    randomizeWeights(cls, 21, 0.2);
    const gen = buildGenerator({ numClasses: 3, latentDim: 6, imageSize: 32, seedSize: 8, genFilters: 16 });
    randomizeWeights(gen, 22, 0.2);
    const n = 4;
    const image = randoms(n * 32 * 32, rng);
    const z = randoms(n * 6, rng, () => rng.normal());
    const label = new Float32Array(n * 3).map((_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0));
    const cases: { model: typeof cls; feeds: Record<string, ortw.Tensor>; tfIn: tf.Tensor | tf.Tensor[] }[] = [
      { model: cls, feeds: { image: new ortw.Tensor('float32', image, [n, 32, 32, 1]) }, tfIn: tf.tensor(image, [n, 32, 32, 1]) },
      { model: gen, feeds: { z: new ortw.Tensor('float32', z, [n, 6]), label: new ortw.Tensor('float32', label, [n, 3]) }, tfIn: [tf.tensor(z, [n, 6]), tf.tensor(label, [n, 3])] },
    ];
    const checker = new CheckerBatch();
    for (const c of cases) {
      const expected = (c.model.predict(c.tfIn) as tf.Tensor).dataSync();
      for (const precision of ['fp32', 'fp16', 'int8'] as const) {
        const bytes = await exportLayersModel(c.model, { precision });
        await checker.add(bytes, `${c.model.name}-${precision}`);
        const session = await ortw.InferenceSession.create(bytes);
        const out = (await session.run(c.feeds))[session.outputNames[0]].data as Float32Array;
        expect(out.length).toBe(expected.length);
        let diff = 0;
        for (let i = 0; i < out.length; i++) diff = Math.max(diff, Math.abs(out[i] - expected[i]));
        expect(diff, `${c.model.name} ${precision}`).toBeLessThanOrEqual(PARITY_LIMITS[precision].tolerance);
        await session.release();
      }
    }
    await checker.checkAll();
  });
});
