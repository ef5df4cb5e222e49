// The options `sig train classifier` and `sig eval classifier` share. Flags, help and defaults come from
// the model and training schemas in @sig/shared (their registered settings) and the run schema below.
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { z } from 'zod';
import { ClassifierConfig, ClassifierTrainConfig, setting, UserError, type ClassifierTrainConfig as TrainConfig } from '@sig/shared';
import { BackendSettings } from '../backend/backend-setting.ts';
import { addSettingOptions, inputSize, inputSizeSettings, settingsFromCommand } from '../cli-settings.ts';

/** The model's settings without `classes` (the dataset decides it). */
const ModelOptions = ClassifierConfig.omit({ classes: true });

/** `--input HxW`: both input sizes of the model at once. */
const InputOptions = inputSizeSettings(ModelOptions.parse({}));

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

/** Adds the model, training and run options to `cmd`. */
export function addClassifierOptions(cmd: Command): Command {
  for (const schema of [InputOptions, ModelOptions, ClassifierTrainConfig, RunOptions, BackendSettings]) addSettingOptions(cmd, schema);
  return cmd;
}

/** Reads the options given on `cmd` into typed configs; a bad value is a UserError naming its flag. */
export function classifierOptionsFrom(cmd: Command): ClassifierOptions {
  const model = settingsFromCommand(ModelOptions, cmd);
  const { input } = settingsFromCommand(InputOptions, cmd);
  if (input !== undefined) {
    const r = ModelOptions.safeParse({ ...model, ...inputSize(input) });
    if (!r.success) throw new UserError(`--input: ${r.error.issues[0].message}`);
    Object.assign(model, r.data);
  }
  const { workers } = settingsFromCommand(RunOptions, cmd);
  const { backend } = settingsFromCommand(BackendSettings, cmd);
  return { model, train: settingsFromCommand(ClassifierTrainConfig, cmd), workers, backend };
}
