import type { Command } from 'commander';
import { commandGroup } from '../cli-group.ts';
import { backendOption } from '../backend/cli-option.ts';
import { UserError } from '@sig/shared';
import { cliNumber } from '../cli-number.ts';

/** Options of `sig train cgan` (strings as commander gives them). */
export interface CganOptions {
  data: string;
  out: string;
  steps: string;
  batch: string;
  seed: string;
  sampleEvery: string;
  checkpointEvery: string;
  snapshotEvery: string;
  holdout: string;
  holdoutLast?: boolean;
  gridLabels: string;
  genFilters: string;
  discFilters: string;
  upsample: string;
  realLabel: string;
  resume?: boolean;
  backend: string;
}

/** `sig train cgan`: conditional GAN on a folder dataset (one folder per student). */
export function register(program: Command): void {
  commandGroup(program, 'train', 'train a model (classifier, cgan, realfake)')
    .command('cgan')
    .description('train the conditional GAN (generator z+label → 64×64 signature) on a folder dataset')
    .requiredOption('--data <dir>', 'dataset folder: one sub-folder of images per label')
    .requiredOption('--out <dir>', 'run folder to write (model/generator, model/discriminator, samples/, snapshots/)')
    .option('--steps <n>', 'total adversarial steps (one D and one G update each)', '600')
    .option('--batch <n>', 'batch size', '16')
    .option('--seed <n>', 'random seed (weights, batches, latent vectors)', '1')
    .option('--sample-every <n>', 'write a sample grid PNG every n steps', '100')
    .option('--checkpoint-every <n>', 'write a resumable checkpoint every n steps', '50')
    .option('--snapshot-every <n>', 'keep a generator snapshot every n steps (the real/fake detector trains on them)', '200')
    .option('--holdout <fraction>', 'share of each label held out of GAN training (for sig eval cgan)', '0.2')
    .option('--holdout-last', "hold out each label's last image in natural order instead (the split of `sig eval classifier --folds 1`, so its fold model never saw them)")
    .option('--grid-labels <n>', 'rows (labels) in the sample grid', '10')
    .option('--gen-filters <n>', 'generator channels after the Dense layer (reference: 128)', '64')
    .option('--disc-filters <n>', 'discriminator first-conv filters (reference: 64)', '32')
    .option('--upsample <kind>', "'resize' (UpSampling2D+Conv2D) or 'transpose' (Conv2DTranspose)", 'resize')
    .option('--real-label <v>', 'one-sided label smoothing target for real images (1 = none)', '0.9')
    .option('--resume', 'continue from <out>/checkpoint')
    .addOption(backendOption())
    .action(async (opts: CganOptions) => {
      await trainCganRun(opts);
    });
}

