import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunInfo } from '@sig/shared';
import { selectBackend } from '../apps/trainer/src/backend/select.ts';
import { synthesizeDataset } from '../apps/trainer/src/data/index.ts';
import { crossValidate } from '../apps/trainer/src/evaluate/classifier-cross-validate.ts';
import { trainClassifierRun } from '../apps/trainer/src/train/classifier-run.ts';
import { loadModel } from '../apps/trainer/src/model/io.ts';

let dir: string;
let data: string;
beforeAll(async () => {
  await selectBackend('wasm', { log: () => {} });
  dir = await mkdtemp(join(tmpdir(), 'sig-classifier-train-'));
  data = join(dir, 'synth');
  await synthesizeDataset({ writers: 5, perWriter: 12, seed: 21, out: data });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const small = { inputHeight: 32, inputWidth: 64, widthMultiplier: 0.125, dropout: 0.2 };

describe('classifier training on synthetic writers', () => {
  it('learns: held-out signatures (never seen in training) are classified far above chance', async () => {
    const res = await crossValidate({
      data,
      folds: 2,
      out: join(dir, 'eval'),
      model: small,
      train: { seed: 1, epochs: 15, batchSize: 16, patience: 0, valFraction: 0.2 },
      quiet: true,
      log: () => {},
    });
    expect(res.folds).toHaveLength(2);
    for (const f of res.folds) expect(f.samples).toBe(5); // one held-out signature per writer and fold
    // Chance is 0.2 (5 writers); 10 held-out signatures over two folds.
    expect(res.mean.top1).toBeGreaterThanOrEqual(0.7);
    expect(res.mean.top5).toBe(1);
    const json = JSON.parse(await readFile(join(dir, 'eval', 'results.json'), 'utf8'));
    expect(json.mean.top1).toBe(res.mean.top1);
  });

  it('writes a complete run folder that the exporter can read', async () => {
    const out = join(dir, 'run');
    const { run, metrics } = await trainClassifierRun({ data, out, model: small, train: { epochs: 2, batchSize: 16, patience: 0 }, backend: 'wasm', quiet: true });
    for (const f of ['run.json', 'metrics.json', 'curves.png', 'confusion.png', 'model/model.json', 'model/weights.bin', 'checkpoint/state.json', 'checkpoint/optimizer.bin']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const saved = RunInfo.parse(JSON.parse(await readFile(join(out, 'run.json'), 'utf8')));
    expect(saved.labels).toEqual(['1', '2', '3', '4', '5']);
    expect(saved.preprocess).toMatchObject({ height: 32, width: 64 });
    expect(saved.metrics.top1).toBe(metrics.top1);
    expect(run.dataset.samples).toBe(60);
    const model = await loadModel(join(out, 'model'));
    expect(model.outputs[0].shape).toEqual([null, 5]);
  });
});
