// Rough-capture copies for classifier training on a `sig ingest` of registration sheets: each training
// signature is cut again `copies` times from its sheet photo as a desk operator's phone or quick crop would
// (ingest/sheet-rough-captures.ts, its `train` random stream: never the capture benchmark's draws) and added
// to its original's group. Copies exist only for the groups a caller trains on, so a held-out signature has
// none anywhere. A dataset that is not a sheet ingest (no ingest-report.json, or its photos are gone) simply
// gets none. The copies are JPEG files under `dir`, kept for inspection and reused by a later call with the
// same settings (the folds of one evaluation, a resumed run).
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IngestReport } from '../ingest/ingest-report.ts';
import { sheetRoughCaptures } from '../ingest/sheet-rough-captures.ts';
import type { DatasetIndex, DatasetItem } from '../data/index.ts';

export interface RoughCopyOptions {
  index: DatasetIndex;
  /** The groups (original signatures) that will be trained on, over every fold that uses `dir`. */
  groups: Set<string>;
  copies: number;
  seed: number;
  /** Folder for the JPEG copies. */
  dir: string;
  log?: (line: string) => void;
}

/** The ingest report beside a dataset, when the dataset is a sheet ingest whose photos are still there. */
async function sheetIngestReport(root: string): Promise<IngestReport | null> {
  const path = join(root, 'ingest-report.json');
  if (!existsSync(path)) return null;
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return null; // not a report this code wrote: train on the images alone
  }
  const parsed = IngestReport.safeParse(json);
  return parsed.success && existsSync(parsed.data.sheetsDir) ? parsed.data : null;
}

/** The signature number of an ingest crop's group (`<id>/<k>`), or null for any other naming. */
function signatureNumber(group: string): number | null {
  const k = group.slice(group.lastIndexOf('/') + 1);
  return /^[1-9]\d*$/.test(k) ? Number(k) : null;
}

/**
 * Cuts (or reuses) the copies of `groups` and returns them as dataset items in their original's group and
 * class, in dataset order; empty when `copies` is 0 or the dataset is not a sheet ingest.
 */
export async function roughCopyItems(o: RoughCopyOptions): Promise<DatasetItem[]> {
  const log = o.log ?? (() => {});
  if (o.copies <= 0) return [];
  const report = await sheetIngestReport(o.index.root);
  if (!report) {
    log(`rough copies: ${o.index.root} is not a sheet ingest with its photos at hand; training on its images only`);
    return [];
  }
  const originals = new Map(o.index.items.filter((it) => o.groups.has(it.group)).map((it) => [it.group, it]));
  const signatures = [...new Set([...originals.keys()].map(signatureNumber).filter((k): k is number => k !== null))].sort((a, b) => a - b);
  const key = JSON.stringify({ sheetsDir: report.sheetsDir, copies: o.copies, seed: o.seed, groups: [...originals.keys()].sort() });
  const done = join(o.dir, '.complete');
  const cached = existsSync(done) && (await readFile(done, 'utf8')) === key;
  if (!cached) {
    const t0 = performance.now();
    await rm(o.dir, { recursive: true, force: true });
    for await (const c of sheetRoughCaptures({ sheetsDir: report.sheetsDir, report, signatures, copies: o.copies, seed: o.seed, stream: 'train' })) {
      if (!originals.has(`${c.id}/${c.signature}`)) continue; // held out, or a row the ingest did not keep
      await mkdir(join(o.dir, String(c.id)), { recursive: true });
      await writeFile(join(o.dir, String(c.id), `${c.signature}_aug${c.copy}.jpg`), c.jpeg);
    }
    await writeFile(done, key);
    log(`rough copies: ${o.copies} per training signature cut from ${report.sheetsDir} in ${((performance.now() - t0) / 1000).toFixed(0)} s → ${o.dir}`);
  }
  const items: DatasetItem[] = [];
  for (const it of o.index.items) {
    if (!originals.has(it.group)) continue;
    const k = signatureNumber(it.group)!;
    for (let j = 1; j <= o.copies; j++) {
      const path = join(o.dir, it.label, `${k}_aug${j}.jpg`);
      if (existsSync(path)) items.push({ path, label: it.label, labelIndex: it.labelIndex, group: it.group });
    }
  }
  return items;
}

/**
 * The training settings with the step budget of the originals: copies make each batch's pool larger, not the
 * run longer, so `epochs` keeps counting passes over the original signatures.
 */
export function stepBudget<T extends { epochs: number; batchSize: number; maxSteps: number }>(train: T, originals: number): T {
  const steps = train.epochs * Math.ceil(originals / train.batchSize);
  return { ...train, maxSteps: train.maxSteps > 0 ? Math.min(train.maxSteps, steps) : steps };
}
