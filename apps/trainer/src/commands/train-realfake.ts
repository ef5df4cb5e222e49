import type { Command } from 'commander';
import { RealFakeConfig, RealFakeTrainConfig, setting } from '@sig/shared';
import { z } from 'zod';
import { BackendSettings } from '../backend/backend-setting.ts';
import { commandGroup } from '../cli-group.ts';
import { addSettingOptions, settingsFromCommand } from '../cli-settings.ts';

/** Where `sig train realfake` reads and writes. */
export const TrainRealFakePaths = z.object({
  real: setting(z.array(z.string().min(1)).min(1), { flag: 'real', arg: 'dir...', help: 'dataset folder(s) of genuine images (one sub-folder per label)' }),
  generator: setting(z.string().min(1), {
    flag: 'generator',
    arg: 'dir',
    help: 'CGAN run folder (trains on its snapshots/, tests on its final model/generator) or a models folder (its exported generator as served: trains and tests on different seeds)',
  }),
  out: setting(z.string().min(1), { flag: 'out', arg: 'dir', help: 'run folder to write' }),
});

/** `sig train realfake`: genuine vs generated signatures, tested on a generator checkpoint it never saw. */
export function register(program: Command): void {
  const cmd = commandGroup(program, 'train', 'train a model (classifier, cgan, realfake, embedding, verifier)')
    .command('realfake')
    .description('train the real-vs-generated detector on genuine images and CGAN samples (one preprocessing pipeline)');
  for (const schema of [TrainRealFakePaths, RealFakeTrainConfig, RealFakeConfig, BackendSettings]) addSettingOptions(cmd, schema);
  cmd.action(async () => {
    const paths = settingsFromCommand(TrainRealFakePaths, cmd);
    const train = settingsFromCommand(RealFakeTrainConfig, cmd);
    const model = settingsFromCommand(RealFakeConfig, cmd);
    const { backend } = settingsFromCommand(BackendSettings, cmd);
    const { trainRealFakeRun } = await import('../train/realfake-run.ts');
    const { metrics: m, seconds, out } = await trainRealFakeRun({ ...paths, backend, model, train });
    console.log(
      `realfake (held out, unseen generator): accuracy ${m.accuracy.toFixed(4)}  AUC ${m.auc.toFixed(4)}  EER ${m.eer.toFixed(4)}  threshold ${m.threshold.toFixed(4)}  (${seconds.toFixed(0)} s) → ${out}`,
    );
  });
}
