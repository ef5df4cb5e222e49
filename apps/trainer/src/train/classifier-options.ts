// Command-line options shared by `sig train classifier` and `sig eval classifier`, parsed into the typed
// model and training configs (zod) so both commands spell and validate them the same way.
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { ClassifierConfig, ClassifierTrainConfig, UserError, type ClassifierConfigInput, type ClassifierTrainConfigInput } from '@sig/shared';
import { backendOption } from '../backend/cli-option.ts';
import { cliNumber } from '../cli-number.ts';

/** Raw option strings as commander gives them. */
export interface ClassifierCliOptions {
  input: string;
  width: string;
  dropout: string;
  l2: string;
  seed: string;
  epochs: string;
  batchSize: string;
  lr: string;
  labelSmoothing: string;
  valFraction: string;
  evalEvery: string;
  patience: string;
  maxSteps: string;
  augment: boolean;
  workers: string;
  backend: string;
}

// Defaults are the best measured recipe on the 184 real students (docs/evaluation.md, runs C–E and L):
// 48×96 input, 70 epochs at lr 2e-3 with dropout 0.1, no validation split, one worker per core.
const DEFAULT_WORKERS = Math.max(1, Math.min(16, availableParallelism()));

/** Adds the model and training options to `cmd`. */
export function addClassifierOptions(cmd: Command): Command {
  return cmd
    .option('--input <HxW>', 'model input size in pixels, height×width (grayscale)', '48x96')
    .option('--width <m>', 'width multiplier of every filter and dense count (reference: 1)', '0.25')
    .option('--dropout <rate>', 'dropout after each dense layer', '0.1')
    .option('--l2 <w>', 'L2 weight decay on kernels', '0')
    .option('--seed <n>', 'random seed (weights, shuffling, augmentation, dropout, validation split)', '1')
    .option('--epochs <n>', 'maximum epochs', '70')
    .option('--batch-size <n>', 'batch size', '32')
    .option('--lr <rate>', 'peak Adam learning rate (cosine decay)', '0.002')
    .option('--label-smoothing <e>', 'cross-entropy label smoothing', '0.1')
    .option('--val-fraction <f>', "share of each class's signatures held out for early stopping (0 = none)", '0')
    .option('--eval-every <steps>', 'validate every n steps (0 = every epoch)', '0')
    .option('--patience <evals>', 'stop after n validations without gain (0 = never)', '0')
    .option('--max-steps <n>', 'stop after n steps (0 = no limit)', '0')
    .option('--no-augment', 'train without on-the-fly augmentation')
    .option('--workers <n>', 'data-parallel worker threads (1 = this thread; default: the cores available); the same seed and worker count give the same model', String(DEFAULT_WORKERS))
    .addOption(backendOption());
}

/** The first problem zod found, as one line naming the option. */
function check<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, value: unknown, names: Record<string, string>): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const key = String(issue.path[0] ?? '');
  throw new UserError(`${names[key] ?? key}: ${issue.message}`);
}

/** Parses the options into model (without classes) and training configs; bad values are UserErrors. */
export function parseClassifierOptions(o: ClassifierCliOptions): {
  model: Omit<ClassifierConfigInput, 'classes'>;
  train: ClassifierTrainConfigInput;
  workers: number;
} {
  const m = /^(\d+)[x×](\d+)$/.exec(o.input.trim());
  if (!m) throw new UserError(`--input must look like 64x128 (height x width), got '${o.input}'`);
  const model = { inputHeight: Number(m[1]), inputWidth: Number(m[2]), widthMultiplier: cliNumber('width', o.width, -Infinity, false), dropout: cliNumber('dropout', o.dropout, -Infinity, false), l2: cliNumber('l2', o.l2, -Infinity, false) };
  check(ClassifierConfig, { ...model, classes: 2 }, { inputHeight: '--input', inputWidth: '--input', widthMultiplier: '--width', dropout: '--dropout', l2: '--l2' });
  const train = check(
    ClassifierTrainConfig,
    {
      seed: cliNumber('seed', o.seed, -Infinity, false),
      epochs: cliNumber('epochs', o.epochs, -Infinity, false),
      batchSize: cliNumber('batch-size', o.batchSize, -Infinity, false),
      learningRate: cliNumber('lr', o.lr, -Infinity, false),
      labelSmoothing: cliNumber('label-smoothing', o.labelSmoothing, -Infinity, false),
      valFraction: cliNumber('val-fraction', o.valFraction, -Infinity, false),
      evalEvery: cliNumber('eval-every', o.evalEvery, -Infinity, false),
      patience: cliNumber('patience', o.patience, -Infinity, false),
      maxSteps: cliNumber('max-steps', o.maxSteps, -Infinity, false),
      augment: o.augment,
    },
    { seed: '--seed', epochs: '--epochs', batchSize: '--batch-size', learningRate: '--lr', labelSmoothing: '--label-smoothing', valFraction: '--val-fraction', evalEvery: '--eval-every', patience: '--patience', maxSteps: '--max-steps' },
  );
  const workers = cliNumber('workers', o.workers, 1, true, 16);
  return { model, train, workers };
}
