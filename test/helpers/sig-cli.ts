// Runs the `sig` CLI as a user would (a child process from the repository root) and captures what it printed.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { expect } from 'vitest';

const run = promisify(execFile);
const repoRoot = resolve(import.meta.dirname, '../..');
const bin = resolve(repoRoot, 'node_modules/.bin/sig');

export interface SigResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `sig <args>`; never throws: a failing command comes back with its exit code and output. */
export async function sig(args: string[]): Promise<SigResult> {
  try {
    const { stdout, stderr } = await run(bin, args, { encoding: 'utf8', cwd: repoRoot });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** Asserts the brief's contract for bad input: non-zero exit, one `sig:` line matching `re`, no stack trace. */
export function expectOneLineError(r: SigResult, re: RegExp): void {
  expect(r.code).not.toBe(0);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('sig:'));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(re);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

/**
 * One `sig` subcommand in process, registered by `register` (a commands/*.ts module's) and with `argv` parsed
 * as its options, e.g. `subcommand(registerTrainCgan, ['train', 'cgan'], ['--steps', '5'])`; read its settings
 * with settingsFromCommand. Nothing runs.
 */
export function subcommand(register: (program: Command) => void, path: string[], argv: string[] = []): Command {
  let cmd = new Command('sig').exitOverride();
  register(cmd);
  for (const name of path) cmd = cmd.commands.find((c) => c.name() === name)!;
  cmd.exitOverride().parseOptions(argv);
  return cmd;
}
