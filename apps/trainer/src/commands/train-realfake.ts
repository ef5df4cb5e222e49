import type { Command } from 'commander';
import { RealFakeConfig, RealFakeTrainConfig } from '@sig/shared';
import { backendOption } from '../backend/cli-option.ts';
import { commandGroup } from '../cli-group.ts';
import { addSettingOptions, settingsFromCommand } from '../cli-settings.ts';

/** `sig train realfake`: genuine vs generated signatures, tested on a generator checkpoint it never saw. */
export function register(program: Command): void {
  const cmd = commandGroup(program, 'train', 'train a model (classifier, cgan, realfake, embedding)')
    .command('realfake')
    .description('train the real-vs-generated detector on genuine images and CGAN samples (one preprocessing pipeline)')
    .requiredOption('--real <dir...>', 'dataset folder(s) of genuine images (one sub-folder per label)')
    .requiredOption(
      '--generator <dir>',
      'CGAN run folder (trains on its snapshots/, tests on its final model/generator) or a models folder (its exported generator as served: trains and tests on different seeds)',
    )
    .requiredOption('--out <dir>', 'run folder to write');
  addSettingOptions(cmd, RealFakeTrainConfig);
  addSettingOptions(cmd, RealFakeConfig)
    .addOption(backendOption())
    .action(async (opts: { real: string[]; generator: string; out: string; backend: string }) => {
      const train = settingsFromCommand(RealFakeTrainConfig, cmd);
      const model = settingsFromCommand(RealFakeConfig, cmd);
      const { trainRealFakeRun } = await import('../train/realfake-run.ts');
      const { metrics: m, seconds, out } = await trainRealFakeRun({ real: opts.real, generator: opts.generator, out: opts.out, backend: opts.backend, model, train });
      console.log(
        `realfake (held out, unseen generator): accuracy ${m.accuracy.toFixed(4)}  AUC ${m.auc.toFixed(4)}  EER ${m.eer.toFixed(4)}  threshold ${m.threshold.toFixed(4)}  (${seconds.toFixed(0)} s) → ${out}`,
      );
    });
}
