// Re-scores a saved classifier on one held-out signature of every student of a sheet ingest, without and with
// test-time augmentation (two augmentation seeds), so the effect of `sig eval classifier --tta` can be seen on
// one trained model instead of across two training runs (docs/evaluation.md, "Test-time augmentation off").
//
//   npx tsx scripts/classifier-tta.ts <model dir> [held-out file, default 4.png] [ingest dir, default data/sheets] [tta, default 4]
import { basename } from 'node:path';
import { PreprocessConfig } from '@sig/shared';
import { selectBackend } from '../apps/trainer/src/backend/select.ts';
import { loadFolderDataset } from '../apps/trainer/src/data/index.ts';
import { classifierMetrics } from '../apps/trainer/src/evaluate/classifier-metrics.ts';
import { predictProbabilities } from '../apps/trainer/src/evaluate/classifier-predict.ts';
import { loadModel } from '../apps/trainer/src/model/io.ts';
import { loadImageSet, trainingAugment } from '../apps/trainer/src/train/classifier-run.ts';

const [modelDir, heldOut = '4.png', data = 'data/sheets', ttaArg = '4'] = process.argv.slice(2);
if (!modelDir) {
  console.error('usage: npx tsx scripts/classifier-tta.ts <model dir> [held-out file] [ingest dir] [tta]');
  process.exit(2);
}
await selectBackend(undefined, { log: () => {} });
const model = await loadModel(modelDir);
const [, height, width] = model.inputs[0].shape as number[];
const index = await loadFolderDataset(data);
const pre = PreprocessConfig.parse({ height, width });
const test = await loadImageSet(index.items.filter((it) => basename(it.path) === heldOut), pre);
const top1 = (p: Float32Array) => classifierMetrics({ data: p, classes: index.labels.length }, test.y).top1.toFixed(4);
console.log(`${modelDir}, ${test.n} × ${heldOut}: no TTA top-1 ${top1(await predictProbabilities(model, test))}`);
for (const seed of [1, 2]) {
  const p = await predictProbabilities(model, test, { tta: Number(ttaArg), augment: trainingAugment(pre), seed });
  console.log(`  TTA ${ttaArg}, augmentation seed ${seed}: top-1 ${top1(p)}`);
}
