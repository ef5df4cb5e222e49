// What a run was trained on, in words, for the manifest (`training.description`, `demo`): the server puts it in
// every answer and the page shows it. Read from the dataset folders' own records: `synth.json` (sig synth),
// `ingest-report.json` (sig ingest), or a hand-written `dataset.json` with a "description".
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { RunInfo } from '@sig/shared';
import { loadFolderDataset } from '../data/index.ts';

interface FolderDescription {
  text: string;
  /** Synthetic writers: a model trained on them is a demo (its IDs are no real people). */
  synthetic: boolean;
}

async function readJson(file: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** One dataset folder in words. */
export async function describeFolder(dir: string): Promise<FolderDescription> {
  const own = await readJson(join(dir, 'dataset.json'));
  if (typeof own?.description === 'string') return { text: own.description, synthetic: own.synthetic === true };
  const synth = await readJson(join(dir, 'synth.json'));
  if (synth?.generator === 'sig synth') {
    return { text: `synthetic signatures of ${synth.writers} writers × ${synth.perWriter} (sig synth --seed ${synth.seed}), not real people`, synthetic: true };
  }
  const index = await loadFolderDataset(dir).catch(() => undefined);
  const counts = index ? `${index.labels.length} IDs, ${index.items.length} images` : 'unreadable';
  if (await readJson(join(dir, 'ingest-report.json'))) return { text: `signatures cut from photographed registration sheets (sig ingest): ${counts}`, synthetic: false };
  return { text: `dataset folder '${basename(dir)}': ${counts}`, synthetic: false };
}

/** The run's training data in one line, and whether the model is a demo (any synthetic training data). */
export async function describeTraining(run: RunInfo): Promise<{ description: string; demo: boolean }> {
  const ds = run.dataset as RunInfo['dataset'] & { paths?: string[]; generator?: string; trainSeeds?: number; capture?: number };
  const folders = await Promise.all((ds.paths ?? [ds.path]).map(describeFolder));
  const demo = folders.some((f) => f.synthetic);
  const genuine = folders.map((f) => f.text).join('; ');
  if (run.kind !== 'realfake') return { description: genuine, demo };
  const captured = ds.capture ? `, each also as ${ds.capture} photographed/scanned cop${ds.capture === 1 ? 'y' : 'ies'} (capture effects)` : '';
  const generated =
    ds.trainSeeds !== undefined
      ? `samples of the exported generator in ${basename(ds.generator ?? '?')}/ (seeds from ${ds.trainSeeds})`
      : `samples of the CGAN run ${basename(ds.generator ?? '?')}'s snapshots`;
  return { description: `genuine: ${genuine}${captured}; generated: ${generated}`, demo };
}
