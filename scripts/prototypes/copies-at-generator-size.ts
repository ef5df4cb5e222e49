// Prototype support (not part of the product): a "generator" that returns the CGAN's own training images at its
// 64 × 64 (its preprocessing, rendered to PNG as generated samples are), for `sig eval cgan --samples`: what a
// perfect copier at the generator's size scores (docs/evaluation-gan.md, "At the generator's size").
//   npx tsx scripts/prototypes/copies-at-generator-size.ts <dataset> <cgan run> <out dir> [held]
// writes <out dir>/<label>/<k>.png: the run's training images (with `held`, its held-out ones instead).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadDatasetSpec, loadPreprocessed } from '../../apps/trainer/src/data/index.ts';
import { heldOutPaths, readRunInfo } from '../../apps/trainer/src/train/run-json.ts';
import { generatedToPngs } from '../../apps/trainer/src/evaluate/gan-samples.ts';

const [spec, run, out, evalFromHeld] = process.argv.slice(2);
const info = await readRunInfo(run, 'cgan');
const index = await loadDatasetSpec(spec);
const held = heldOutPaths(info);
// default: training images only; 'held' : the held-out images themselves (at 64×64) as the samples
const items = index.items.filter((it) => info.labels.includes(it.label) && (evalFromHeld === 'held' ? held.has(resolve(it.path)) : !held.has(resolve(it.path))));
const b = await loadPreprocessed(items, info.preprocess);
const size = info.preprocess.width;
const pngs = await generatedToPngs(b.x, b.n, size, 'minus-one-one');
const count = new Map<string, number>();
items.forEach((it, i) => {
  const k = count.get(it.label) ?? 0;
  count.set(it.label, k + 1);
  mkdirSync(join(out, it.label), { recursive: true });
  writeFileSync(join(out, it.label, `${String(k).padStart(4, '0')}.png`), pngs[i]);
});
console.log(`${b.n} images (${held.size} held out in the run) → ${out}`);
