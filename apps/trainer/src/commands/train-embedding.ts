import type { Command } from 'commander';
import { EmbeddingConfig, EmbeddingTrainConfig, setting, UserError } from '@sig/shared';
import { z } from 'zod';
import { BackendSettings, workersForBackend } from '../backend/backend-setting.ts';
import { commandGroup } from '../cli-group.ts';
import { addSettingOptions, inputSize, inputSizeSettings, settingsFromCommand } from '../cli-settings.ts';

/** The model's settings without `classes` (the training writers decide it). */
const ModelOptions = EmbeddingConfig.omit({ classes: true });

/** What `sig train embedding` reads and writes, and how it runs (model and training settings: the embedding schemas). */
export const TrainEmbeddingRun = z.object({
  data: setting(z.array(z.string().min(1)).min(1), {
    flag: 'data',
    arg: 'dataset...',
    help: 'folder datasets (<writer>/*.png or <writer>/genuine|forged/*.png), each optionally <dir>@<writers> e.g. sheets@1-92',
  }),
  holdout: setting(z.array(z.string().min(1)).optional(), {
    flag: 'holdout',
    arg: 'dataset...',
    help: 'development writers never trained on: validation and threshold calibration',
    defaultText: '--val-writers of each --data set',
  }),
  out: setting(z.string().min(1), { flag: 'out', arg: 'dir', help: 'run folder to write' }),
  resume: setting(z.boolean().default(false), { flag: 'resume', help: 'continue from <out>/checkpoint with the run’s own data and settings' }),
  workers: setting(z.number().int().min(1).max(16).default(2), { flag: 'workers', arg: 'n', help: 'data-parallel worker threads (1 = this thread; 2 = both cores)' }),
});

const InputOptions = inputSizeSettings(ModelOptions.parse({}));

/** `sig train embedding`: a writer-independent signature embedding on one or more folder datasets. */
export function register(program: Command): void {
  const cmd = commandGroup(program, 'train', 'train a model (classifier, cgan, realfake, embedding, verifier)')
    .command('embedding')
    .description('train a writer-independent signature embedding (CosFace over the training writers; skilled forgeries as hard negatives with --forgery-weight or --triplet-weight); writes model/, run.json with calibrated thresholds, metrics.json, curves.png');
  for (const schema of [TrainEmbeddingRun, InputOptions, ModelOptions, EmbeddingTrainConfig, BackendSettings]) addSettingOptions(cmd, schema);
  cmd.action(async () => {
    const o = settingsFromCommand(TrainEmbeddingRun, cmd);
    const { input } = settingsFromCommand(InputOptions, cmd);
    const parsed = ModelOptions.safeParse({ ...settingsFromCommand(ModelOptions, cmd), ...(input === undefined ? {} : inputSize(input)) });
    if (!parsed.success) throw new UserError(`--input: ${parsed.error.issues[0].message}`);
    const model = parsed.data;
    const train = settingsFromCommand(EmbeddingTrainConfig, cmd);
    const { selectBackend } = await import('../backend/select.ts');
    const backend = await selectBackend(settingsFromCommand(BackendSettings, cmd).backend);
    const workers = workersForBackend(backend, o.workers, cmd.getOptionValueSource('workers') === 'cli');
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
