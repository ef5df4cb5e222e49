// Test models for the gallery tests: a tiny untrained TF.js embedding network (conv → dense 'embedding'),
// exported with the project's exporter, then listed as kind 'embedding' (the manifest shape the embedding
// model of issue 17 ships with). Its vectors are not L2-normalised in the graph: the shared embed() does it.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-node';
import { Manifest, type EmbeddingThresholds, type ModelEntry } from '@sig/shared';
import { buildRealFake } from '../../apps/trainer/src/model/realfake.ts';
import { PRE, exportAsRun } from '../server/fixtures.ts';

ort.env.logLevel = 'fatal';

export { PRE };
export const DIM = 8;
// The gallery fixtures' run date (their manifest version is derived from it).
const CREATED = '2026-12-04T16:00:00.000Z';

/** A small conv net whose output layer is called 'embedding' (seeded, so every run gets the same weights). */
export function buildTinyEmbedding(seed = 3): tfl.LayersModel {
  const init = (s: number) => tfl.initializers.glorotUniform({ seed: seed * 10 + s });
  const input = tfl.input({ shape: [PRE.height, PRE.width, 1], name: 'image' });
  let x = tfl.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, activation: 'relu', kernelInitializer: init(1) }).apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.flatten().apply(x) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: DIM, name: 'embedding', kernelInitializer: init(2) }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

/**
 * A models folder with the tiny embedding model (kind 'embedding', `version`) and optionally a real/fake
 * detector. `thresholds` are the "calibrated" cosine thresholds the test wants.
 */
export async function makeGalleryModels(opts: { thresholds: EmbeddingThresholds; realfake?: boolean; version?: string; seed?: number; dir?: string }): Promise<{ dir: string; manifest: Manifest }> {
  await tf.setBackend('cpu');
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'sig-gallery-models-')));
  await exportAsRun(dir, 'classifier', buildTinyEmbedding(opts.seed), { name: 'embedding', labels: [], createdAt: CREATED });
  if (opts.realfake) {
    await exportAsRun(dir, 'realfake', buildRealFake({ imageSize: 16, filters: 4, blocks: 2, dense: 8 }), { labels: ['fake', 'genuine'], threshold: 0.5, createdAt: CREATED });
  }
  const path = join(dir, 'manifest.json');
  const manifest = Manifest.parse(JSON.parse(await readFile(path, 'utf8')));
  const emb = manifest.models.find((m) => m.name === 'embedding')!;
  const patched: ModelEntry = {
    ...emb,
    kind: 'embedding',
    version: opts.version ?? emb.version,
    labels: [],
    embeddingDim: DIM,
    similarity: 'cosine',
    thresholds: opts.thresholds,
    calibration: { dataset: 'test fixture (thresholds chosen by the test)', writers: 0 },
    outputs: emb.outputs.map((o) => ({ ...o })),
  };
  manifest.models = manifest.models.map((m) => (m.name === 'embedding' ? patched : m));
  await writeFile(path, JSON.stringify(manifest, null, 2));
  return { dir, manifest };
}
