import type { Command } from 'commander';
import { setting } from '@sig/shared';
import { z } from 'zod';
import { workersForBackend } from '../backend/backend-setting.ts';
import { commandGroup } from '../cli-group.ts';
import { addSettingOptions, settingsFromCommand } from '../cli-settings.ts';
import { addClassifierOptions, classifierOptionsFrom } from '../train/classifier-options.ts';

/** Where `sig train classifier` reads and writes (model and training settings: classifier-options.ts). */
export const TrainClassifierPaths = z.object({
  data: setting(z.string().min(1), { flag: 'data', arg: 'dir', help: 'dataset folder: one sub-folder of images per student' }),
  out: setting(z.string().min(1), { flag: 'out', arg: 'dir', help: 'run folder to write' }),
  resume: setting(z.boolean().default(false), { flag: 'resume', help: 'continue from <out>/checkpoint with the run’s own settings' }),
});

/** `sig train classifier`: the signature classifier on a folder dataset (one folder per student). */
export function register(program: Command): void {
  const cmd = commandGroup(program, 'train', 'train a model (classifier, cgan, realfake, embedding, verifier)')
    .command('classifier')
    .description('train the signature classifier on a folder dataset; writes model/, run.json, metrics.json, curves.png, confusion.png');
  addSettingOptions(cmd, TrainClassifierPaths);
  addClassifierOptions(cmd).action(async () => {
    const { data, out, resume } = settingsFromCommand(TrainClassifierPaths, cmd);
    const { model, train, workers: asked, backend: backendName } = classifierOptionsFrom(cmd);
    const { selectBackend } = await import('../backend/select.ts');
    const backend = await selectBackend(backendName);
    const workers = workersForBackend(backend, asked, cmd.getOptionValueSource('workers') === 'cli');
    const { trainClassifierRun } = await import('../train/classifier-run.ts');
    const { metrics, result } = await trainClassifierRun({
      data,
      out,
      model,
      train,
      resume,
      backend,
      engine: workers > 1 ? 'data-parallel' : 'single',
      workers,
    });
    console.log(
      `classifier: ${result.steps} steps in ${result.seconds.toFixed(0)} s (${result.engine}); validation top-1 ${metrics.top1.toFixed(4)} top-5 ${metrics.top5.toFixed(4)} F1 ${metrics.f1.toFixed(4)} → ${out}`,
    );
  });
}
