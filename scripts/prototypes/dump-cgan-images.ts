// Prototype support (not part of the product): writes a dataset's images through the CGAN's own preprocessing to
// <out>.f32 (n × 64 × 64 floats, paper −1, ink +1) and <out>.json (labels, label index and held-out flag per image),
// for `warp_generator_torch.py`. With a CGAN run, its labels and held-out list are used; `--genuine-only` datasets
// (any spec `sig` reads, e.g. `../shared/datasets/signature-forgeries@1-50`) get their own labels and no held-out images.
//   npx tsx scripts/prototypes/dump-cgan-images.ts <dataset spec> <cgan run> <out prefix> [--genuine-only]
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadDatasetSpec, loadPreprocessed } from '../../apps/trainer/src/data/index.ts';
import { heldOutPaths, readRunInfo } from '../../apps/trainer/src/train/run-json.ts';

const [spec, run, out, mode] = process.argv.slice(2);
const info = await readRunInfo(run, 'cgan');
const index = await loadDatasetSpec(spec);
const ownLabels = mode === '--genuine-only';
const labels = ownLabels ? index.labels : info.labels;
const held = ownLabels ? new Set<string>() : heldOutPaths(info);
const items = index.items.filter((it) => labels.includes(it.label));
const b = await loadPreprocessed(items, info.preprocess);
writeFileSync(`${out}.f32`, Buffer.from(b.x.buffer, b.x.byteOffset, b.x.byteLength));
writeFileSync(`${out}.json`, JSON.stringify({ n: b.n, labels, y: items.map((it) => labels.indexOf(it.label)), held: items.map((it) => (held.has(resolve(it.path)) ? 1 : 0)) }));
console.log(`${b.n} images of ${labels.length} labels (${held.size} held out) → ${out}.f32/.json`);
