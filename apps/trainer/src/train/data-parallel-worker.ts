// One data-parallel replica (see data-parallel.ts): rebuilds the model, then per step reads the shared weights,
// computes loss and gradients on its shard and writes gradients and non-trainable weights back.
import { pathToFileURL } from 'node:url';
import { isAbsolute } from 'node:path';
import { workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { selectBackend } from '../backend/select.ts';
import { configureBackend } from '../backend/settings.ts';
import { computeLoss, countCorrect, type LossName } from './data-parallel-loss.ts';
import { copyStateOut, gradientsInto, loadWeights } from './flat-weights.ts';
import { answerCalls } from '@sig/shared/node/worker-calls.ts';
import type { StepAnswer, StepBatch, WorkerCall, WorkerInit } from './data-parallel.ts';

const init = workerData as WorkerInit;

function moduleUrl(spec: string): string {
  return isAbsolute(spec) ? pathToFileURL(spec).href : spec;
}

async function setup() {
  configureBackend(init.settings);
  await selectBackend(init.backend, { log: () => {} });
  const mod = (await import(moduleUrl(init.build.module))) as Record<string, (...a: unknown[]) => tfl.LayersModel>;
  const builder = mod[init.build.export];
  if (typeof builder !== 'function') throw new Error(`${init.build.module} has no export ${init.build.export}`);
  let model = builder(...init.build.args);
  if (init.build.output) {
    model = tfl.model({ inputs: model.inputs, outputs: model.getLayer(init.build.output).output as tfl.SymbolicTensor });
  }
  const shapes = model.weights.map((w) => w.shape as number[]);
  if (JSON.stringify(shapes) !== JSON.stringify(init.shapes) || model.weights.some((w, i) => w.trainable !== init.trainable[i])) {
    throw new Error('the rebuilt model does not match the main model (weight shapes or trainable flags differ)');
  }
  let lossFn: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;
  let correctFn: (yTrue: tf.Tensor, yPred: tf.Tensor) => number;
  if (typeof init.loss === 'string') {
    const name = init.loss as LossName;
    lossFn = (a, b) => computeLoss(name, a, b);
    correctFn = (a, b) => countCorrect(name, a, b);
  } else {
    const lmod = (await import(moduleUrl(init.loss.module))) as Record<string, (...a: unknown[]) => unknown>;
    const exported = lmod[init.loss.export];
    lossFn = (init.loss.args && typeof exported === 'function' ? exported(...init.loss.args) : exported) as typeof lossFn;
    if (typeof lossFn !== 'function') throw new Error(`${init.loss.module} has no export ${init.loss.export}`);
    correctFn = () => 0;
  }
  return { model, lossFn, correctFn };
}

const ready = setup();
// Handled by the first call that awaits it; without this an early failure would crash the thread unreported.
ready.catch(() => {});
const weights = new Float32Array(init.weights);
const grads = new Float32Array(init.grads);
const state = new Float32Array(init.state);

async function step(model: tfl.LayersModel, lossFn: (a: tf.Tensor, b: tf.Tensor) => tf.Scalar, correctFn: (a: tf.Tensor, b: tf.Tensor) => number, b: StepBatch) {
  const t0 = performance.now();
  loadWeights(model, weights); // the current weights, from shared memory
  // tfjs-layers Dropout reads `seed` at call time; one per (step, worker, layer), cleared afterwards.
  const dropouts = model.layers.filter((l) => l.getClassName() === 'Dropout') as unknown as { seed?: number }[];
  dropouts.forEach((d, k) => (d.seed = b.seed === undefined ? undefined : (b.seed + k * 7919) >>> 0));
  let correct = 0;
  const lossValue = tf.tidy(() => {
    const x = tf.tensor(b.x, b.xShape);
    const y = tf.tensor(b.y, b.yShape, b.y instanceof Int32Array ? 'int32' : 'float32');
    return gradientsInto(model, grads, () => {
      const pred = model.apply(x, { training: true }) as tf.Tensor;
      correct = correctFn(y, pred);
      let loss = lossFn(y, pred);
      for (const reg of model.calculateLosses()) loss = tf.add(loss, reg);
      return loss;
    });
  });
  dropouts.forEach((d) => (d.seed = undefined));
  copyStateOut(model, state);
  return { loss: lossValue, correct, ms: performance.now() - t0 };
}

answerCalls<WorkerCall, StepAnswer | null>(async (call) => {
  const { model, lossFn, correctFn } = await ready;
  return { res: call.op === 'ready' ? null : await step(model, lossFn, correctFn, call) };
});
