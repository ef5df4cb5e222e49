/**
 * The adversarial step on worker threads (both cores): the CGAN's counterpart of data-parallel.ts. Each worker
 * holds a replica of G and D on its own trainable wasm backend; the main thread's GanState stays the single source
 * of truth (optimisers, EMA, checkpoints). A step draws exactly what the one-thread step draws (real images, the
 * latent batches, from the step's random stream), then:
 *   1. D phase: every worker gets its share of the real images and of the latent batch, generates its fakes with
 *      the published G, and computes D's gradient on its share; the main thread averages (by share) and applies
 *      optD. G's BatchNorm moving statistics from that forward come back averaged, as in the one-thread step.
 *   2. G phase: with the updated D published, every worker computes G's gradient on its share of the second latent
 *      batch; the main thread averages, applies optG, takes the BatchNorm statistics and updates the EMA.
 * D has no BatchNorm, so its gradient is the full batch's exactly (each worker's loss is the mean over its real
 * share plus the mean over its fake share; shares weighted by their size average to the full-batch means). G's
 * BatchNorm layers are synchronised across the workers (sync-batch-norm.ts): each normalises its share with the
 * whole batch's statistics and back-propagates through them, so any number of workers computes the one-thread
 * step, to float rounding, rather than "ghost batches" of a share each.
 * Weights reach the workers through SharedArrayBuffers (no per-step copies per worker; G's trainable weights,
 * the bulk of them, once a step), gradients and statistics come back through one buffer per worker. DiffAugment,
 * the mode-seeking and the IMLE terms draw, pair or search across the whole batch and spectral normalisation keeps
 * its power-iteration vectors on the main thread, so runs using them stay on one thread (`parallelSupport` says why).
 */
import { availableParallelism } from 'node:os';
import { UserError, type CganConfig } from '@sig/shared';
import { startTsWorker } from '@sig/shared/node/ts-worker.ts';
import { WorkerCalls } from '@sig/shared/node/worker-calls.ts';
import { backendSettings, markingForWorkers, type BackendSettings } from '../backend/settings.ts';
import { latentArrays, observeAda, realBatch, stepRng, type GanData, type GanState, type StepStats } from './adversarial.ts';
import { applyFlatGradients, averageInto, publishWeights, shardRanges, weightLayout, writeFlatState, type WeightLayout } from './flat-weights.ts';
import { updateEma } from './generator-ema.ts';
import { replicaGroupBuffer, syncWidth } from './sync-batch-norm.ts';
import { conditionScale } from './transition.ts';

/** What every worker receives at start (workerData). */
export interface AdversarialWorkerInit {
  cfg: CganConfig;
  seed: number;
  backend: string;
  settings: BackendSettings;
  gWeights: SharedArrayBuffer;
  dWeights: SharedArrayBuffer;
  gGrads: SharedArrayBuffer;
  gState: SharedArrayBuffer;
  dGrads: SharedArrayBuffer;
  /** G's BatchNorm statistics are the whole batch's: this replica's place in the group (sync-batch-norm.ts). */
  batchNorm: { buffer: SharedArrayBuffer; rank: number; replicas: number; width: number };
}

/** A worker's share of one phase: images and one-hot labels as flat rows. */
export type AdversarialCall =
  | { op: 'ready' }
  | { op: 'd'; n: number; real: Float32Array; realLabel: Float32Array; z: Float32Array; zLabel: Float32Array; condition: number }
  | { op: 'g'; n: number; z: Float32Array; zLabel: Float32Array; condition: number };

export interface AdversarialAnswer {
  loss: number;
  dReal: number;
  dFake: number;
  /** D phase with ADA: E[sign(D(real) − ½)] over the worker's share (0 otherwise). */
  realSign: number;
}

/** Why a configuration cannot train on workers, or null when it can. */
export function parallelSupport(cfg: CganConfig): string | null {
  if (cfg.diffAugment.length) return 'DiffAugment transforms the whole batch with one random draw';
  if (cfg.modeSeeking > 0) return 'the mode-seeking term compares pairs across the whole batch';
  if (cfg.imle > 0) return "the IMLE term's nearest samples are drawn for the whole real batch";
  if (cfg.spectralNorm) return "spectral normalisation's power iteration is not shared between workers";
  return null;
}

/** Rows [from, from + n) of a row-major array with `row` values per row (a copy, moved to the worker). */
const rows = (a: Float32Array, row: number, from: number, n: number): Float32Array => a.slice(from * row, (from + n) * row);

interface Replica {
  calls: WorkerCalls<AdversarialCall, AdversarialAnswer | null>;
  gGrads: Float32Array;
  gState: Float32Array;
  dGrads: Float32Array;
}

/** The data-parallel adversarial step engine; see the file header. */
export class ParallelAdversarial {
  private readonly avg: { g: Float32Array; gState: Float32Array; d: Float32Array };

  private constructor(
    private readonly replicas: Replica[],
    private readonly gView: Float32Array,
    private readonly dView: Float32Array,
    g: WeightLayout,
    d: WeightLayout,
  ) {
    this.avg = { g: new Float32Array(g.trainable), gState: new Float32Array(g.state), d: new Float32Array(d.trainable) };
  }

