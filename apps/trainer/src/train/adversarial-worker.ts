// One replica of the data-parallel adversarial step (see adversarial-parallel.ts): G and D rebuilt from the
// config; per phase it reads the published weights, computes one network's gradient on its share and writes it
// (and G's BatchNorm statistics) back to shared memory.
import { workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { answerCalls } from '@sig/shared/node/worker-calls.ts';
import { selectBackend } from '../backend/select.ts';
import { configureBackend } from '../backend/settings.ts';
import { buildDiscriminator, buildGenerator } from '../model/cgan.ts';
import { realSign as meanRealSign } from './ada.ts';
import { discriminatorObjective, generatorObjective } from './adversarial.ts';
import { copyStateOut, gradientsInto, loadWeights } from './flat-weights.ts';
import { ReplicaGroup, synchroniseBatchNorm } from './sync-batch-norm.ts';
import { conditioned } from './transition.ts';
import type { AdversarialAnswer, AdversarialCall, AdversarialWorkerInit } from './adversarial-parallel.ts';

const init = workerData as AdversarialWorkerInit;
const { cfg } = init;
const group = new ReplicaGroup(init.batchNorm.buffer, init.batchNorm.rank, init.batchNorm.replicas, init.batchNorm.width);

async function setup(): Promise<{ G: tfl.LayersModel; D: tfl.LayersModel }> {
  configureBackend(init.settings);
  await selectBackend(init.backend, { log: () => {} });
  const G = buildGenerator(cfg, init.seed * 2 + 1);
  synchroniseBatchNorm(G, group);
  return { G, D: buildDiscriminator(cfg, init.seed * 2 + 2) };
}
const ready = setup();
ready.catch(() => {}); // handled by the first call that awaits it

const gWeights = new Float32Array(init.gWeights);
const dWeights = new Float32Array(init.dWeights);
const gGrads = new Float32Array(init.gGrads);
const gState = new Float32Array(init.gState);
const dGrads = new Float32Array(init.dGrads);

function phaseD(G: tfl.LayersModel, D: tfl.LayersModel, c: Extract<AdversarialCall, { op: 'd' }>): AdversarialAnswer {
  loadWeights(G, gWeights);
  loadWeights(D, dWeights);
  const s = cfg.imageSize;
  let dReal = 0, dFake = 0, realSign = 0;
  const loss = tf.tidy(() => {
    const fakeLabel = tf.tensor2d(c.zLabel, [c.n, cfg.numClasses]);
    const fake = G.apply([tf.tensor2d(c.z, [c.n, cfg.latentDim]), conditioned(fakeLabel, c.condition)], { training: true }) as tf.Tensor;
    const real = tf.tensor4d(c.real, [c.n, s, s, 1]);
    const realLabel = tf.tensor2d(c.realLabel, [c.n, cfg.numClasses]);
    return gradientsInto(D, dGrads, () => {
      const o = discriminatorObjective(cfg, D, real, realLabel, fake, fakeLabel, undefined, c.condition);
      dReal = o.dReal.dataSync()[0];
      dFake = o.dFake.dataSync()[0];
      if (cfg.ada > 0) realSign = meanRealSign(cfg.loss, o.realScore).dataSync()[0];
      return o.loss;
    });
  });
  copyStateOut(G, gState);
  return { loss, dReal, dFake, realSign };
}

function phaseG(G: tfl.LayersModel, D: tfl.LayersModel, c: Extract<AdversarialCall, { op: 'g' }>): AdversarialAnswer {
  loadWeights(G, gWeights, true); // its trainable weights are the D phase's: only the statistics changed since
  loadWeights(D, dWeights);
  const loss = tf.tidy(() => {
    const z = tf.tensor2d(c.z, [c.n, cfg.latentDim]);
    const label = tf.tensor2d(c.zLabel, [c.n, cfg.numClasses]);
    return gradientsInto(G, gGrads, () => generatorObjective(cfg, G, D, z, label, undefined, 0, c.condition));
  });
  copyStateOut(G, gState);
  return { loss, dReal: 0, dFake: 0, realSign: 0 };
}

answerCalls<AdversarialCall, AdversarialAnswer | null>(async (call) => {
  const { G, D } = await ready;
  if (call.op === 'ready') return { res: null };
  try {
    return { res: call.op === 'd' ? phaseD(G, D, call) : phaseG(G, D, call) };
  } catch (err) {
    group.abort(); // the other replicas wait for this one at G's BatchNorm layers: wake them with the error
    throw err;
  }
});
