import type { Command } from 'commander';
import { commandGroup } from '../cli-group.ts';
import { addClassifierOptions, classifierOptionsFrom } from '../train/classifier-options.ts';

type EvalOptions = { data: string; folds: string; only?: string; run?: string; out?: string; tta: string; ensemble: string };

/** `sig eval classifier`: leave-one-signature-out cross-validation (a fresh model per fold). */
export function register(program: Command): void {
  const cmd = commandGroup(program, 'eval', 'evaluate a model honestly on held-out data')
    .command('classifier')
    .description('leave one signature per student out in each fold, train on the rest, report top-1/top-5/macro P/R/F1 per fold and their mean')
    .requiredOption('--data <dir>', 'dataset folder: one sub-folder of images per student')
    .option('--folds <k>', 'number of folds (1 = hold out each student’s last signature)', '1')
    .option('--only <list>', 'run only these folds of --folds, comma-separated from 1 (e.g. 1,2), to split a long evaluation')
    .option('--ensemble <n>', 'models per fold, trained with different seeds; their scores are averaged', '1')
    .option('--run <dir>', 'take model, training and preprocessing settings from this run folder’s run.json')
    .option('--out <dir>', 'folder for fold runs and results.json (default: runs/eval-classifier-<time>)')
    .option('--tta <n>', 'test-time augmentation: augmented copies averaged with each held-out image', '4');
  addClassifierOptions(cmd).action(async (opts: EvalOptions) => {
    const { ClassifierConfig, ClassifierTrainConfig, UserError } = await import('@sig/shared');
    const options = classifierOptionsFrom(cmd);
    let { model, train } = options;
    const { workers } = options;
    let preprocess = undefined;
    const { cliNumber } = await import('../cli-number.ts');
    const folds = cliNumber('folds', opts.folds, 1);
    const tta = cliNumber('tta', opts.tta, 0);
    const ensemble = cliNumber('ensemble', opts.ensemble, 1);
    const only = opts.only?.split(',').map((f) => Number(f.trim()));
    if (only && !only.every((f) => Number.isInteger(f) && f >= 1 && f <= folds)) throw new UserError(`--only must list folds from 1 to ${folds} (got '${opts.only}')`);
    if (opts.run) {
      const { readRunInfo } = await import('../export/export-run.ts');
      const run = await readRunInfo(opts.run);
      if (run.kind !== 'classifier') throw new UserError(`${opts.run} is a ${run.kind} run, not a classifier run`);
      const { classes: _classes, ...m } = ClassifierConfig.parse(run.config.model);
      model = m;
      train = ClassifierTrainConfig.parse(run.config.train);
      preprocess = run.preprocess;
    }
    const { selectBackend } = await import('../backend/select.ts');
    await selectBackend(options.backend);
    const { crossValidate } = await import('../evaluate/classifier-cross-validate.ts');
    const out = opts.out ?? `runs/eval-classifier-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    const res = await crossValidate({ data: opts.data, folds, out, model, train, preprocess, tta, ensemble, only, engine: workers > 1 ? 'data-parallel' : 'single', workers });
    console.log(JSON.stringify({ folds: res.folds, mean: res.mean, meanPrototype: res.meanPrototype, meanCombined: res.meanCombined }, null, 2));
    console.log(`results → ${out}/results.json`);
  });
}
