// The adversarial training loop for the conditional GAN, one readable loop in the nanoGPT spirit:
// each step draws a batch of real images, updates the discriminator on real vs generated, then updates the
// generator to fool it (non-saturating loss). All randomness of step s comes from Rng(seed, s), so a run
// resumed from a checkpoint continues exactly as if it had never stopped.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { CganConfig, Rng, UserError, type FloatImage } from '@sig/shared';
import { augment, scaledRanges } from '../data/augment.ts';
import { buildDiscriminator, buildGenerator } from '../model/cgan.ts';
import { loadModel, saveModel } from '../model/io.ts';
import { predictData } from '../model/predict-data.ts';
import { adaObserve, createAda, realSign, type AdaState } from './ada.ts';
import { diffAugment } from './diff-augment.ts';
import { classLoss, discriminatorLoss, generatorLoss, modeSeekingLoss } from './gan-losses.ts';
import { copyWeights, updateEma } from './generator-ema.ts';
import { imleLoss, imleTargets } from './imle.ts';
import { checkTransition, conditionScale, conditioned } from './transition.ts';
import { createSpectralNorm, normalisedWeights, powerIterate, setSpectralVectors, spectralVectors, withSpectralNorm, type SpectralNorm } from './spectral-norm.ts';

/** Real training images in the generator's space ([-1, 1], paper -1), NHWC with one channel. */
export interface GanData {
  x: Float32Array;
  labels: Int32Array;
  n: number;
  size: number;
}

/** Everything that changes during training. */
export interface GanState {
  cfg: CganConfig;
  seed: number;
  generator: tfl.LayersModel;
  /** The moving average of the generator's weights (cfg.emaDecay > 0), else null. */
  generatorEma: tfl.LayersModel | null;
  discriminator: tfl.LayersModel;
  /** D's spectral normalisation (cfg.spectralNorm), else null. */
  spectralNorm: SpectralNorm | null;
  /** Adaptive augmentation's state (cfg.ada > 0), else null. */
  ada: AdaState | null;
  optG: tf.AdamOptimizer;
  optD: tf.AdamOptimizer;
  /** Steps completed. */
  step: number;
}

/** Losses and mean discriminator outputs of one step. */
export interface StepStats {
  step: number;
  dLoss: number;
  gLoss: number;
  /** Mean D(real) and D(fake) before the update (p(real); the raw score with the hinge loss). */
  dReal: number;
  dFake: number;
  /** With ADA: the augmentation probability this step used, and E[sign(D(real) − ½)] it observed. */
  augmentP?: number;
  realSign?: number;
}

/** Fresh generator, discriminator and Adam optimisers (lr, β1 from the config). */
export function createGan(cfg: CganConfig, seed: number): GanState {
  if (cfg.imle > 0 && cfg.imageSize % cfg.imlePool !== 0) throw new UserError(`cgan: --imle-pool ${cfg.imlePool} must divide the image side ${cfg.imageSize}`);
  if (cfg.ada > 0 && !cfg.diffAugment.length && !(cfg.realAugment > 0)) {
    throw new UserError('cgan: --ada tunes how often the --diff-augment or --real-augment transformations apply; give one, e.g. --diff-augment translation,cutout or --real-augment 1');
  }
  checkTransition(cfg);
  const generator = buildGenerator(cfg, seed * 2 + 1);
  let generatorEma: tfl.LayersModel | null = null;
  if (cfg.emaDecay > 0) {
    generatorEma = buildGenerator(cfg, seed * 2 + 1);
    copyWeights(generatorEma, generator);
  }
  const discriminator = buildDiscriminator(cfg, seed * 2 + 2);
  return {
    cfg,
    seed,
    generator,
    generatorEma,
    discriminator,
    spectralNorm: cfg.spectralNorm ? createSpectralNorm(discriminator, seed * 2 + 3) : null,
    ada: cfg.ada > 0 ? createAda() : null,
    optG: tf.train.adam(cfg.learningRate, cfg.beta1) as tf.AdamOptimizer,
    optD: tf.train.adam(cfg.learningRate, cfg.beta1) as tf.AdamOptimizer,
    step: 0,
  };
}

/** The random stream of one step: depends only on (seed, step). */
export function stepRng(seed: number, step: number): Rng {
  return new Rng(Math.imul(seed | 0, 0x9e3779b1) ^ (step * 2654435761) ^ 0x5bd1e995);
}

