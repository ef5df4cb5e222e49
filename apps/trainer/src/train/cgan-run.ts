// `sig train cgan`'s run: data, the adversarial loop (./adversarial.ts) with progress, sample grids,
// checkpoints and generator snapshots, then the run folder. Options arrive typed; the command only parses.
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CganConfig, CganTrainConfig, normalVector, PreprocessConfig, RunInfo, UserError, type CganConfigInput, type CganTrainConfigInput } from '@sig/shared';
import { selectBackend } from '../backend/select.ts';
import { fractionSplit, leaveOneOutFolds, loadFolderDataset, loadPreprocessed } from '../data/index.ts';
import { sampleGridPng } from '../evaluate/gan-samples.ts';
import { saveModel } from '../model/io.ts';
import * as adv from './adversarial.ts';
import { ParallelAdversarial, parallelSupport } from './adversarial-parallel.ts';
import { createProgress } from './progress.ts';
import { heldOutPaths, readRunInfo, stepName, writeRunJson } from './run-json.ts';

/** What a CGAN run needs: folders, the model (labels come from the data) and training settings. */
export interface CganRunOptions {
  /** Dataset folder: one sub-folder of images per label. */
  data: string;
  /** Run folder to write. */
  out: string;
  /** Continue from <out>/checkpoint. */
  resume?: boolean;
  /** TensorFlow.js backend name (default: the best available). */
  backend?: string;
  model?: Omit<CganConfigInput, 'numClasses' | 'imageSize'>;
  train?: CganTrainConfigInput;
  /** For tests: stop after this step as if interrupted (checkpoint written, run not finalised). */
  interruptAt?: number;
}

/** The training settings a resumed run keeps from its run.json's config, whatever the command line says (its seed: run.json's `seed`). */
const KEPT_ON_RESUME = ['batch', 'holdout', 'holdoutLast', 'gridLabels'] as const;

