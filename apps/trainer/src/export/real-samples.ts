// Real preprocessed images for the parity check: a few image files from the run's dataset folder, through the
// shared preprocessing pipeline (the same code the server and the browser run).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { preprocess, type PreprocessConfig } from '@sig/shared';
import { decodeImage } from '@sig/shared/node/image-io.ts';
import { isImageFile } from '../data/folder-dataset.ts';

/** Up to `max` image paths under `root` (one per class folder first, in sorted order, then more). */
export async function sampleImagePaths(root: string, max: number): Promise<string[]> {
  const perFolder: string[][] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
    const files = entries.filter((e) => e.isFile() && isImageFile(e.name)).map((e) => join(dir, e.name));
    if (files.length) perFolder.push(files);
    if (depth < 3) for (const e of entries) if (e.isDirectory()) await walk(join(dir, e.name), depth + 1);
  };
  await walk(root, 0);
  const out: string[] = [];
  for (let i = 0; out.length < max && perFolder.some((f) => f.length > i); i++) {
    for (const f of perFolder) if (f[i] && out.length < max) out.push(f[i]);
  }
  return out;
}

/**
 * Every image under `root`/<label>/ (label = a folder name found in `labels`), preprocessed, as one NHWC batch
 * with label indices: held-out data for accuracy measurements. `max` caps the count (0 = all).
 */
export async function loadLabelledImages(
  root: string,
  labels: readonly string[],
  cfg: PreprocessConfig,
  max = 0,
): Promise<{ data: Float32Array; labels: Int32Array; count: number; skipped: number }> {
  const index = new Map(labels.map((l, i) => [l, i]));
  const items: { path: string; label: number }[] = [];
  let skipped = 0;
  for (const e of (await readdir(root, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }))) {
    if (!e.isDirectory()) continue;
    const label = index.get(e.name);
    const files = (await readdir(join(root, e.name))).filter((f) => isImageFile(f)).sort();
    if (label === undefined) skipped += files.length;
    else items.push(...files.map((f) => ({ path: join(root, e.name, f), label })));
  }
  const take = max > 0 ? items.slice(0, max) : items;
  const size = cfg.height * cfg.width;
  const data = new Float32Array(take.length * size);
  const out = new Int32Array(take.length);
  let count = 0;
  for (const it of take) {
    try {
      const img = preprocess(await decodeImage(it.path), cfg, { onNoSignature: 'guess' });
      data.set(img.data, count * size);
      out[count++] = it.label;
    } catch {
      skipped++;
    }
  }
  return { data: data.slice(0, count * size), labels: out.slice(0, count), count, skipped };
}

/**
 * Preprocessed real images from `root` as one NHWC batch, or a reason why there are none (no folder, no
 * images, or none that decodes).
 */
export async function loadRealSamples(
  root: string,
  cfg: PreprocessConfig,
  max = 16,
): Promise<{ data: Float32Array; count: number } | { reason: string }> {
  const paths = await sampleImagePaths(root, max);
  if (paths.length === 0) return { reason: `no images under ${root}` };
  const size = cfg.height * cfg.width;
  const data = new Float32Array(paths.length * size);
  let count = 0;
  for (const p of paths) {
    try {
      const img = preprocess(await decodeImage(p), cfg, { onNoSignature: 'guess' });
      if (img.data.length !== size) continue;
      data.set(img.data, count * size);
      count++;
    } catch {
      // An unreadable file is the dataset's problem, not the export's: skip it.
    }
  }
  if (count === 0) return { reason: `none of ${paths.length} images under ${root} could be preprocessed` };
  return { data: data.slice(0, count * size), count };
}