function trainableVars(model: tfl.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** D's outputs: the real/fake output (p(real), or a score with the hinge loss), the class logits and the twin's if it has them. */
function discriminate(D: tfl.LayersModel, image: tf.Tensor, label: tf.Tensor): { score: tf.Tensor; logits: tf.Tensor | null; twin: tf.Tensor | null } {
  const out = D.apply([image, label], { training: true }) as tf.Tensor | tf.Tensor[];
  return Array.isArray(out) ? { score: out[0], logits: out[1], twin: out[2] ?? null } : { score: out, logits: null, twin: null };
}

/** The generator to sample from: the weight average when the run keeps one, else the trained weights. */
export function samplingGenerator(state: GanState): tfl.LayersModel {
  return state.generatorEma ?? state.generator;
}

/**
 * `count` latent vectors (standard normal) and uniformly drawn one-hot labels. With `pairs` > 0 the rows
 * pairs…2·pairs−1 repeat the labels of rows 0…pairs−1 (the mode-seeking term compares them); the labels are drawn
 * after the latent vectors either way, so `pairs` = 0 is the reference stream.
 */
export function latentArrays(rng: Rng, count: number, latentDim: number, numClasses: number, pairs = 0): { z: Float32Array; label: Float32Array } {
  const z = new Float32Array(count * latentDim);
  for (let i = 0; i < z.length; i++) z[i] = rng.normal();
  const oh = new Float32Array(count * numClasses);
  const labels: number[] = [];
  for (let i = 0; i < count; i++) labels.push(i >= pairs && i < 2 * pairs ? labels[i - pairs] : rng.int(numClasses));
  labels.forEach((c, i) => (oh[i * numClasses + c] = 1));
  return { z, label: oh };
}

/** {@link latentArrays} as tensors. */
export function latentBatch(rng: Rng, count: number, latentDim: number, numClasses: number, pairs = 0): { z: tf.Tensor2D; label: tf.Tensor2D } {
  const { z, label } = latentArrays(rng, count, latentDim, numClasses, pairs);
  return { z: tf.tensor2d(z, [count, latentDim]), label: tf.tensor2d(label, [count, numClasses]) };
}

/**
 * A step's real images and one-hot labels (drawn with replacement: cheap, and deterministic from the step's stream).
 * With `augmentStrength` > 0 (`--real-augment`) each image is an augmented copy ({@link augmentReal}), drawn from the
 * same stream after the indices; at 0 the stream is the reference one. With `augmentP` < 1 (ADA's probability, `--ada`
 * with `--real-augment`) each image is augmented only when a uniform draw before its augmentation falls under p.
 */
export function realBatch(rng: Rng, data: GanData, batchSize: number, numClasses: number, augmentStrength = 0, augmentP = 1): { x: Float32Array; label: Float32Array } {
  const px = data.size * data.size;
  const x = new Float32Array(batchSize * px);
  const label = new Float32Array(batchSize * numClasses);
  for (let i = 0; i < batchSize; i++) {
    const k = rng.int(data.n);
    x.set(data.x.subarray(k * px, (k + 1) * px), i * px);
    label[i * numClasses + data.labels[k]] = 1;
  }
  if (augmentStrength > 0) {
    for (let i = 0; i < batchSize; i++) {
      if (augmentP < 1 && !(rng.next() < augmentP)) continue;
      const img = { width: data.size, height: data.size, data: x.subarray(i * px, (i + 1) * px) };
      x.set(augmentReal(img, rng, augmentStrength).data, i * px);
    }
  }
  return { x, label };
}

/**
 * The classifier's identity-keeping augmentation scaled by `strength` (1 = its ranges) on one real image in the
 * generator's [-1, 1] range, without its noise: G would learn to draw the noise.
 */
export function augmentReal(img: FloatImage, rng: Rng, strength: number): FloatImage {
  return augment(img, rng, { ...scaledRanges(strength), noise: 0, range: 'minus-one-one' });
}

/**
 * The auxiliary head's logits for `image`: from the pass `scored` that D's score came from, or, with `--aux-view
 * clean` and an augmented pass, from one more pass on the un-augmented `clean` image.
 */
function auxLogits(cfg: CganConfig, D: tfl.LayersModel, scored: { logits: tf.Tensor | null }, clean: tf.Tensor | undefined, label: tf.Tensor): tf.Tensor | null {
  if (!scored.logits || cfg.auxView !== 'clean' || clean === undefined) return scored.logits;
  return discriminate(D, clean, label).logits;
}

/**
 * D's objective: real images are real, generated ones are not (plus the real labels with an auxiliary classifier,
 * and the generated images' labels with the twin head).
 * `realClean`: the real images before augmentation (the head learns from them with `--aux-view clean`).
 * `condition`: λ of transitional conditioning (train/transition.ts): the labels D takes are scaled by it and the
 * heads' terms weighted by it. Also returns the mean D outputs, for the progress line.
 */
export function discriminatorObjective(cfg: CganConfig, D: tfl.LayersModel, real: tf.Tensor, realLabel: tf.Tensor, fake: tf.Tensor, fakeLabel: tf.Tensor, realClean?: tf.Tensor, condition = 1): { loss: tf.Scalar; dReal: tf.Scalar; dFake: tf.Scalar; realScore: tf.Tensor } {
  const realCondition = conditioned(realLabel, condition);
  const r = discriminate(D, real, realCondition);
  const q = discriminate(D, fake, conditioned(fakeLabel, condition));
  const adversarial = discriminatorLoss(cfg, r.score, q.score);
  const logits = auxLogits(cfg, D, r, realClean, realCondition);
  const w = cfg.auxWeight * condition;
  let loss = (logits ? tf.add(adversarial, tf.mul(w, classLoss(logits, realLabel))) : adversarial) as tf.Scalar;
  if (q.twin) loss = tf.add(loss, tf.mul(w, classLoss(q.twin, fakeLabel)));
  return { loss, dReal: tf.mean(r.score) as tf.Scalar, dFake: tf.mean(q.score) as tf.Scalar, realScore: r.score };
}

/**
 * G's objective: D calls fresh samples real (and, with the auxiliary classifier, of the label asked for, less the
 * twin head's cross-entropy with TAC-GAN); with the mode-seeking term, rows i and i + pairs share a label and must
 * differ. `condition`: λ of transitional conditioning, as for D.
 */
export function generatorObjective(cfg: CganConfig, G: tfl.LayersModel, D: tfl.LayersModel, z: tf.Tensor, label: tf.Tensor, augment?: (x: tf.Tensor4D) => tf.Tensor4D, pairs = 0, condition = 1): tf.Scalar {
  const c = conditioned(label, condition);
  const drawn = G.apply([z, c], { training: true }) as tf.Tensor4D;
  const q = discriminate(D, augment ? augment(drawn) : drawn, c);
  let loss = generatorLoss(cfg, q.score);
  const logits = auxLogits(cfg, D, q, augment ? drawn : undefined, c);
  const w = cfg.auxWeight * condition;
  if (logits) loss = tf.add(loss, tf.mul(w, classLoss(logits, label)));
  if (q.twin) loss = tf.sub(loss, tf.mul(w, classLoss(q.twin, label)));
  if (pairs > 0) loss = tf.add(loss, tf.mul(cfg.modeSeeking, modeSeekingLoss(drawn, z, pairs)));
  return loss;
}

/** One discriminator update then one generator update on a batch drawn from `data` (its statistics read back asynchronously, as WebGPU needs). */
export async function adversarialStep(state: GanState, data: GanData, batchSize: number): Promise<StepStats> {
  const { cfg, generator: G, discriminator: D } = state;
  const rng = stepRng(state.seed, state.step);
  const s = data.size;
  // With spectral normalisation σ of every D kernel is refreshed once a step, before both updates.
  const sn = state.spectralNorm;
  if (sn) powerIterate(sn);
  const condition = conditionScale(cfg, state.step);
  const stats = tf.tidy(() => {
    const p = state.ada ? state.ada.p : 1;
    const rb = realBatch(rng, data, batchSize, cfg.numClasses, cfg.realAugment, p);
    const real = tf.tensor4d(rb.x, [batchSize, s, s, 1]);
    const realLabel = tf.tensor2d(rb.label, [batchSize, cfg.numClasses]);

    // 1. Discriminator on real vs generated images; G is not updated here. With DiffAugment both kinds pass the
    // same random transformations.
    const f = latentBatch(rng, batchSize, cfg.latentDim, cfg.numClasses);
    const fake = G.apply([f.z, conditioned(f.label, condition)], { training: true }) as tf.Tensor4D;
    const augment = cfg.diffAugment.length ? (x: tf.Tensor4D): tf.Tensor4D => diffAugment(x, cfg.diffAugment, rng, p) : undefined;
    const realIn = augment ? augment(real) : real;
    const fakeIn = augment ? augment(fake) : fake;
    let dReal: tf.Tensor | undefined;
    let dFake: tf.Tensor | undefined;
    let sign: tf.Tensor | undefined;
    const dLoss = state.optD.minimize(
      () =>
        withSpectralNorm(sn, () => {
          const o = discriminatorObjective(cfg, D, realIn, realLabel, fakeIn, f.label, augment ? real : undefined, condition);
          dReal = tf.keep(o.dReal);
          dFake = tf.keep(o.dFake);
          // ADA's overfitting heuristic, only when ADA runs (one more read-back a step).
          if (state.ada) sign = tf.keep(realSign(cfg.loss, o.realScore));
          return o.loss;
        }),
      true,
      trainableVars(D),
    )!;

    // 2. Generator: make D call fresh samples real. With the mode-seeking term the batch is pairs of latent
    // vectors sharing a label.
    const pairs = cfg.modeSeeking > 0 ? Math.floor(batchSize / 2) : 0;
    const g = latentBatch(rng, batchSize, cfg.latentDim, cfg.numClasses, pairs);
    // With the IMLE term, the batch's first real images also pull their nearest samples (drawn after the batch's
    // latent vectors, so the stream without the term is unchanged).
    const m = Math.min(cfg.imleImages, batchSize);
    const pull = cfg.imle > 0 ? imleTargets(G, rng, tf.slice(real, 0, m), conditioned(tf.slice(realLabel, 0, m), condition) as tf.Tensor2D, cfg.imleSamples, cfg.latentDim, cfg.imlePool) : null;
    const gObjective = (): tf.Scalar => {
      const loss = generatorObjective(cfg, G, D, g.z, g.label, augment, pairs, condition);
      return pull ? (tf.add(loss, tf.mul(cfg.imle, imleLoss(G, pull, cfg.imlePool))) as tf.Scalar) : loss;
    };
    const gLoss = state.optG.minimize(() => withSpectralNorm(sn, gObjective), true, trainableVars(G))!;
    if (state.generatorEma) updateEma(state.generatorEma, G, cfg.emaDecay);
    return sign ? [dLoss, gLoss, dReal!, dFake!, sign] : [dLoss, gLoss, dReal!, dFake!];
  });
  const [dLoss, gLoss, dReal, dFake, r] = (await Promise.all(stats.map((t) => t.data()))).map((d) => d[0]);
  tf.dispose(stats);
  state.step++;
  return { step: state.step, dLoss, gLoss, dReal, dFake, ...observeAda(state, r, batchSize) };
}

/** With ADA: the probability this step used and the sign it observed, after moving p (see train/ada.ts); else nothing. */
export function observeAda(state: GanState, realSign: number, batchSize: number): Pick<StepStats, 'augmentP' | 'realSign'> {
  if (!state.ada) return {};
  const augmentP = state.ada.p;
  adaObserve(state.ada, realSign, batchSize, state.cfg.ada, state.cfg.adaImages);
  return { augmentP, realSign };
}

/**
 * D as it scores during training: a copy whose kernels are the spectrally normalised ones when the run uses
 * spectral normalisation (the live D keeps the raw weights the optimiser updates), else D itself.
 */
export function effectiveDiscriminator(state: GanState): tfl.LayersModel {
  if (!state.spectralNorm) return state.discriminator;
  const copy = buildDiscriminator(state.cfg);
  const weights = normalisedWeights(state.discriminator, state.spectralNorm);
  copy.setWeights(weights);
  tf.dispose(weights);
  return copy;
}

/** Generated images (inference mode, as exported) for latent vectors `z` and label indices. */
export function generate(generator: tfl.LayersModel, z: Float32Array, labels: ArrayLike<number>, latentDim: number, numClasses: number): Promise<Float32Array> {
  const n = labels.length;
  const oh = new Float32Array(n * numClasses);
  for (let i = 0; i < n; i++) oh[i * numClasses + labels[i]] = 1;
  return predictData(generator, () => [tf.tensor2d(z, [n, latentDim]), tf.tensor2d(oh, [n, numClasses])]);
}

/** Named tensors as `<file>.bin` + `<file>.json` (tf.io's weight encoding). */
async function saveNamed(named: { name: string; tensor: tf.Tensor }[], file: string): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights(named);
  await writeFile(`${file}.bin`, new Uint8Array(data));
  await writeFile(`${file}.json`, JSON.stringify(specs));
}

