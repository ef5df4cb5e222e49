import type { Command } from 'commander';
import { setting } from '@sig/shared';
import { z } from 'zod';
import { commandGroup } from '../cli-group.ts';
import { addSettingOptions, settingsFromCommand } from '../cli-settings.ts';
import { addClassifierOptions, classifierOptionsFrom } from '../train/classifier-options.ts';

/** `sig eval classifier`'s own settings (model and training settings: classifier-options.ts). */
export const EvalClassifierSettings = z.object({
  data: setting(z.string().min(1), { flag: 'data', arg: 'dir', help: 'dataset folder: one sub-folder of images per student' }),
  folds: setting(z.number().int().min(1).default(1), { flag: 'folds', arg: 'k', help: 'number of folds (1 = hold out each student’s last signature)' }),
  only: setting(z.array(z.coerce.number().int().min(1)).optional(), {
    flag: 'only',
    arg: 'list',
    help: 'run only these folds of --folds, comma-separated from 1 (e.g. 1,2), to split a long evaluation',
  }),
  ensemble: setting(z.number().int().min(1).default(1), { flag: 'ensemble', arg: 'n', help: 'models per fold, trained with different seeds; their scores are averaged' }),
  run: setting(z.string().min(1).optional(), { flag: 'run', arg: 'dir', help: 'take model, training and preprocessing settings from this run folder’s run.json' }),
  out: setting(z.string().min(1).optional(), { flag: 'out', arg: 'dir', help: 'folder for fold runs and results.json', defaultText: 'runs/eval-classifier-<time>' }),
  // 0 since training adds rough-capture copies: with them, averaging over augmented copies lowered held-out
  // top-1 in 8 of 10 re-scorings, by up to 4.9 points (docs/evaluation.md, "Test-time augmentation off"); it
  // stays an option.
  tta: setting(z.number().int().min(0).default(0), { flag: 'tta', arg: 'n', help: 'test-time augmentation: augmented copies averaged with each held-out image (0 = none)' }),
});

/** `sig eval classifier`: leave-one-signature-out cross-validation (a fresh model per fold). */
export function register(program: Command): void {
  const cmd = commandGroup(program, 'eval', 'evaluate a model honestly on held-out data')
    .command('classifier')
    .description('leave one signature per student out in each fold, train on the rest, report top-1/top-5/macro P/R/F1 per fold and their mean');
  addSettingOptions(cmd, EvalClassifierSettings);
  addClassifierOptions(cmd).action(async () => {
    const { ClassifierConfig, ClassifierTrainConfig, UserError } = await import('@sig/shared');
    const { data, folds, only, ensemble, run: runDir, out: outDir, tta } = settingsFromCommand(EvalClassifierSettings, cmd);
    const options = classifierOptionsFrom(cmd);
    let { model, train } = options;
    const { workers } = options;
    let preprocess = undefined;
    if (only && !only.every((f) => f <= folds)) throw new UserError(`--only must list folds from 1 to ${folds} (got '${only.join(',')}')`);
    if (runDir) {
      const { readRunInfo } = await import('../train/run-json.ts');
      const run = await readRunInfo(runDir, 'classifier');
      const { classes: _classes, ...m } = ClassifierConfig.parse(run.config.model);
      model = m;
      train = ClassifierTrainConfig.parse(run.config.train);
      preprocess = run.preprocess;
    }
    const { selectBackend } = await import('../backend/select.ts');
    await selectBackend(options.backend);
    const { crossValidate } = await import('../evaluate/classifier-cross-validate.ts');
    const out = outDir ?? `runs/eval-classifier-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    const res = await crossValidate({ data, folds, out, model, train, preprocess, tta, ensemble, only, engine: workers > 1 ? 'data-parallel' : 'single', workers });
    console.log(JSON.stringify({ folds: res.folds, mean: res.mean, meanPrototype: res.meanPrototype, meanCombined: res.meanCombined }, null, 2));
    console.log(`results → ${out}/results.json`);
  });
}