/** Loads the data, builds or resumes the GAN, trains with progress, grids, checkpoints and snapshots, writes the run. */
export async function trainCganRun(opts: CganOptions): Promise<void> {
  const started = Date.now();
  const { existsSync } = await import('node:fs');
  const { mkdir, writeFile } = await import('node:fs/promises');
  const { join, resolve } = await import('node:path');
  const { CganConfig, PreprocessConfig, RunInfo, normalVector } = await import('@sig/shared');
  const { selectBackend } = await import('../backend/select.ts');
  const { loadFolderDataset, fractionSplit, leaveOneOutFolds, loadPreprocessed } = await import('../data/index.ts');
  const adv = await import('../train/adversarial.ts');
  const { sampleGridPng } = await import('../evaluate/gan-samples.ts');
  const { saveModel } = await import('../model/io.ts');
  const { createProgress } = await import('../train/progress.ts');

  const steps = cliNumber('steps', opts.steps, 1);
  const batch = cliNumber('batch', opts.batch, 1);
  const seed = cliNumber('seed', opts.seed, 0);
  const sampleEvery = cliNumber('sample-every', opts.sampleEvery, 1);
  const checkpointEvery = cliNumber('checkpoint-every', opts.checkpointEvery, 1);
  const snapshotEvery = cliNumber('snapshot-every', opts.snapshotEvery, 1);
  const holdout = Number(opts.holdout);
  if (!(holdout >= 0 && holdout < 1)) throw new UserError(`--holdout must be in [0, 1) (got '${opts.holdout}')`);
  if (opts.upsample !== 'resize' && opts.upsample !== 'transpose') throw new UserError(`--upsample must be 'resize' or 'transpose'`);
  const out = resolve(opts.out);
  const ckptDir = join(out, 'checkpoint');
  if (opts.resume && !existsSync(join(ckptDir, 'state.json'))) throw new UserError(`--resume: no checkpoint in ${ckptDir}`);

  const backend = await selectBackend(opts.backend);
  const index = await loadFolderDataset(resolve(opts.data));
  if (index.labels.length < 1 || index.items.length < 2) throw new UserError(`${opts.data}: no labelled images found`);
  // --holdout-last reuses the classifier cross-validation's fold 1, so a real-data classifier from
  // `sig eval classifier --folds 1` can judge the CGAN on images neither model trained on.
  const split = opts.holdoutLast ? leaveOneOutFolds(index, 1)[0] : holdout > 0 ? fractionSplit(index, holdout, seed) : { train: index.items, test: [] };
  const imageSize = 64;
  const preprocess = PreprocessConfig.parse({ height: imageSize, width: imageSize, range: 'minus-one-one' });
  console.log(`data: ${index.labels.length} labels, ${split.train.length} training images, ${split.test.length} held out`);
  const loaded = await loadPreprocessed(split.train, preprocess);
  const data = { x: loaded.x, labels: loaded.y, n: loaded.n, size: imageSize };

  const cfg = CganConfig.parse({
    numClasses: index.labels.length,
    imageSize,
    genFilters: cliNumber('gen-filters', opts.genFilters, 1),
    discFilters: cliNumber('disc-filters', opts.discFilters, 1),
    upsample: opts.upsample,
    realLabel: cliNumber('real-label', opts.realLabel, -Infinity, false),
  });
  const state = opts.resume ? await adv.loadCheckpoint(ckptDir) : adv.createGan(cfg, seed);
  if (state.cfg.numClasses !== cfg.numClasses) throw new UserError(`--resume: checkpoint has ${state.cfg.numClasses} labels, the dataset ${cfg.numClasses}`);
  if (opts.resume) console.log(`resuming at step ${state.step}`);
  await mkdir(join(out, 'samples'), { recursive: true });

  // Fixed latent vectors for the grids, so successive grids show the same samples improving.
  const rows = Math.min(cliNumber('grid-labels', opts.gridLabels, 1), cfg.numClasses);
  const cols = 8;
  const gridZ = normalVector(rows * cols * cfg.latentDim, seed + 7919);
  const gridLabels = Array.from({ length: rows * cols }, (_, i) => Math.floor(i / cols));
  const writeGrid = async (s: typeof state): Promise<void> => {
    const imgs = await adv.generate(s.generator, gridZ, gridLabels, cfg.latentDim, cfg.numClasses);
    const png = await sampleGridPng(imgs, rows, cols, imageSize, 'minus-one-one');
    await writeFile(join(out, 'samples', `step-${String(s.step).padStart(6, '0')}.png`), png);
    await writeFile(join(out, 'samples.png'), png);
  };

  const progress = createProgress({ total: steps, start: state.step, label: 'cgan' });
  const history = await adv.trainAdversarial(state, data, steps, batch, {
    onStep: (st) => progress.update(st.step, { D: st.dLoss, G: st.gLoss, 'D(x)': st.dReal, 'D(G(z))': st.dFake }),
    every: [
      { steps: sampleEvery, run: writeGrid },
      { steps: snapshotEvery, run: (s) => saveModel(s.generator, join(out, 'snapshots', `step-${String(s.step).padStart(6, '0')}`)) },
      { steps: checkpointEvery, run: (s) => adv.saveCheckpoint(s, ckptDir) },
    ],
  });
  progress.stop();
  if (history.length === 0) await writeGrid(state);

  await saveModel(state.generator, join(out, 'model', 'generator'));
  await saveModel(state.discriminator, join(out, 'model', 'discriminator'));
  const last = history.slice(-20);
  const mean = (f: (h: (typeof history)[number]) => number): number => (last.length ? last.reduce((a, h) => a + f(h), 0) / last.length : NaN);
  const metrics = last.length ? { dLoss: mean((h) => h.dLoss), gLoss: mean((h) => h.gLoss), dReal: mean((h) => h.dReal), dFake: mean((h) => h.dFake) } : {};
  const seconds = (Date.now() - started) / 1000;
  const run = RunInfo.parse({
    kind: 'cgan',
    name: 'cgan',
    createdAt: new Date().toISOString(),
    labels: index.labels,
    preprocess,
    config: { ...cfg, steps, batch },
    dataset: {
      path: resolve(opts.data),
      classes: index.labels.length,
      samples: split.train.length,
      heldOut: split.test.map((it) => it.path),
    },
    seed,
    backend,
    latentDim: cfg.latentDim,
    metrics,
    seconds,
  });
  await writeFile(join(out, 'run.json'), JSON.stringify(run, null, 2));
  await writeFile(join(out, 'metrics.json'), JSON.stringify({ steps: state.step, ...metrics, seconds }, null, 2));
  await writeFile(join(out, 'history.json'), JSON.stringify(history));
  console.log(`cgan: ${state.step} steps in ${seconds.toFixed(0)} s → ${out}`);
}
