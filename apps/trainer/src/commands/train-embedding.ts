import type { Command } from 'commander';
import { commandGroup } from '../cli-group.ts';
import { backendOption, workersForBackend } from '../backend/cli-option.ts';

interface Opts {
  data: string[];
  holdout?: string[];
  out: string;
  resume?: boolean;
  input: string;
  width: string;
  dim: string;
  seed: string;
  steps: string;
  batchSize: string;
  lr: string;
  objective: string;
  scale: string;
  margin: string;
  forgeryWeight: string;
  forgeryMargin: string;
  valWriters: string;
  references: string;
  evalEvery: string;
  augment: boolean;
  workers: string;
  backend: string;
}

/** `sig train embedding`: a writer-independent signature embedding on one or more folder datasets. */
export function register(program: Command): void {
  commandGroup(program, 'train', 'train a model (classifier, cgan, realfake, embedding)')
    .command('embedding')
    .description('train a writer-independent signature embedding (CosFace over the training writers, forgeries as hard negatives); writes model/, run.json with calibrated thresholds, metrics.json, curves.png')
    .requiredOption('--data <dataset...>', 'folder datasets (<writer>/*.png or <writer>/genuine|forged/*.png), each optionally <dir>@<writers> e.g. sheets@1-92')
    .option('--holdout <dataset...>', 'development writers never trained on: validation and threshold calibration (default: --val-writers of each --data set)')
    .requiredOption('--out <dir>', 'run folder to write')
    .option('--resume', 'continue from <out>/checkpoint with the run’s own data and settings')
    .option('--input <HxW>', 'model input size in pixels, height×width', '48x96')
    .option('--width <m>', 'width multiplier of the convolution filters', '0.25')
    .option('--dim <d>', 'embedding dimension', '128')
    .option('--seed <n>', 'random seed (weights, batches, augmentation, held-out writers)', '1')
    .option('--steps <n>', 'optimizer steps', '3000')
    .option('--batch-size <n>', 'batch size', '64')
    .option('--lr <rate>', 'peak Adam learning rate (cosine decay)', '0.002')
    .option('--objective <name>', "'cosface' (margin softmax) or 'softmax' (margin 0)", 'cosface')
    .option('--scale <s>', 'cosine logit scale s', '24')
    .option('--margin <m>', 'CosFace margin m', '0.3')
    .option('--forgery-weight <w>', 'weight of the skilled-forgery term (0: ignore forgeries)', '1')
    .option('--forgery-margin <d>', 'cosine a forgery is pushed below, to the writer it imitates', '0.2')
    .option('--val-writers <f>', 'share of each dataset’s writers held out when there is no --holdout', '0.1')
    .option('--references <n>', 'signatures each held-out writer enrols for calibration', '3')
    .option('--eval-every <steps>', 'measure the held-out writers every n steps (0 = at the end)', '500')
    .option('--no-augment', 'train without on-the-fly augmentation')
    .option('--workers <n>', 'data-parallel worker threads (1 = this thread; 2 = both cores)', '2')
    .addOption(backendOption())
    .action(async (o: Opts, cmd: Command) => {
      const { cliNumber } = await import('../cli-number.ts');
      const { UserError, EmbeddingTrainConfig } = await import('@sig/shared');
      const m = /^(\d+)[x×](\d+)$/.exec(o.input.trim());
      if (!m) throw new UserError(`--input must look like 48x96 (height x width), got '${o.input}'`);
      if (o.objective !== 'cosface' && o.objective !== 'softmax') throw new UserError(`--objective must be cosface or softmax, got '${o.objective}'`);
      const model = { inputHeight: Number(m[1]), inputWidth: Number(m[2]), widthMultiplier: cliNumber('width', o.width, 0.01, false, 4), embeddingDim: cliNumber('dim', o.dim, 8, true, 1024) };
      const train = EmbeddingTrainConfig.parse({
        seed: cliNumber('seed', o.seed),
        steps: cliNumber('steps', o.steps, 1),
        batchSize: cliNumber('batch-size', o.batchSize, 2),
        learningRate: cliNumber('lr', o.lr, 1e-8, false),
        objective: o.objective,
        scale: cliNumber('scale', o.scale, 1e-3, false),
        margin: cliNumber('margin', o.margin, 0, false, 1),
        forgeryWeight: cliNumber('forgery-weight', o.forgeryWeight, 0, false),
        forgeryMargin: cliNumber('forgery-margin', o.forgeryMargin, -1, false, 1),
        valWriters: cliNumber('val-writers', o.valWriters, 0, false, 0.5),
        references: cliNumber('references', o.references, 1),
        evalEvery: cliNumber('eval-every', o.evalEvery, 0),
        augment: o.augment,
      });
      const { selectBackend } = await import('../backend/select.ts');
      const backend = await selectBackend(o.backend);
      const workers = workersForBackend(backend, cliNumber('workers', o.workers, 1, true, 16), cmd.getOptionValueSource('workers') === 'cli');
      const { trainEmbeddingRun } = await import('../train/embedding-run.ts');
      const { run, result } = await trainEmbeddingRun({ data: o.data, holdout: o.holdout, out: o.out, model, train, resume: o.resume, backend, workers });
      const t = run.thresholds;
      const eer = run.metrics['heldout.eer'];
      console.log(
        `embedding: ${result.steps} steps in ${result.seconds.toFixed(0)} s (${result.engine}), ${run.dataset.classes} training writers; ` +
          (t ? `held-out EER ${(eer * 100).toFixed(2)} %, thresholds FAR1% ${t.far1.toFixed(4)} FAR0.1% ${t.far01.toFixed(4)} EER ${t.eer.toFixed(4)}` : 'no held-out writers: no thresholds') +
          ` → ${o.out}`,
      );
    });
}
