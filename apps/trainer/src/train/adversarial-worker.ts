// One replica of the data-parallel adversarial step (see adversarial-parallel.ts): G and D rebuilt from the
// config; per phase it reads the published weights, computes one network's gradient on its share and writes it
// (and G's BatchNorm statistics) back to shared memory, then averages its slice of every replica's buffers.
import { workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { answerCalls } from '@sig/shared/node/worker-calls.ts';
import { selectBackend } from '../backend/select.ts';
import { configureBackend } from '../backend/settings.ts';
import { buildDiscriminator, buildGenerator } from '../model/cgan.ts';
import { discriminatorObjective, generatorObjective } from './adversarial.ts';
import { averageInto, copyStateOut, gradientsInto, loadWeights, shardRange } from './flat-weights.ts';
import { ReplicaGroup, synchroniseBatchNorm } from './sync-batch-norm.ts';
import type { AdversarialAnswer, AdversarialCall, AdversarialWorkerInit, ReduceBuffers } from './adversarial-parallel.ts';

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
const views = (b: SharedArrayBuffer[]) => b.map((x) => new Float32Array(x));
const r = init.reduce;
const all: ReduceBuffers<Float32Array> = {
  gGrads: views(r.gGrads),
  gState: views(r.gState),
  dGrads: views(r.dGrads),
  avg: { g: new Float32Array(r.avg.g), gState: new Float32Array(r.avg.gState), d: new Float32Array(r.avg.d) },
};
const rank = init.batchNorm.rank;
const gGrads = all.gGrads[rank];
const gState = all.gState[rank];
const dGrads = all.dGrads[rank];

/**
 * After every replica has written its buffers (the group's barrier): this replica's slice of avg = Σ share_k ·
 * buffer_k, in rank order (the same arithmetic the whole average would do on one thread).
 */
function reduceSlice(avg: Float32Array, buffers: Float32Array[], shares: number[]): void {
  const [from, count] = shardRange(avg.length, buffers.length, rank);
  const to = from + count;
  averageInto(avg.subarray(from, to), buffers.map((b, k) => ({ share: shares[k], src: b.subarray(from, to) })));
}

function phaseD(G: tfl.LayersModel, D: tfl.LayersModel, c: Extract<AdversarialCall, { op: 'd' }>): AdversarialAnswer {
  loadWeights(G, gWeights);
  loadWeights(D, dWeights);
  const s = cfg.imageSize;
  let dReal = 0, dFake = 0;
  const loss = tf.tidy(() => {
    const fakeLabel = tf.tensor2d(c.zLabel, [c.n, cfg.numClasses]);
    const fake = G.apply([tf.tensor2d(c.z, [c.n, cfg.latentDim]), fakeLabel], { training: true }) as tf.Tensor;
    const real = tf.tensor4d(c.real, [c.n, s, s, 1]);
    const realLabel = tf.tensor2d(c.realLabel, [c.n, cfg.numClasses]);
    return gradientsInto(D, dGrads, () => {
      const o = discriminatorObjective(cfg, D, real, realLabel, fake, fakeLabel);
      dReal = o.dReal.dataSync()[0];
      dFake = o.dFake.dataSync()[0];
      return o.loss;
    });
  });
  copyStateOut(G, gState);
  group.meet();
  reduceSlice(all.avg.d, all.dGrads, c.shares);
  reduceSlice(all.avg.gState, all.gState, c.shares);
  return { loss, dReal, dFake };
}

function phaseG(G: tfl.LayersModel, D: tfl.LayersModel, c: Extract<AdversarialCall, { op: 'g' }>): AdversarialAnswer {
  loadWeights(G, gWeights, true); // its trainable weights are the D phase's: only the statistics changed since
  loadWeights(D, dWeights);
  const loss = tf.tidy(() => {
    const z = tf.tensor2d(c.z, [c.n, cfg.latentDim]);
    const label = tf.tensor2d(c.zLabel, [c.n, cfg.numClasses]);
    return gradientsInto(G, gGrads, () => generatorObjective(cfg, G, D, z, label));
  });
  copyStateOut(G, gState);
  group.meet();
  reduceSlice(all.avg.g, all.gGrads, c.shares);
  reduceSlice(all.avg.gState, all.gState, c.shares);
  return { loss, dReal: 0, dFake: 0 };
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
