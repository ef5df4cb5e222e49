// A training run's run.json (what was trained, on what, with which settings; `sig export` and every `sig eval`
// read it): written when a run starts and again when it ends, read back by `--resume` so a resumed run keeps its
// own settings. Every reader goes through `readRunInfo`, so a missing, malformed or foreign run.json is one
// readable line naming the file, never a parser's message.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { RunInfo, UserError } from '@sig/shared';

/** Writes `<out>/run.json`, creating the run folder when needed. */
export async function writeRunJson(out: string, run: RunInfo): Promise<void> {
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'run.json'), JSON.stringify(run, null, 2));
}

/**
 * `<runDir>/run.json`, checked against the RunInfo schema and, given `kind`, the run's kind. A UserError when the
 * folder has none, when it is not JSON, when a field is wrong, or when the run is of another kind.
 */
export async function readRunInfo(runDir: string, kind?: RunInfo['kind']): Promise<RunInfo> {
  const file = join(runDir, 'run.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UserError(`${runDir} is not a run folder (no run.json)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${file} is not valid JSON (${(e as Error).message})`);
  }
  const parsed = RunInfo.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(`${file}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  if (kind !== undefined && parsed.data.kind !== kind) throw new UserError(`${runDir} is a '${parsed.data.kind}' run, not ${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} run`);
  return parsed.data;
}

/** The run.json of a run to resume; a UserError when it is missing or unreadable. */
export async function readRunJsonToResume(out: string): Promise<RunInfo> {
  return readRunInfo(out).catch((e: unknown) => {
    throw new UserError(`--resume: ${out} has no readable run.json (${(e as Error).message})`);
  });
}

/** The name of one step's entry in a run folder (`samples/step-000250.png`, `snapshots/step-000250/`). */
export function stepName(step: number): string {
  return `step-${String(step).padStart(6, '0')}`;
}

/** The images a CGAN run held out of training (run.json's `dataset.heldOut`), as resolved paths; none when it lists none. */
export function heldOutPaths(run: RunInfo): Set<string> {
  const held = (run.dataset as { heldOut?: unknown }).heldOut;
  return new Set(Array.isArray(held) ? held.filter((p): p is string => typeof p === 'string').map((p) => resolve(p)) : []);
}

/** The steps of a CGAN run's generator snapshots (`<runDir>/snapshots/step-…`), ascending; none when it has no folder. */
export async function snapshotSteps(runDir: string): Promise<number[]> {
  const names = await readdir(join(runDir, 'snapshots')).catch(() => [] as string[]);
  return names.filter((n) => /^step-\d+$/.test(n)).map((n) => Number(n.slice(5))).sort((a, b) => a - b);
}

/**
 * A CGAN run's final generator (`<runDir>/model/generator`), written when its training ends. A UserError when the
 * run is still training or was interrupted (its run.json is written when it starts), naming its snapshots so far
 * and ending with `hint` (what the caller's command can do instead).
 */
export async function finalGeneratorDir(runDir: string, hint = ''): Promise<string> {
  const dir = join(runDir, 'model', 'generator');
  if (existsSync(join(dir, 'model.json'))) return dir;
  const steps = await snapshotSteps(runDir);
  const so = steps.length ? `, snapshots so far at steps ${steps[0]}…${steps[steps.length - 1]}` : '';
  throw new UserError(`${runDir} has no final generator yet (training not finished or interrupted${so}; sig train cgan --resume finishes it)${hint}`);
}
