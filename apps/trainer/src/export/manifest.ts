// models/manifest.json: read, validate, and update entries by name (other models in the folder are kept).
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
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

/** Adds or replaces `entries` (by name) in `modelsDir`/manifest.json; writes atomically; returns the manifest. */
export async function updateManifest(modelsDir: string, entries: ModelEntry[]): Promise<Manifest> {
  await mkdir(modelsDir, { recursive: true });
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
