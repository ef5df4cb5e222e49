// Any `<root>/<label>/<image>` tree as a labelled dataset (ingested sheets, synthetic writers, your own). A label
// folder may instead hold `genuine/` and `forged/` sub-folders (signature-verification sets): its genuine images
// are the class's items, its forged ones (skilled imitations of that writer) are listed apart in `forgeries`,
// so every reader that only wants a writer's own signatures gets exactly those.
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { UserError } from '@sig/shared';
import { naturalCompare, naturalSort } from './natural-sort.ts';

/** Image files a dataset may hold (decoded with sharp). */
export const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.tif', '.tiff']);

/** Whether a file name is a dataset image (by extension; dot-files never are). */
export function isImageFile(name: string): boolean {
  return !name.startsWith('.') && IMAGE_EXTENSIONS.has(extname(name).toLowerCase());
}

export interface DatasetItem {
  /** Absolute or root-relative path as found (root joined with label and file name). */
  path: string;
  label: string;
  /** Index of `label` in `DatasetIndex.labels`. */
  labelIndex: number;
  /**
   * The original sample this image is (a copy of): `<label>/<stem>` with an augmentation suffix such as
   * `_aug3`, `-copy2` removed. Splits keep a group on one side so copies never leak into evaluation.
   */
  group: string;
}

export interface DatasetIndex {
  root: string;
  /** Class labels in natural order (the model's output order). */
  labels: string[];
  /** Genuine items ordered by label, then natural file order. */
  items: DatasetItem[];
  /** Skilled forgeries of a writer (`<label>/forged/*`), `label` being the writer imitated; empty when none. */
  forgeries: DatasetItem[];
}

/** Sub-folder names of the verification layout. */
export const GENUINE_DIR = 'genuine';
export const FORGED_DIR = 'forged';

/** `photo_aug3.png`, `photo-copy-2.jpg`, `photo.augmented1.png` are copies of `photo`. */
const AUGMENTED_SUFFIX = /[-_.](?:aug|augmented|copy)[-_]?\d*$/i;

/** The group (original sample) a file in folder `label` belongs to. */
export function groupOf(label: string, fileName: string): string {
  const stem = fileName.slice(0, fileName.length - extname(fileName).length);
  return `${label}/${stem.replace(AUGMENTED_SUFFIX, '')}`;
}

/** Whether an item is an original sample rather than a copy (`photo_aug3.png` is a copy of `photo`). */
export function isOriginal(item: DatasetItem): boolean {
  const file = basename(item.path);
  return item.group.endsWith(`/${file.slice(0, file.length - extname(file).length)}`);
}

/** Whether a directory entry is a folder / regular file, following symbolic links (datasets are often linked). */
async function isKind(dir: string, e: Dirent, kind: 'dir' | 'file'): Promise<boolean> {
  if (!e.isSymbolicLink()) return kind === 'dir' ? e.isDirectory() : e.isFile();
  try {
    const s = await stat(join(dir, e.name));
    return kind === 'dir' ? s.isDirectory() : s.isFile();
  } catch {
    return false; // a dangling link is not data
  }
}

/** Image file names directly in `dir` (links followed), in natural order. */
async function imageFiles(dir: string): Promise<string[]> {
  const dirents = (await readdir(dir, { withFileTypes: true })).filter((f) => !f.name.startsWith('.') && IMAGE_EXTENSIONS.has(extname(f.name).toLowerCase()));
  const kinds = await Promise.all(dirents.map((f) => isKind(dir, f, 'file')));
  return dirents.filter((_, i) => kinds[i]).map((f) => f.name).sort(naturalCompare);
}

/** Scans `root` for label folders holding images; throws UserError when there is nothing to load. */
export async function loadFolderDataset(root: string): Promise<DatasetIndex> {
  let entries;
  try {
    if (!(await stat(root)).isDirectory()) throw new UserError(`dataset ${root} is not a folder`);
    entries = await readdir(root, { withFileTypes: true });
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot read dataset folder ${root}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const folders = naturalSort(
    (await Promise.all(entries.map(async (e) => ((await isKind(root, e, 'dir')) && !e.name.startsWith('.') ? e.name : null)))).filter(
      (n): n is string => n !== null,
    ),
  );
  const labels: string[] = [];
  const items: DatasetItem[] = [];
  const forgeries: DatasetItem[] = [];
  for (const label of folders) {
    const dir = join(root, label);
    const subdirs = new Set(
      (await readdir(dir, { withFileTypes: true })).filter((e) => e.name === GENUINE_DIR || e.name === FORGED_DIR).map((e) => e.name),
    );
    const split = subdirs.has(GENUINE_DIR) || subdirs.has(FORGED_DIR);
    const genuineDir = split ? join(dir, GENUINE_DIR) : dir;
    const files = split && !subdirs.has(GENUINE_DIR) ? [] : await imageFiles(genuineDir);
    if (files.length === 0) continue; // a folder without genuine images is not a class
    const labelIndex = labels.length;
    labels.push(label);
    const prefix = split ? `${GENUINE_DIR}/` : '';
    for (const f of files) items.push({ path: join(genuineDir, f), label, labelIndex, group: groupOf(label, `${prefix}${f}`) });
    if (subdirs.has(FORGED_DIR)) {
      for (const f of await imageFiles(join(dir, FORGED_DIR))) {
        forgeries.push({ path: join(dir, FORGED_DIR, f), label, labelIndex, group: groupOf(label, `${FORGED_DIR}/${f}`) });
      }
    }
  }
  if (items.length === 0) {
    throw new UserError(`dataset ${root} has no images: expected <root>/<label>/<image>.png|jpg|tif or <root>/<label>/genuine/<image>`);
  }
  return { root, labels, items, forgeries };
}
