// The options `sig train classifier` and `sig eval classifier` share. Flags, help and defaults come from
// the model and training schemas in @sig/shared (their registered settings); only `--input HxW`, which sets
// two fields at once, is spelled here.
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { z } from 'zod';
import { ClassifierConfig, ClassifierTrainConfig, setting, settingFields, UserError, type ClassifierTrainConfig as TrainConfig } from '@sig/shared';
import { backendOption } from '../backend/cli-option.ts';
import { addSettingOptions, settingsFromCommand } from '../cli-settings.ts';

/** The model's settings without `classes` (the dataset decides it). */
const ModelOptions = ClassifierConfig.omit({ classes: true });

// One data-parallel worker per core by default (the best measured recipe uses both cores of a 2-core machine).
const DEFAULT_WORKERS = Math.max(1, Math.min(16, availableParallelism()));

/** How the training runs (not stored with the model). */
const RunOptions = z.object({
  workers: setting(z.number().int().min(1).max(16).default(DEFAULT_WORKERS), {
    flag: 'workers',
    arg: 'n',
    help: 'data-parallel worker threads (1 = this thread; default: the cores available); the same seed and worker count give the same model',
  }),
});

/** What the two commands get: typed, validated, defaults filled in. */
export interface ClassifierOptions {
  model: Omit<ClassifierConfig, 'classes'>;
  train: TrainConfig;
  workers: number;
  backend: string;
}

function defaultInput(): string {
  const d = Object.fromEntries(settingFields(ModelOptions).map((f) => [f.key, f.defaultValue]));
  return `${d.inputHeight}x${d.inputWidth}`;
}

/** Adds the model, training and run options to `cmd`. */
export function addClassifierOptions(cmd: Command): Command {
  cmd.option('--input <HxW>', `model input size in pixels, height×width, grayscale (default ${defaultInput()})`);
  for (const schema of [ModelOptions, ClassifierTrainConfig, RunOptions]) addSettingOptions(cmd, schema);
  return cmd.addOption(backendOption());
}

/** Reads the options given on `cmd` into typed configs; a bad value is a UserError naming its flag. */
export function classifierOptionsFrom(cmd: Command): ClassifierOptions {
  const model = settingsFromCommand(ModelOptions, cmd);
  const input = cmd.getOptionValue('input') as string | undefined;
  if (input !== undefined) {
    const m = /^(\d+)[x×](\d+)$/.exec(input.trim());
    if (!m) throw new UserError(`--input must look like 64x128 (height x width), got '${input}'`);
    const r = ModelOptions.safeParse({ ...model, inputHeight: Number(m[1]), inputWidth: Number(m[2]) });
    if (!r.success) throw new UserError(`--input: ${r.error.issues[0].message}`);
    Object.assign(model, r.data);
  }
  const { workers } = settingsFromCommand(RunOptions, cmd);
  return { model, train: settingsFromCommand(ClassifierTrainConfig, cmd), workers, backend: cmd.getOptionValue('backend') as string };
}
