// Another generator's samples for `sig eval cgan --samples`: a folder `<label>/<image>.png` of generated images (a
// peer's, a prototype's), measured by exactly the protocol the run's own generator is. Per label, the first
// `perLabel` images in natural order are the agreement / Fréchet / nearest-image set and the next `tstrPerLabel`
// the TSTR training set, the two sets `generatedPngs` draws with two seeds.
import { readFile } from 'node:fs/promises';
import { UserError } from '@sig/shared';
import { loadFolderDataset } from '../data/index.ts';
import type { GeneratedSet } from './gan-detector-inputs.ts';

/** Reads `dir` as the two sample sets of a generator over `labels` (the CGAN run's labels, in its order). */
export async function generatedFromFolder(
  dir: string,
  labels: readonly string[],
  perLabel: number,
  tstrPerLabel: number,
): Promise<{ evaluation: GeneratedSet; tstr: GeneratedSet }> {
  const index = await loadFolderDataset(dir);
  const at = new Map(labels.map((l, k) => [l, k]));
  const stranger = index.labels.find((l) => !at.has(l));
  if (stranger !== undefined) throw new UserError(`samples folder ${dir} has label '${stranger}', which the CGAN run does not have`);
  const need = perLabel + tstrPerLabel;
  const evaluation: GeneratedSet = { pngs: [], labels: [] };
  const tstr: GeneratedSet = { pngs: [], labels: [] };
  const filesOf = new Map<string, string[]>(labels.map((l) => [l, []]));
  for (const it of index.items) filesOf.get(it.label)?.push(it.path);
  for (const label of labels) {
    const files = filesOf.get(label)!;
    if (files.length < need) {
      throw new UserError(`samples folder ${dir} has ${files.length} images for label '${label}'; --per-label ${perLabel} + --tstr-per-label ${tstrPerLabel} = ${need} are needed`);
    }
    for (const [i, f] of files.slice(0, need).entries()) {
      const set = i < perLabel ? evaluation : tstr;
      set.pngs.push(new Uint8Array(await readFile(f)));
      set.labels.push(at.get(label)!);
    }
  }
  return { evaluation, tstr };
}
