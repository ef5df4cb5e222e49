// Test models for the server tests: tiny freshly built classifier, real/fake detector and generator,
// exported with the project's own ONNX exporter into a temp models/ folder with a manifest.
import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Manifest, ModelEntry, PreprocessConfig } from '@sig/shared';
import { buildOnnxGraph, exportLayersModel, tensorSpecs } from '../../apps/trainer/src/export/onnx/export-layers-model.ts';
import { buildClassifier } from '../../apps/trainer/src/model/classifier.ts';
import { buildGenerator } from '../../apps/trainer/src/model/cgan.ts';
import { buildRealFake } from '../../apps/trainer/src/model/realfake.ts';

export const LABELS = ['101', '102', '103', '104'];
const PRE: PreprocessConfig = { height: 16, width: 16, range: 'zero-one', binarize: false, removeLines: true, margin: 0.05 };

async function entryFor(dir: string, name: string, kind: ModelEntry['kind'], model: tfl.LayersModel, extra: Partial<ModelEntry>): Promise<ModelEntry> {
  const bytes = await exportLayersModel(model);
  const graph = buildOnnxGraph(model);
  const file = `${name}.onnx`;
  await writeFile(join(dir, file), bytes);
  return {
    name,
    kind,
    version: '1',
    file,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    bytes: bytes.length,
    opset: 17,
    precision: 'fp32',
    inputs: tensorSpecs(graph.inputs),
    outputs: tensorSpecs(graph.outputs),
    labels: LABELS,
    preprocess: PRE,
    training: { dataset: 'test fixture (untrained)', classes: LABELS.length, samples: 0 },
    metrics: {},
    createdAt: new Date(0).toISOString(),
    ...extra,
  };
}

/** A temp folder with classifier.onnx, realfake.onnx, generator.onnx and manifest.json (untrained, tiny). */
export async function makeTestModels(): Promise<{ dir: string; manifest: Manifest }> {
  await tf.setBackend('cpu');
  const dir = await mkdtemp(join(tmpdir(), 'sig-serve-test-'));
  const models = [
    await entryFor(dir, 'classifier', 'classifier', buildClassifier({ classes: LABELS.length, inputHeight: 16, inputWidth: 16, widthMultiplier: 0.0625, dropout: 0 }), {}),
    await entryFor(dir, 'realfake', 'realfake', buildRealFake({ imageSize: 16, filters: 4, blocks: 2, dense: 8 }), { labels: [], threshold: 0.5 }),
    await entryFor(dir, 'generator', 'generator', buildGenerator({ numClasses: LABELS.length, latentDim: 8, imageSize: 16, seedSize: 4, genFilters: 8 }), {
      latentDim: 8,
      preprocess: { ...PRE, range: 'minus-one-one' },
    }),
  ];
  const manifest: Manifest = { schemaVersion: 1, models };
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return { dir, manifest };
}
