// models/manifest.json: read, validate, and update entries by name (other models in the folder are kept).
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Manifest, ModelEntry, UserError } from '@sig/shared';

export const MANIFEST_FILE = 'manifest.json';

/** Hex sha256 of bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The manifest in `modelsDir`, or an empty one when the folder has none yet. */
export async function readManifest(modelsDir: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(join(modelsDir, MANIFEST_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { schemaVersion: 1, models: [] };
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UserError(`${join(modelsDir, MANIFEST_FILE)} is not valid JSON`);
  }
  const parsed = Manifest.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`${join(modelsDir, MANIFEST_FILE)}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * Runs `fn` holding `<file>.lock` (exclusive create), so that exports running in parallel into one folder
 * do not lose each other's entries. A lock older than 60 s is taken to be left over from a crash.
 */
async function withLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const lock = `${file}.lock`;
  for (let waited = 0; ; waited += 50) {
    try {
      await (await open(lock, 'wx')).close();
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > 60_000) await rm(lock, { force: true });
      else if (waited > 30_000) throw new UserError(`${lock} is held by another export; remove it if none is running`);
      else await new Promise((r) => setTimeout(r, 50));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { force: true });
  }
}

/** Adds or replaces `entries` (by name) in `modelsDir`/manifest.json; writes atomically; returns the manifest. */
export async function updateManifest(modelsDir: string, entries: ModelEntry[]): Promise<Manifest> {
  await mkdir(modelsDir, { recursive: true });
  return withLock(join(modelsDir, MANIFEST_FILE), () => writeEntries(modelsDir, entries));
}

async function writeEntries(modelsDir: string, entries: ModelEntry[]): Promise<Manifest> {
  const manifest = await readManifest(modelsDir);
  const byName = new Map(manifest.models.map((m) => [m.name, m]));
  for (const e of entries) byName.set(e.name, ModelEntry.parse(e));
  const out: Manifest = { schemaVersion: 1, models: [...byName.values()].sort((a, b) => a.name.localeCompare(b.name)) };
  const file = join(modelsDir, MANIFEST_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(out, null, 2)}\n`);
  await rename(tmp, file);
  return out;
}
