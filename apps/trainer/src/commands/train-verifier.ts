import type { Command } from 'commander';
import { setting, UserError, VerifierConfig, VerifierTrainConfig } from '@sig/shared';
import { z } from 'zod';
import { BackendSettings } from '../backend/backend-setting.ts';
import { commandGroup } from '../cli-group.ts';
import { addSettingOptions, inputSize, inputSizeSettings, settingsFromCommand } from '../cli-settings.ts';

/** What `sig train verifier` reads and writes (model and training settings: the verifier schemas). */
export const TrainVerifierRun = z.object({
  data: setting(z.array(z.string().min(1)).min(1), {
    flag: 'data',
    arg: 'dataset...',
    help: 'folder datasets (<writer>/*.png or <writer>/genuine|forged/*.png), each optionally <dir>@<writers> e.g. signature-forgeries@1-40',
  }),
  holdout: setting(z.array(z.string().min(1)).optional(), {
    flag: 'holdout',
    arg: 'dataset...',
    help: 'development writers never trained on: the held-out curves',
    defaultText: '--val-writers of each --data set',
  }),
  out: setting(z.string().min(1), { flag: 'out', arg: 'dir', help: 'run folder to write' }),
  resume: setting(z.boolean().default(false), { flag: 'resume', help: 'continue from <out>/checkpoint with the run’s own data and settings' }),
});

const InputOptions = inputSizeSettings(VerifierConfig.parse({}));

/** `sig train verifier`: a pairwise (reference, query) signature verifier on one or more folder datasets. */
export function register(program: Command): void {
  const cmd = commandGroup(program, 'train', 'train a model (classifier, cgan, realfake, embedding, verifier)')
    .command('verifier')
    .description('train a pairwise verifier: a shared trunk sees a reference and a query, a head says whether one writer wrote both (genuine pairs against skilled forgeries and other writers); writes model/, run.json, metrics.json, curves.png');
  for (const schema of [TrainVerifierRun, InputOptions, VerifierConfig, VerifierTrainConfig, BackendSettings]) addSettingOptions(cmd, schema);
  cmd.action(async () => {
    const o = settingsFromCommand(TrainVerifierRun, cmd);
    const { input } = settingsFromCommand(InputOptions, cmd);
    const parsed = VerifierConfig.safeParse({ ...settingsFromCommand(VerifierConfig, cmd), ...(input === undefined ? {} : inputSize(input)) });
    if (!parsed.success) throw new UserError(`--input: ${parsed.error.issues[0].message}`);
    const train = settingsFromCommand(VerifierTrainConfig, cmd);
    const { selectBackend } = await import('../backend/select.ts');
    const backend = await selectBackend(settingsFromCommand(BackendSettings, cmd).backend);
    const { trainVerifierRun } = await import('../train/verifier-run.ts');
    const { run, result } = await trainVerifierRun({ data: o.data, holdout: o.holdout, out: o.out, model: parsed.data, train, resume: o.resume, backend });
    const m = run.metrics;
    const pct = (v: number | undefined) => (v === undefined ? '—' : `${(v * 100).toFixed(2)} %`);
    console.log(
      `verifier: ${result.steps} steps in ${result.seconds.toFixed(0)} s, ${run.dataset.classes} training writers; ` +
        (m['heldout.eer'] !== undefined ? `held-out EER ${pct(m['heldout.eer'])} (random ${pct(m['heldout.eerRandom'])}, skilled ${pct(m['heldout.eerSkilled'])})` : 'no held-out writers') +
        ` → ${o.out}`,
    );
  });
}
