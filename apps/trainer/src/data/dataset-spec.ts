// A dataset on the command line, optionally restricted to some writers: `<dir>` or `<dir>@<writers>`, where
// <writers> is a comma list of names and inclusive ranges (`../shared/datasets/signature-forgeries@1-50`,
// `data/sheets@93-184`). A range compares numeric folder names by value (`001` is 1); other names match exactly.
import { UserError } from '@sig/shared';
import { loadFolderDataset, type DatasetIndex, type DatasetItem } from './folder-dataset.ts';

export interface DatasetSpec {
  path: string;
  /** The writer selection as written (undefined: every writer). */
  writers?: string;
}

/** Splits `dir@writers` (the last `@` followed by a writer list) into path and selection. */
export function parseDatasetSpec(spec: string): DatasetSpec {
  const m = /^(.*)@([^@/]+)$/.exec(spec);
  if (!m || !/^[\w.-]+(?:,[\w.-]+)*$/.test(m[2])) return { path: spec };
  return { path: m[1], writers: m[2] };
}

/** Whether writer `label` is in the selection `writers` (comma list of names and a-b ranges). */
export function writerSelected(label: string, writers: string): boolean {
  return writers.split(',').some((part) => {
    const r = /^(\d+)-(\d+)$/.exec(part);
    if (r) return /^\d+$/.test(label) && Number(label) >= Number(r[1]) && Number(label) <= Number(r[2]);
    return part === label || (/^\d+$/.test(part) && /^\d+$/.test(label) && Number(part) === Number(label));
  });
}

/** Keeps only the selected writers (their genuine items and forgeries), renumbering labels. */
export function selectWriters(index: DatasetIndex, writers: string): DatasetIndex {
  const labels = index.labels.filter((l) => writerSelected(l, writers));
  if (labels.length === 0) throw new UserError(`dataset ${index.root}: no writer matches '${writers}'`);
  const at = new Map(labels.map((l, i) => [l, i]));
  const keep = (items: DatasetItem[]) => items.filter((it) => at.has(it.label)).map((it) => ({ ...it, labelIndex: at.get(it.label)! }));
  return { root: index.root, labels, items: keep(index.items), forgeries: keep(index.forgeries) };
}

/** Loads a dataset given as `dir` or `dir@writers`. */
export async function loadDatasetSpec(spec: string): Promise<DatasetIndex> {
  const s = parseDatasetSpec(spec);
  const index = await loadFolderDataset(s.path);
  return s.writers ? selectWriters(index, s.writers) : index;
}
