import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { PreprocessConfig, RunInfo, type GrayImage } from '@sig/shared';
import { encodePng } from '@sig/shared/node/image-io.ts';
import { buildGenerator } from '../apps/trainer/src/model/cgan.ts';
import { buildRealFake } from '../apps/trainer/src/model/realfake.ts';
import { detectorSet, generatedPngs, imageBytesToInput } from '../apps/trainer/src/evaluate/gan-detector-inputs.ts';
import { synthesizeDataset } from '../apps/trainer/src/data/index.ts';
import { trainCganRun } from '../apps/trainer/src/train/cgan-run.ts';
import { trainRealFakeRun } from '../apps/trainer/src/train/realfake-run.ts';

const pre = PreprocessConfig.parse({ height: 64, width: 64, range: 'zero-one' });

/** A "photographed" signature: white paper (8-bit), a dark stroke. */
function strokeImage(): GrayImage {
  const width = 180, height = 70;
  const data = new Uint8ClampedArray(width * height).fill(235);
  for (let x = 20; x < 160; x++) {
    const y = Math.round(35 + 18 * Math.sin(x / 12));
    for (let dy = -2; dy <= 2; dy++) data[(y + dy) * width + x] = 30;
  }
  return { width, height, data };
}

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'realfake-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('real/fake detector inputs: one range, one pipeline', () => {
  it('genuine files and generated tensors arrive in the same range with paper at the low end', async () => {
    const real = [await encodePng(strokeImage())];
    const g = buildGenerator({ numClasses: 2, latentDim: 8, genFilters: 16 }, 3);
    const fake = (await generatedPngs(g, { numClasses: 2, latentDim: 8, size: 64, perLabel: 2, seed: 1 })).pngs;
    // a truncation draws other latent vectors from the same seed (sig eval cgan --truncation)
    const truncated = (await generatedPngs(g, { numClasses: 2, latentDim: 8, size: 64, perLabel: 2, seed: 1, truncation: 0.5 })).pngs;
    expect(truncated.map((p) => Buffer.from(p).toString('base64'))).not.toEqual(fake.map((p) => Buffer.from(p).toString('base64')));
    expect((await generatedPngs(g, { numClasses: 2, latentDim: 8, size: 64, perLabel: 2, seed: 1, truncation: Infinity })).pngs).toEqual(fake);
    // The generator's raw output is tanh ([-1, 1]); the detector must never see that space directly.
    const set = await detectorSet(real, fake, pre);
    const px = 64 * 64;
    const stats = (i: number): { min: number; max: number } => {
      const v = set.x.subarray(i * px, (i + 1) * px);
      return { min: Math.min(...v), max: Math.max(...v) };
    };
    for (let i = 0; i < set.n; i++) {
      const { min, max } = stats(i);
      expect(min).toBeGreaterThanOrEqual(0);
      expect(max).toBeLessThanOrEqual(1);
    }
    // Real ink reaches the top of the range (not 0..255, not 0..1/255).
    expect(stats(0).max).toBeGreaterThan(0.5);
    expect(Array.from(set.y)).toEqual([1, 0, 0, 0, 0]);
  });

  it('the same bytes give the same input whether labelled genuine or generated', async () => {
    const png = await encodePng(strokeImage());
    const set = await detectorSet([png], [png], pre);
    const px = 64 * 64;
    expect(Array.from(set.x.subarray(0, px))).toEqual(Array.from(set.x.subarray(px, 2 * px)));
    expect(Array.from(set.x.subarray(0, px))).toEqual(Array.from((await imageBytesToInput(png, pre)).data));
  });
});

describe('the detector network', () => {
  it('--stem-stride 1 keeps the full resolution in the first block, one halving fewer to the end', () => {
    const layer = (stemStride: number, name: string) => {
      const model = buildRealFake({ imageSize: 32, filters: 4, blocks: 3, dense: 8, stemStride });
      const shape = model.getLayer(name).outputShape;
      model.dispose();
      return shape;
    };
    expect(layer(2, 'rf_conv0')).toEqual([null, 16, 16, 4]);
    expect(layer(1, 'rf_conv0')).toEqual([null, 32, 32, 4]);
    expect(layer(2, 'rf_flatten')).toEqual([null, 4 * 4 * 16]);
    expect(layer(1, 'rf_flatten')).toEqual([null, 8 * 8 * 16]);
  });
});

describe('sig train cgan → sig train realfake, tiny end to end', () => {
  it('trains a detector that beats chance on a generator it never saw', async () => {
    const data = join(dir, 'data');
    await synthesizeDataset({ writers: 3, perWriter: 12, seed: 5, out: data });
    const gan = join(dir, 'gan');
    await trainCganRun({
      data, out: gan, backend: 'wasm', model: { genFilters: 8, discFilters: 4 },
      train: { steps: 6, batch: 4, seed: 1, sampleEvery: 3, checkpointEvery: 3, snapshotEvery: 2, holdout: 0.2, gridLabels: 3 },
    });
    const ganRun = RunInfo.parse(JSON.parse(await readFile(join(gan, 'run.json'), 'utf8')));
    expect(ganRun).toMatchObject({ kind: 'cgan', latentDim: 100, labels: expect.any(Array) });
    expect(existsSync(join(gan, 'model', 'generator', 'model.json'))).toBe(true);
    expect(existsSync(join(gan, 'samples.png'))).toBe(true);

    const rf = join(dir, 'rf');
    // The first, small recipe (the defaults are now the committed detector's: capture copies, 2 fakes, augmentation).
    const { metrics: m } = await trainRealFakeRun({
      real: data, generator: gan, out: rf, backend: 'wasm', model: { filters: 4, bnMomentum: 0.99, stemStride: 2 },
      train: { epochs: 4, batch: 8, seed: 1, holdout: 0.3, fakes: 1, augment: false, capture: 0 },
    });
    expect(m.auc).toBeGreaterThan(0.75);
    const run = RunInfo.parse(JSON.parse(await readFile(join(rf, 'run.json'), 'utf8')));
    expect(run.kind).toBe('realfake');
    expect(run.threshold).toBeGreaterThanOrEqual(0);
    expect((run.dataset as unknown as { trainSnapshots: string[] }).trainSnapshots).toEqual(['step-000002', 'step-000004']);
    expect(existsSync(join(rf, 'confusion.png'))).toBe(true);

    // The small-data options: 2 generated per genuine image, augmentation, faster BatchNorm statistics, the
    // first block at full resolution (the default stem).
    const rf2 = join(dir, 'rf2');
    const { metrics: m2 } = await trainRealFakeRun({
      real: data, generator: gan, out: rf2, backend: 'wasm', model: { filters: 4, bnMomentum: 0.9 },
      train: { epochs: 4, batch: 8, seed: 1, holdout: 0.3, fakes: 2, augment: true, capture: 0 },
    });
    expect(m2.auc).toBeGreaterThan(0.75);
    const run2 = RunInfo.parse(JSON.parse(await readFile(join(rf2, 'run.json'), 'utf8')));
    expect(run2.config).toMatchObject({ bnMomentum: 0.9, stemStride: 1, fakes: 2, augment: true });
    // twice as many generated as genuine training images (rounded up per label and snapshot)
    expect(run2.dataset.samples).toBeGreaterThan(run.dataset.samples);
    await expect(trainRealFakeRun({
      real: data, generator: gan, out: join(dir, 'rf3'), backend: 'wasm', model: { filters: 4, bnMomentum: 1 }, train: { epochs: 1, batch: 8, seed: 1, holdout: 0.3 },
    })).rejects.toThrow(/bnMomentum/);
  });
});
