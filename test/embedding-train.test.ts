// A small embedding trained in CI time on synthetic writers: it separates writers it never saw, resumes where
// it stopped, and exports (L2 normalisation included) to an ONNX model equal to TF.js, added to an existing
// manifest beside the other models.
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Manifest } from '@sig/shared';
import { selectBackend } from '../apps/trainer/src/backend/select.ts';
import { synthesizeDataset } from '../apps/trainer/src/data/index.ts';
import { calibrateEmbedding } from '../apps/trainer/src/evaluate/calibrate-embedding.ts';
import { evaluateVerification } from '../apps/trainer/src/evaluate/verification-run.ts';
import { exportRun } from '../apps/trainer/src/export/export-run.ts';
import { buildOnnxGraph } from '../apps/trainer/src/export/onnx/export-layers-model.ts';
import { serializeGraph } from '../apps/trainer/src/export/onnx/serialize.ts';
import { checkParity } from '../apps/trainer/src/export/parity.ts';
import { L2Normalize, l2Normalize } from '../apps/trainer/src/model/embedding-layers.ts';
import { trainEmbeddingRun } from '../apps/trainer/src/train/embedding-run.ts';

let dir: string;
beforeAll(async () => {
  await selectBackend('wasm', { log: () => {} });
  dir = await mkdtemp(join(tmpdir(), 'sig-embedding-train-'));
  await Promise.all([
    synthesizeDataset({ writers: 24, perWriter: 6, forgeries: 2, seed: 31, out: join(dir, 'train') }),
    synthesizeDataset({ writers: 6, perWriter: 6, forgeries: 2, seed: 32, out: join(dir, 'dev') }),
    synthesizeDataset({ writers: 12, perWriter: 6, forgeries: 2, seed: 33, out: join(dir, 'test') }),
  ]);
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('L2Normalize', () => {
  it('TF.js rows have unit length (a zero row stays zero) and the ONNX export matches TF.js', async () => {
    const y = l2Normalize(tf.tensor2d([[3, 4], [0, 0]]));
    const v = Array.from(await y.data());
    [0.6, 0.8, 0, 0].forEach((e, i) => expect(v[i]).toBeCloseTo(e, 6));
    const input = tfl.input({ shape: [6] });
    const out = new L2Normalize({ name: 'embedding' }).apply(tfl.layers.dense({ units: 5 }).apply(input)) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: out });
    const graph = buildOnnxGraph(model);
    expect(graph.nodes.map((n) => n.op)).toContain('ReduceL2');
    const report = await checkParity(model, serializeGraph(graph), { tolerance: 1e-5 });
    expect(report.passed).toBe(true);
  });
});

describe('embedding training on synthetic writers', () => {
  const model = { inputHeight: 32, inputWidth: 64, widthMultiplier: 0.125, embeddingDim: 32 };
  const train = { seed: 3, steps: 120, batchSize: 32, learningRate: 3e-3, evalEvery: 60, references: 3 };

  it('separates writers it never saw (EER far below chance), resumes, and exports to an equal ONNX model', async () => {
    const out = join(dir, 'run');
    const opts = { data: [join(dir, 'train')], holdout: [join(dir, 'dev')], out, model, train, backend: 'wasm', workers: 1, quiet: true };
    // Stopped half-way (as if interrupted), then resumed from the checkpoint.
    await trainEmbeddingRun({ ...opts, interruptAt: 60 });
    const { run, result } = await trainEmbeddingRun({ ...opts, resume: true });
    expect(result.startStep).toBe(60);
    expect(result.steps).toBe(120);
    expect(run.thresholds!.far01).toBeGreaterThanOrEqual(run.thresholds!.far1);
    expect(run.calibration).toMatchObject({ writers: 6 });

    const tfResults = await evaluateVerification({ model: out, data: join(dir, 'test'), references: 3, impostorShare: 0.25, seed: 1, out: join(dir, 'eval-tf'), command: 'test' });
    // Chance: EER 0.5, top-1 1/12. Twelve writers never seen in training or calibration.
    expect(tfResults.verification.eerRandom).toBeLessThan(0.2);
    expect(tfResults.identification.top1).toBeGreaterThan(0.5);
    expect(tfResults.verification.eerSkilled).not.toBeNull();

    // Export into a folder that already holds other models: their entries stay.
    const models = join(dir, 'models');
    await mkdir(models, { recursive: true });
    await copyFile('models/manifest.json', join(models, 'manifest.json'));
    const before = Manifest.parse(JSON.parse(await readFile('models/manifest.json', 'utf8'))).models.filter((m) => m.name !== 'embedding');
    const [exported] = await exportRun(out, models);
    expect(exported.parity.maxAbsDiff).toBeLessThan(1e-4);
    const manifest = Manifest.parse(JSON.parse(await readFile(join(models, 'manifest.json'), 'utf8')));
    expect(manifest.models.map((m) => m.name).sort()).toEqual([...before.map((m) => m.name), 'embedding'].sort());
    const entry = manifest.models.find((m) => m.name === 'embedding')!;
    expect(entry).toMatchObject({ kind: 'embedding', embeddingDim: 32, similarity: 'cosine', labels: [], thresholds: run.thresholds });
    expect(entry.outputs).toEqual([{ name: 'embedding', shape: ['batch', 32], type: 'float32' }]);
    expect(String(entry.training.description)).toMatch(/trained on .*24 writers/);

    // The served model (onnxruntime-node) gives the same verification numbers as TF.js.
    const onnxResults = await evaluateVerification({ model: models, data: join(dir, 'test'), references: 3, impostorShare: 0.25, seed: 1, out: join(dir, 'eval-onnx'), command: 'test' });
    expect(onnxResults.identification).toEqual(tfResults.identification);
    expect(onnxResults.verification.eerRandom).toBeCloseTo(tfResults.verification.eerRandom, 3);

    // Training calibrated every threshold, the lookup's open1 included, with the gallery's scoring.
    expect(run.thresholds!.open1).toBeLessThan(run.thresholds!.far01);
    expect(run.calibration).toMatchObject({ scoring: 'max' });
    // sig calibrate on the same development writers, through the exported file, rewrites the manifest entry
    // with the same thresholds (ONNX = TF.js), and the other entries stay.
    const { calibration, wrote } = await calibrateEmbedding({ model: models, data: join(dir, 'dev'), references: 3, scoring: 'max' });
    expect(wrote).toBe(join(models, 'manifest.json'));
    const recal = Manifest.parse(JSON.parse(await readFile(wrote, 'utf8')));
    expect(recal.models.map((m) => m.name).sort()).toEqual(manifest.models.map((m) => m.name).sort());
    const e2 = recal.models.find((m) => m.name === 'embedding')!;
    expect(e2.kind === 'embedding' && e2.calibration).toMatchObject({ dataset: join(dir, 'dev'), writers: 6, scoring: 'max' });
    for (const k of ['far1', 'far01', 'eer', 'open1'] as const) expect(calibration[k]).toBeCloseTo(run.thresholds![k]!, 3);
    // With the template scoring the 1:1 thresholds are those of another score: they move.
    const template = await calibrateEmbedding({ model: models, data: join(dir, 'dev'), references: 3, scoring: 'template' });
    expect(template.calibration.scoring).toBe('template');
    expect(template.calibration.far1).not.toBeCloseTo(calibration.far1, 6);
  }, 600_000);
});
