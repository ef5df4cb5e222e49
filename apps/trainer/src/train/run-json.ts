// A training run's run.json (what was trained, on what, with which settings; `sig export` reads it): written
// when a run starts and again when it ends, read back by `--resume` so a resumed run keeps its own settings.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RunInfo, UserError } from '@sig/shared';

/** Writes `<out>/run.json`, creating the run folder when needed. */
export async function writeRunJson(out: string, run: RunInfo): Promise<void> {
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'run.json'), JSON.stringify(run, null, 2));
}

/** The run.json of a run to resume; a UserError when it is missing or unreadable. */
export async function readRunJsonToResume(out: string): Promise<RunInfo> {
  try {
    return RunInfo.parse(JSON.parse(await readFile(join(out, 'run.json'), 'utf8')));
  } catch {
    throw new UserError(`--resume: ${out} has no readable run.json`);
  }
}