/** Loads the data, builds or resumes the GAN, trains with progress, grids, checkpoints and snapshots, writes the run. */
export async function trainCganRun(opts: CganRunOptions): Promise<{ steps: number; seconds: number; out: string }> {
  const started = Date.now();
  const out = resolve(opts.out);
  const ckptDir = join(out, 'checkpoint');
  if (opts.resume && !existsSync(join(ckptDir, 'state.json'))) throw new UserError(`--resume: no checkpoint in ${ckptDir}`);
  // A resumed run keeps its data, split, seed and batch (run.json, written when the run started); the command
  // line gives only how far to train and how (steps, workers, cadences). A checkpoint of a run started before
  // run.json was written at the start has none, and resumes with the command line's settings as it used to.
  const saved = opts.resume ? await readRunInfo(out, 'cgan').catch(() => undefined) : undefined;
  const given = CganTrainConfig.parse(opts.train ?? {});
  // (A run.json written at the end by an older version has no split settings: those keys keep the command line's,
  // and the split itself comes from the held-out list it names, below.)
  const kept = saved ? Object.fromEntries(KEPT_ON_RESUME.filter((k) => k in saved.config).map((k) => [k, saved.config[k]])) : {};
  const { steps, batch, seed, sampleEvery, checkpointEvery, snapshotEvery, holdout, holdoutLast, gridLabels: gridRows, workers } = CganTrainConfig.parse({ ...given, ...kept, ...(saved ? { seed: saved.seed } : {}) });
  const dataDir = saved ? saved.dataset.path : resolve(opts.data);
  if (opts.resume && !saved) console.log(`resume: ${out} has no run.json yet; resuming with the command line's data and settings`);
  if (saved && dataDir !== resolve(opts.data)) console.log(`resume: training on the run's own data, ${dataDir}`);

  const backend = await selectBackend(opts.backend ?? 'auto');
  const index = await loadFolderDataset(dataDir);
  if (index.labels.length < 1 || index.items.length < 2) throw new UserError(`${dataDir}: no labelled images found`);
  if (saved && saved.labels.join('\0') !== index.labels.join('\0')) throw new UserError(`--resume: the labels of ${dataDir} differ from the run's`);
  // --holdout-last reuses the classifier cross-validation's fold 1, so a real-data classifier from
  // `sig eval classifier --folds 1` can judge the CGAN on images neither model trained on.
  // A resumed run keeps exactly the images it held out (run.json lists them).
  const split = saved ? savedSplit(index.items, heldOutPaths(saved), dataDir) : holdoutLast ? leaveOneOutFolds(index, 1)[0] : holdout > 0 ? fractionSplit(index, holdout, seed) : { train: index.items, test: [] };
  const imageSize = 64;
  const preprocess = PreprocessConfig.parse({ height: imageSize, width: imageSize, range: 'minus-one-one' });
  console.log(`data: ${index.labels.length} labels, ${split.train.length} training images, ${split.test.length} held out`);
  const loaded = await loadPreprocessed(split.train, preprocess);
  const data = { x: loaded.x, labels: loaded.y, n: loaded.n, size: imageSize };

  // A resumed run's model is its checkpoint's, whatever the command line's model flags say.
  const state = opts.resume ? await adv.loadCheckpoint(ckptDir) : adv.createGan(CganConfig.parse({ ...opts.model, numClasses: index.labels.length, imageSize }), seed);
  const cfg = state.cfg;
  if (cfg.numClasses !== index.labels.length) throw new UserError(`--resume: checkpoint has ${cfg.numClasses} labels, the dataset ${index.labels.length}`);
  if (opts.resume) console.log(`resuming at step ${state.step}`);
  const unsupported = workers > 1 ? parallelSupport(cfg) : null;
  if (unsupported) throw new UserError(`--workers ${workers}: ${unsupported}; train it with --workers 1`);
  await mkdir(join(out, 'samples'), { recursive: true });
  if (opts.resume) await retireEarlierEnd(out, state.step, steps);

  // run.json from the start, so a run in progress (or interrupted) can be resumed with its own settings and its
  // snapshots measured (`sig eval cgan --snapshot`) before it ends; rewritten with the metrics at the end.
  const run = RunInfo.parse({
    kind: 'cgan',
    name: 'cgan',
    createdAt: saved?.createdAt ?? new Date().toISOString(),
    labels: index.labels,
    preprocess,
    config: { ...cfg, steps, batch, workers, holdout, holdoutLast, gridLabels: gridRows },
    dataset: {
      path: dataDir,
      classes: index.labels.length,
      samples: split.train.length,
      heldOut: split.test.map((it) => it.path),
    },
    seed,
    backend,
    latentDim: cfg.latentDim,
    metrics: {},
  });
  await writeRunJson(out, run);

  // Fixed latent vectors for the grids, so successive grids show the same samples improving.
  const rows = Math.min(gridRows, cfg.numClasses);
  const cols = 8;
  const gridZ = normalVector(rows * cols * cfg.latentDim, seed + 7919);
  const gridLabels = Array.from({ length: rows * cols }, (_, i) => Math.floor(i / cols));
  const writeGrid = async (s: typeof state): Promise<void> => {
    const imgs = await adv.generate(adv.samplingGenerator(s), gridZ, gridLabels, cfg.latentDim, cfg.numClasses);
    const png = await sampleGridPng(imgs, rows, cols, imageSize, 'minus-one-one');
    await writeFile(join(out, 'samples', `${stepName(s.step)}.png`), png);
    await writeFile(join(out, 'samples.png'), png);
  };

  const engine = workers > 1 ? await ParallelAdversarial.create(state, workers) : undefined;
  if (engine) console.log(`adversarial steps on ${engine.workers} worker threads`);
  const progress = createProgress({ total: steps, start: state.step, label: 'cgan' });
  let history: adv.StepStats[];
  const until = Math.min(steps, opts.interruptAt ?? steps);
  try {
    history = await adv.trainAdversarial(state, data, until, batch, {
      engine,
      onStep: (st) => progress.update(st.step, { D: st.dLoss, G: st.gLoss, 'D(x)': st.dReal, 'D(G(z))': st.dFake, ...(st.augmentP === undefined ? {} : { p: st.augmentP }) }),
      every: [
        { steps: sampleEvery, run: writeGrid },
        { steps: snapshotEvery, run: (s) => saveModel(adv.samplingGenerator(s), join(out, 'snapshots', stepName(s.step))) },
        { steps: checkpointEvery, run: (s) => adv.saveCheckpoint(s, ckptDir) },
      ],
    });
  } finally {
    progress.stop();
    await engine?.close();
  }
  if (until < steps) return { steps: state.step, seconds: (Date.now() - started) / 1000, out };
  if (history.length === 0) await writeGrid(state);

  // With an EMA the averaged weights are the generator that is sampled, snapshotted and saved.
  await saveModel(adv.samplingGenerator(state), join(out, 'model', 'generator'));
  // D as it scored (normalised kernels with --spectral-norm); the checkpoint keeps the raw weights.
  await saveModel(adv.effectiveDiscriminator(state), join(out, 'model', 'discriminator'));
  const last = history.slice(-20);
  const mean = (f: (h: (typeof history)[number]) => number): number => (last.length ? last.reduce((a, h) => a + f(h), 0) / last.length : NaN);
  const metrics: Record<string, number> = last.length ? { dLoss: mean((h) => h.dLoss), gLoss: mean((h) => h.gLoss), dReal: mean((h) => h.dReal), dFake: mean((h) => h.dFake) } : {};
  const seconds = (Date.now() - started) / 1000;
  await writeRunJson(out, { ...run, metrics, seconds });
  await writeFile(join(out, 'metrics.json'), JSON.stringify({ steps: state.step, ...metrics, seconds }, null, 2));
  await writeFile(join(out, 'history.json'), JSON.stringify(history));
  return { steps: state.step, seconds, out };
}

/**
 * Resuming a finished run to more steps: its final generator and D belong to the earlier end, so they leave
 * `model/` (which `sig eval cgan`, `sig export` and `sig train realfake` read as the run's final generator) until
 * the new end writes it again. The generator stays as the snapshot of its step (saved there after the last step;
 * moved there if that snapshot is missing), so nothing is lost.
 */
async function retireEarlierEnd(out: string, step: number, steps: number): Promise<void> {
  const model = join(out, 'model');
  if (step >= steps || !existsSync(model)) return;
  const snapshot = join(out, 'snapshots', stepName(step));
  if (!existsSync(snapshot) && existsSync(join(model, 'generator'))) {
    await mkdir(join(out, 'snapshots'), { recursive: true });
    await rename(join(model, 'generator'), snapshot);
  }
  await rm(model, { recursive: true, force: true });
  console.log(`resume: the final generator of step ${step} is now snapshots/${stepName(step)}; model/ is written again at step ${steps}`);
}

/** The dataset's items split as a run held them out; a UserError when a held-out image is no longer in the data. */
function savedSplit<T extends { path: string }>(items: T[], held: Set<string>, dataDir: string): { train: T[]; test: T[] } {
  const test = items.filter((it) => held.has(resolve(it.path)));
  if (test.length !== held.size) throw new UserError(`--resume: ${held.size - test.length} of the run's ${held.size} held-out images are no longer in ${dataDir}`);
  return { train: items.filter((it) => !held.has(resolve(it.path))), test };
}
