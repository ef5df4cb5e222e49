// Test models for the server tests: tiny freshly built classifier, real/fake detector and generator, saved as
// run folders and exported with the project's own exporter (exportRun: parity check, .onnx, manifest.json).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-node';
import { Manifest, type PreprocessConfig, type RunInfo } from '@sig/shared';
import { exportRun } from '../../apps/trainer/src/export/export-run.ts';
import { buildClassifier } from '../../apps/trainer/src/model/classifier.ts';
import { buildGenerator } from '../../apps/trainer/src/model/cgan.ts';
import { saveModel } from '../../apps/trainer/src/model/io.ts';
import { buildRealFake } from '../../apps/trainer/src/model/realfake.ts';

// The exporter's parity check creates the process's first onnxruntime session; without this, every later
// session that tries CUDA (the server's default) prints onnxruntime's multi-line "cannot load" error.
ort.env.logLevel = 'fatal';

export const LABELS = ['101', '102', '103', '104'];
export const PRE: PreprocessConfig = { height: 16, width: 16, range: 'zero-one', binarize: false, removeLines: true, margin: 0.05 };

/**
 * Writes a run folder as `sig train` does (run.json + model/) and exports it into `modelsDir`. `extra` overrides
 * run.json fields (name, labels, createdAt, ...); the dataset record counts the labels.
 */
export async function exportAsRun(modelsDir: string, kind: RunInfo['kind'], model: tfl.LayersModel, extra: Partial<RunInfo> = {}): Promise<void> {
  const name = extra.name ?? kind;
  const labels = extra.labels ?? LABELS;
  const run = await mkdtemp(join(tmpdir(), `sig-test-run-${name}-`));
  try {
    await saveModel(model, kind === 'cgan' ? join(run, 'model', 'generator') : join(run, 'model'));
    const info: RunInfo = {
      kind,
      name,
      createdAt: '2026-11-21T20:00:00.000Z',
      labels,
      preprocess: PRE,
      config: {},
      dataset: { path: join(run, 'no-data'), classes: labels.length, samples: 0 },
      seed: 1,
      backend: 'cpu',
      metrics: {},
      ...extra,
    };
    await writeFile(join(run, 'run.json'), JSON.stringify(info));
    await exportRun(run, modelsDir, { realSamples: 0 });
  } finally {
    await rm(run, { recursive: true, force: true });
  }
}

/** A temp models folder with classifier, realfake and generator (.onnx + manifest.json), untrained and tiny. */
export async function makeTestModels(): Promise<{ dir: string; manifest: Manifest }> {
  await tf.setBackend('cpu');
  const dir = await mkdtemp(join(tmpdir(), 'sig-serve-test-'));
  await exportAsRun(dir, 'classifier', buildClassifier({ classes: LABELS.length, inputHeight: 16, inputWidth: 16, widthMultiplier: 0.0625, dropout: 0 }));
  await exportAsRun(dir, 'realfake', buildRealFake({ imageSize: 16, filters: 4, blocks: 2, dense: 8 }), { labels: ['fake', 'genuine'], threshold: 0.5 });
  await exportAsRun(dir, 'cgan', buildGenerator({ numClasses: LABELS.length, latentDim: 8, imageSize: 16, seedSize: 4, genFilters: 8 }), {
    latentDim: 8,
    preprocess: { ...PRE, range: 'minus-one-one' },
  });
  const manifest = Manifest.parse(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')));
  return { dir, manifest };
}
