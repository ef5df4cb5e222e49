import type { Command } from 'commander';
import { workersForBackend } from '../backend/cli-option.ts';
import { commandGroup } from '../cli-group.ts';
import { addClassifierOptions, classifierOptionsFrom } from '../train/classifier-options.ts';

/** `sig train classifier`: the signature classifier on a folder dataset (one folder per student). */
export function register(program: Command): void {
  const cmd = commandGroup(program, 'train', 'train a model (classifier, cgan, realfake, embedding)')
    .command('classifier')
    .description('train the signature classifier on a folder dataset; writes model/, run.json, metrics.json, curves.png, confusion.png')
    .requiredOption('--data <dir>', 'dataset folder: one sub-folder of images per student')
    .requiredOption('--out <dir>', 'run folder to write')
    .option('--resume', 'continue from <out>/checkpoint with the run’s own settings');
  addClassifierOptions(cmd).action(async (opts: { data: string; out: string; resume?: boolean }) => {
    const { model, train, workers: asked, backend: backendName } = classifierOptionsFrom(cmd);
    const { selectBackend } = await import('../backend/select.ts');
    const backend = await selectBackend(backendName);
    const workers = workersForBackend(backend, asked, cmd.getOptionValueSource('workers') === 'cli');
    const { trainClassifierRun } = await import('../train/classifier-run.ts');
    const { metrics, result } = await trainClassifierRun({
      data: opts.data,
      out: opts.out,
      model,
      train,
      resume: opts.resume,
      backend,
      engine: workers > 1 ? 'data-parallel' : 'single',
      workers,
    });
    console.log(
      `classifier: ${result.steps} steps in ${result.seconds.toFixed(0)} s (${result.engine}); validation top-1 ${metrics.top1.toFixed(4)} top-5 ${metrics.top5.toFixed(4)} F1 ${metrics.f1.toFixed(4)} → ${opts.out}`,
    );
  });
}