/** Tensors written by {@link saveNamed}, by name, and their names in the saved order. */
async function loadNamed(file: string): Promise<{ map: tf.NamedTensorMap; names: string[] }> {
  const specs = JSON.parse(await readFile(`${file}.json`, 'utf8')) as tf.io.WeightsManifestEntry[];
  const bytes = await readFile(`${file}.bin`);
  const map = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), specs);
  return { map, names: specs.map((s) => s.name) };
}

const saveOptimizer = async (opt: tf.Optimizer, file: string): Promise<void> => saveNamed(await opt.getWeights(), file);

async function loadOptimizer(opt: tf.Optimizer, file: string): Promise<void> {
  const { map, names } = await loadNamed(file);
  // Adam matches its slots to variables by position, so keep the saved order.
  await opt.setWeights(names.map((name) => ({ name, tensor: map[name] })));
}

/** Writes a resumable checkpoint (both models, both optimisers, the step) to `dir`, replacing it atomically. */
export async function saveCheckpoint(state: GanState, dir: string): Promise<void> {
  const tmp = `${dir}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await saveModel(state.generator, join(tmp, 'generator'));
  if (state.generatorEma) await saveModel(state.generatorEma, join(tmp, 'generator-ema'));
  await saveModel(state.discriminator, join(tmp, 'discriminator'));
  await saveOptimizer(state.optG, join(tmp, 'optimizer-generator'));
  await saveOptimizer(state.optD, join(tmp, 'optimizer-discriminator'));
  if (state.spectralNorm) await saveNamed(spectralVectors(state.spectralNorm), join(tmp, 'spectral-norm'));
  await writeFile(join(tmp, 'state.json'), JSON.stringify({ step: state.step, seed: state.seed, config: state.cfg, ...(state.ada ? { ada: state.ada } : {}) }, null, 2));
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
}

/** Restores a state written by {@link saveCheckpoint}. */
export async function loadCheckpoint(dir: string): Promise<GanState> {
  const saved = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as { step: number; seed: number; config: unknown; ada?: AdaState };
  // Parsed, so checkpoints written before an option existed get its default (the reference design).
  const state = createGan(CganConfig.parse(saved.config), saved.seed);
  state.generator.setWeights((await loadModel(join(dir, 'generator'))).getWeights());
  if (state.generatorEma) state.generatorEma.setWeights((await loadModel(join(dir, 'generator-ema'))).getWeights());
  state.discriminator.setWeights((await loadModel(join(dir, 'discriminator'))).getWeights());
  // The optimiser slots are created lazily on the first update; setWeights creates them from the file.
  await loadOptimizer(state.optG, join(dir, 'optimizer-generator'));
  await loadOptimizer(state.optD, join(dir, 'optimizer-discriminator'));
  if (state.spectralNorm) setSpectralVectors(state.spectralNorm, (await loadNamed(join(dir, 'spectral-norm'))).map);
  if (state.ada && saved.ada) Object.assign(state.ada, saved.ada);
  state.step = saved.step;
  return state;
}

/** Hooks the training command plugs in (progress bar, sample grids, checkpoints, snapshots). */
export interface AdversarialHooks {
  /** What computes a step (default {@link adversarialStep} on this thread; train/adversarial-parallel.ts on workers). */
  engine?: { step(state: GanState, data: GanData, batchSize: number): Promise<StepStats> };
  onStep?(stats: StepStats): void;
  /** Called after step s when s % every === 0 (and after the last step). */
  every?: { steps: number; run(state: GanState): Promise<void> }[];
}

/** Trains until `state.step === totalSteps`. */
export async function trainAdversarial(state: GanState, data: GanData, totalSteps: number, batchSize: number, hooks: AdversarialHooks = {}): Promise<StepStats[]> {
  const history: StepStats[] = [];
  while (state.step < totalSteps) {
    const stats = hooks.engine ? await hooks.engine.step(state, data, batchSize) : await adversarialStep(state, data, batchSize);
    if (!Number.isFinite(stats.dLoss) || !Number.isFinite(stats.gLoss)) {
      throw new Error(`adversarial training diverged at step ${stats.step} (dLoss ${stats.dLoss}, gLoss ${stats.gLoss})`);
    }
    history.push(stats);
    hooks.onStep?.(stats);
    for (const h of hooks.every ?? []) {
      if (state.step % h.steps === 0 || state.step === totalSteps) await h.run(state);
    }
    // Let the event loop breathe (progress bar redraws, Ctrl-C).
    if (state.step % 5 === 0) await new Promise((r) => setImmediate(r));
  }
  return history;
}
