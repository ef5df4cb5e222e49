import type { Command } from 'commander';
import { CganConfig, CganTrainConfig } from '@sig/shared';
import { backendOption } from '../backend/cli-option.ts';
import { commandGroup } from '../cli-group.ts';
import { addSettingOptions, settingsFromCommand } from '../cli-settings.ts';

const ModelOptions = CganConfig.omit({ numClasses: true });

/** `sig train cgan`: conditional GAN on a folder dataset (one folder per student). */
export function register(program: Command): void {
  const cmd = commandGroup(program, 'train', 'train a model (classifier, cgan, realfake, embedding)')
    .command('cgan')
    .description('train the conditional GAN (generator z+label → 64×64 signature) on a folder dataset')
    .requiredOption('--data <dir>', 'dataset folder: one sub-folder of images per label')
    .requiredOption('--out <dir>', 'run folder to write (model/generator, model/discriminator, samples/, snapshots/)');
  addSettingOptions(cmd, CganTrainConfig);
  addSettingOptions(cmd, ModelOptions)
    .option('--resume', 'continue from <out>/checkpoint')
    .addOption(backendOption())
    .action(async (opts: { data: string; out: string; resume?: boolean; backend: string }) => {
      const train = settingsFromCommand(CganTrainConfig, cmd);
      const model = settingsFromCommand(ModelOptions, cmd);
      const { trainCganRun } = await import('../train/cgan-run.ts');
      const r = await trainCganRun({ data: opts.data, out: opts.out, resume: opts.resume, backend: opts.backend, model, train });
      console.log(`cgan: ${r.steps} steps in ${r.seconds.toFixed(0)} s → ${r.out}`);
    });
}