  /** Starts `workers` replicas of `state`'s networks (default: min(2, cores)). */
  static async create(state: GanState, workers?: number, backend = 'wasm'): Promise<ParallelAdversarial> {
    const why = parallelSupport(state.cfg);
    if (why) throw new Error(`this CGAN cannot train on workers: ${why}`);
    const count = Math.max(1, workers ?? Math.min(2, availableParallelism()));
    const g = weightLayout(state.generator);
    const d = weightLayout(state.discriminator);
    const gWeights = new SharedArrayBuffer(g.all * 4);
    const dWeights = new SharedArrayBuffer(d.all * 4);
    const width = syncWidth(state.generator);
    const batchNorm = replicaGroupBuffer(count, width);
    markingForWorkers();
    const replicas: Replica[] = [];
    for (let k = 0; k < count; k++) {
      const init: AdversarialWorkerInit = {
        cfg: state.cfg,
        seed: state.seed,
        backend,
        settings: backendSettings(),
        gWeights,
        dWeights,
        gGrads: new SharedArrayBuffer(g.trainable * 4),
        gState: new SharedArrayBuffer(g.state * 4),
        dGrads: new SharedArrayBuffer(d.trainable * 4),
        batchNorm: { buffer: batchNorm, rank: k, replicas: count, width },
      };
      const worker = startTsWorker(new URL('./adversarial-worker.ts', import.meta.url), { workerData: init });
      replicas.push({
        calls: new WorkerCalls(worker, `adversarial worker ${k}`),
        gGrads: new Float32Array(init.gGrads),
        gState: new Float32Array(init.gState),
        dGrads: new Float32Array(init.dGrads),
      });
    }
    const engine = new ParallelAdversarial(replicas, new Float32Array(gWeights), new Float32Array(dWeights), g, d);
    try {
      await Promise.all(replicas.map((r, k) => engine.request(k, { op: 'ready' })));
    } catch (err) {
      await engine.close();
      throw err;
    }
    return engine;
  }

  get workers(): number {
    return this.replicas.length;
  }

  private async request(k: number, call: AdversarialCall, transfer: ArrayBuffer[] = []): Promise<AdversarialAnswer | null> {
    try {
      return await this.replicas[k].calls.call(call, transfer);
    } catch (err) {
      throw new Error(`adversarial worker ${k}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** One D update then one G update, drawing what adversarialStep draws; advances state.step. */
  async step(state: GanState, data: GanData, batchSize: number): Promise<StepStats> {
    const { cfg, generator: G, discriminator: D } = state;
    const rng = stepRng(state.seed, state.step);
    const px = data.size * data.size;
    const c = cfg.numClasses;
    const rb = realBatch(rng, data, batchSize, c, cfg.realAugment, state.ada ? state.ada.p : 1);
    const f = latentArrays(rng, batchSize, cfg.latentDim, c);
    const g = latentArrays(rng, batchSize, cfg.latentDim, c);
    const condition = conditionScale(cfg, state.step);
    const shares = shardRanges(batchSize, this.replicas.length);
    if (shares.length < this.replicas.length) throw new UserError(`a batch of ${batchSize} cannot be shared by ${this.replicas.length} workers: use a batch of at least ${this.replicas.length}`);

    // 1. D phase.
    publishWeights(G, this.gView);
    publishWeights(D, this.dView);
    const dAnswers = (await Promise.all(
      shares.map(([from, m], k) => {
        const call = { op: 'd' as const, n: m, real: rows(rb.x, px, from, m), realLabel: rows(rb.label, c, from, m), z: rows(f.z, cfg.latentDim, from, m), zLabel: rows(f.label, c, from, m), condition };
        return this.request(k, call, [call.real.buffer, call.realLabel.buffer, call.z.buffer, call.zLabel.buffer] as ArrayBuffer[]);
      }),
    )) as AdversarialAnswer[];
    const share = (k: number) => shares[k][1] / batchSize;
    averageInto(this.avg.d, shares.map((_, k) => ({ share: share(k), src: this.replicas[k].dGrads })));
    averageInto(this.avg.gState, shares.map((_, k) => ({ share: share(k), src: this.replicas[k].gState })));
    applyFlatGradients(state.optD, D, this.avg.d);
    writeFlatState(G, this.avg.gState);

    // 2. G phase, against the updated D. G's trainable weights have not changed since the D phase: only its
    // BatchNorm statistics go out again.
    publishWeights(G, this.gView, true);
    publishWeights(D, this.dView);
    const gAnswers = (await Promise.all(
      shares.map(([from, m], k) => {
        const call = { op: 'g' as const, n: m, z: rows(g.z, cfg.latentDim, from, m), zLabel: rows(g.label, c, from, m), condition };
        return this.request(k, call, [call.z.buffer, call.zLabel.buffer] as ArrayBuffer[]);
      }),
    )) as AdversarialAnswer[];
    averageInto(this.avg.g, shares.map((_, k) => ({ share: share(k), src: this.replicas[k].gGrads })));
    averageInto(this.avg.gState, shares.map((_, k) => ({ share: share(k), src: this.replicas[k].gState })));
    applyFlatGradients(state.optG, G, this.avg.g);
    writeFlatState(G, this.avg.gState);
    if (state.generatorEma) updateEma(state.generatorEma, G, cfg.emaDecay);

    const mean = (a: AdversarialAnswer[], key: keyof AdversarialAnswer) => a.reduce((s, x, k) => s + share(k) * x[key], 0);
    state.step++;
    const stats = { step: state.step, dLoss: mean(dAnswers, 'loss'), gLoss: mean(gAnswers, 'loss'), dReal: mean(dAnswers, 'dReal'), dFake: mean(dAnswers, 'dFake') };
    return { ...stats, ...observeAda(state, mean(dAnswers, 'realSign'), batchSize) };
  }

  async close(): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.calls.worker.terminate()));
  }
}
