import type { Command } from 'commander';
import { CganConfig, CganTrainConfig, setting } from '@sig/shared';
import { z } from 'zod';
import { BackendSettings } from '../backend/backend-setting.ts';
import { commandGroup } from '../cli-group.ts';
import { addSettingOptions, settingsFromCommand } from '../cli-settings.ts';

const ModelOptions = CganConfig.omit({ numClasses: true });

/** Where `sig train cgan` reads and writes. */
export const TrainCganPaths = z.object({
  data: setting(z.string().min(1), { flag: 'data', arg: 'dir', help: 'dataset folder: one sub-folder of images per label' }),
  out: setting(z.string().min(1), { flag: 'out', arg: 'dir', help: 'run folder to write (model/generator, model/discriminator, samples/, snapshots/)' }),
  resume: setting(z.boolean().default(false), { flag: 'resume', help: 'continue from <out>/checkpoint' }),
});

/** `sig train cgan`: conditional GAN on a folder dataset (one folder per student). */
export function register(program: Command): void {
  const cmd = commandGroup(program, 'train', 'train a model (classifier, cgan, realfake, embedding, verifier)')
    .command('cgan')
    .description('train the conditional GAN (generator z+label → 64×64 signature) on a folder dataset');
  for (const schema of [TrainCganPaths, CganTrainConfig, ModelOptions, BackendSettings]) addSettingOptions(cmd, schema);
  cmd.action(async () => {
    const paths = settingsFromCommand(TrainCganPaths, cmd);
    const train = settingsFromCommand(CganTrainConfig, cmd);
    const model = settingsFromCommand(ModelOptions, cmd);
    const { backend } = settingsFromCommand(BackendSettings, cmd);
    const { trainCganRun } = await import('../train/cgan-run.ts');
    const r = await trainCganRun({ ...paths, backend, model, train });
    console.log(`cgan: ${r.steps} steps in ${r.seconds.toFixed(0)} s → ${r.out}`);
  });
}
