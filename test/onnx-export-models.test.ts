// The project's real architectures (their builders at a tiny width) through the ONNX exporter: parity with
// TF.js on random and image-like inputs, the official checker, fp16/int8 variants, and `exportRun` on a
// run folder (files, manifest, metadata_props, refusal on a parity failure).
import '@tensorflow/tfjs-backend-cpu';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { Manifest, UserError, type RunInfo } from '@sig/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildClassifier } from '../apps/trainer/src/model/classifier.ts';
import { buildDiscriminator, buildGenerator } from '../apps/trainer/src/model/cgan.ts';
import { buildRealFake } from '../apps/trainer/src/model/realfake.ts';
import { saveModel } from '../apps/trainer/src/model/io.ts';
import { exportLayersModel } from '../apps/trainer/src/export/onnx/export-layers-model.ts';
import { readMetadata } from '../apps/trainer/src/export/onnx/serialize.ts';
import { checkParity, PARITY_LIMITS, type InputKind } from '../apps/trainer/src/export/parity.ts';
import { exportRun, exportRuns, inputKinds } from '../apps/trainer/src/export/export-run.ts';
import { sha256Hex } from '../apps/trainer/src/export/manifest.ts';
import { CheckerBatch, checkOnnxFile, randomizeWeights } from './helpers/onnx-check.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const S = 32;
/** Image-like inputs (paper 0, a few ink strokes ~1): stand-ins for real preprocessed signatures. */
function strokeImages(count: number, size = S): Float32Array {
  const out = new Float32Array(count * size * size);
  for (let n = 0; n < count; n++) {
    for (let t = 0; t < 200; t++) {
      const u = t / 200;
      const x = Math.round(size * (0.15 + 0.7 * u));
      const y = Math.round(size * (0.5 + 0.25 * Math.sin(6.28 * u * (1 + n * 0.3) + n)));
      for (const [dx, dy] of [[0, 0], [1, 0], [0, 1]]) {
        const xx = Math.min(size - 1, x + dx);
        const yy = Math.min(size - 1, y + dy);
        out[n * size * size + yy * size + xx] = 0.8 + 0.2 * ((t * 7) % 3) / 2;
      }
    }
  }
  return out;
}

const archs: { name: string; build: () => tfl.LayersModel; kinds?: InputKind[] }[] = [
  { name: 'classifier', build: () => buildClassifier({ classes: 5, inputHeight: S, inputWidth: S, widthMultiplier: 0.0625 }) },
  { name: 'generator-resize', build: () => buildGenerator({ numClasses: 4, latentDim: 8, imageSize: S, seedSize: 8, genFilters: 16 }) },
  { name: 'generator-transpose', build: () => buildGenerator({ numClasses: 4, latentDim: 8, imageSize: S, seedSize: 8, genFilters: 16, upsample: 'transpose' }) },
  { name: 'discriminator', build: () => buildDiscriminator({ numClasses: 4, imageSize: S, seedSize: 8, discFilters: 4, discLayers: 2, auxWeight: 0 }) },
  { name: 'realfake', build: () => buildRealFake({ imageSize: S, filters: 4, blocks: 3, dense: 8 }) },
  // the stem of every detector up to 1.4.0 (the default now keeps the first block at full resolution)
  { name: 'realfake-stem-stride-2', build: () => buildRealFake({ imageSize: S, filters: 4, blocks: 3, dense: 8, stemStride: 2 }) },
];

const checker = new CheckerBatch();

describe('ONNX export of the project architectures', () => {
  for (const [i, a] of archs.entries()) {
    it(`${a.name}: fp32 parity ≤ 1e-4 on random and image-like inputs, fp16/int8 within their limits and smaller`, async () => {
      const model = a.build();
      randomizeWeights(model, 10 + i, 0.2);
      const kinds = inputKinds(model);
      // A single image input also gets image-like samples (the 'real' part of the check).
      const real = model.inputs.length === 1 ? { inputs: [strokeImages(4)], count: 4 } : undefined;
      const sizes: Record<string, number> = {};
      for (const precision of ['fp32', 'fp16', 'int8'] as const) {
        const bytes = await exportLayersModel(model, { precision });
        sizes[precision] = bytes.length;
        await checker.add(bytes, `${a.name}-${precision}`);
        const r = await checkParity(model, bytes, { ...PARITY_LIMITS[precision], inputKinds: kinds, real, seed: i });
        expect(r.samples + r.realSamples).toBeGreaterThanOrEqual(32);
        expect(r.maxAbsDiff, `${precision} max abs diff`).toBeLessThanOrEqual(PARITY_LIMITS[precision].tolerance);
        expect(r.passed, precision).toBe(true);
        if (precision === 'fp32') expect(r.argmaxAgreement).toBe(1);
      }
      expect(sizes.fp16).toBeLessThan(sizes.fp32 * 0.6);
      expect(sizes.int8).toBeLessThan(sizes.fp32 * 0.7);
    });
  }

  it('inputs are named as the builders name them, with a dynamic batch', async () => {
    const { buildOnnxGraph } = await import('../apps/trainer/src/export/onnx/export-layers-model.ts');
    const g = buildOnnxGraph(archs[1].build());
    expect(g.inputs.map((v) => v.name)).toEqual(['z', 'label']);
    expect(g.inputs[0].shape).toEqual(['batch', 8]);
    expect(g.outputs[0].shape).toEqual(['batch', S, S, 1]);
  });

  it('every exported file passes onnx.checker (full_check)', async () => {
    expect(checker.count).toBe(archs.length * 3);
    await checker.checkAll();
  });
});

/** Writes a run folder as `sig train` does (run.json, metrics.json, model/). */
async function makeRun(kind: RunInfo['kind'], model: tfl.LayersModel, extra: Partial<RunInfo> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `run-${kind}-`));
  await saveModel(model, kind === 'cgan' ? join(dir, 'model', 'generator') : join(dir, 'model'));
  const info: RunInfo = {
    kind,
    name: kind,
    createdAt: '2026-11-21T20:00:00.000Z',
    labels: ['101', '102', '103', '104', '105'].slice(0, kind === 'realfake' ? 2 : kind === 'cgan' ? 4 : 5),
    preprocess: { height: S, width: S, range: kind === 'cgan' ? 'minus-one-one' : 'zero-one', binarize: false, removeLines: true, margin: 0.05 },
    config: { epochs: 3 },
    dataset: { path: join(dir, 'no-data'), classes: 5, samples: 50 },
    seed: 42,
    backend: 'cpu',
    metrics: { top1: 0.9 },
    ...extra,
  };
  await writeFile(join(dir, 'run.json'), JSON.stringify(info));
  await writeFile(join(dir, 'metrics.json'), JSON.stringify({ top1: 0.93, perClass: { f1: 0.9 }, curve: [1, 2] }));
  return dir;
}

describe('exportRun: run folder → models folder + manifest', () => {
  it('writes classifier, generator and realfake with manifest entries and metadata, fp16/int8 variants', async () => {
    const models = await mkdtemp(join(tmpdir(), 'models-'));
    const cls = archs[0].build();
    randomizeWeights(cls, 1, 0.2);
    const gen = archs[1].build();
    randomizeWeights(gen, 2, 0.2);
    const rf = archs[4].build();
    randomizeWeights(rf, 3, 0.2);
    await exportRun(await makeRun('classifier', cls), models, { precisions: ['fp16', 'int8'] });
    await exportRun(await makeRun('cgan', gen, { latentDim: 8 }), models, { truncation: 1.5 });
    const out = await exportRun(await makeRun('realfake', rf, { threshold: 0.5 }), models);
    expect(out[0].parity.passed).toBe(true);

    const manifest = Manifest.parse(JSON.parse(await readFile(join(models, 'manifest.json'), 'utf8')));
    expect(manifest.models.map((m) => m.name)).toEqual(['classifier', 'classifier.fp16', 'classifier.int8', 'generator', 'realfake']);
    for (const m of manifest.models) {
      const bytes = new Uint8Array(await readFile(join(models, m.file)));
      expect(m.sha256).toBe(sha256Hex(bytes));
      expect(m.bytes).toBe(bytes.length);
      expect(m.opset).toBeGreaterThanOrEqual(17);
      expect(readMetadata(bytes).name).toBe(m.name);
    }
    const c = manifest.models[0];
    expect(c.kind).toBe('classifier');
    expect(c.labels).toEqual(['101', '102', '103', '104', '105']);
    expect(c.inputs).toEqual([{ name: 'image', shape: ['batch', S, S, 1], type: 'float32' }]);
    expect(c.outputs[0].shape).toEqual(['batch', 5]);
    expect(c.metrics).toMatchObject({ top1: 0.93, 'perClass.f1': 0.9 });
    expect(c.training).toMatchObject({ classes: 5, samples: 50, seed: 42, epochs: 3 });
    expect(c.parity?.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    expect(manifest.models[1]).toMatchObject({ precision: 'fp16', variantOf: 'classifier' });
    const g = manifest.models[3];
    expect(g).toMatchObject({ kind: 'generator', latentDim: 8, truncation: 1.5 });
    expect(g.inputs.map((i) => i.name)).toEqual(['z', 'label']);
    expect(manifest.models[4]).toMatchObject({ kind: 'realfake', threshold: 0.5 });

    const meta = readMetadata(new Uint8Array(await readFile(join(models, 'classifier.onnx'))));
    expect(JSON.parse(meta.labels)).toEqual(c.labels);
    expect(JSON.parse(meta.preprocess)).toEqual(c.preprocess);
    expect(JSON.parse(meta.metrics).top1).toBe(0.93);
    await checkOnnxFile(...manifest.models.map((m) => join(models, m.file)));

    // Re-exporting one run replaces its entry and keeps the others.
    await exportRun(await makeRun('realfake', rf, { threshold: 0.7 }), models);
    const again = Manifest.parse(JSON.parse(await readFile(join(models, 'manifest.json'), 'utf8')));
    expect(again.models).toHaveLength(5);
    expect(again.models.find((m) => m.name === 'realfake')).toMatchObject({ kind: 'realfake', threshold: 0.7, scores: 'probabilities' });
    // A served truncation only means something for a generator.
    await expect(exportRuns([await makeRun('realfake', rf)], models, { truncation: 1 })).rejects.toThrow(/--truncation applies to a cgan run/);
  });

  it('refuses to write a model that fails parity (fp16 weights overflow) and leaves the folder untouched', async () => {
    const models = await mkdtemp(join(tmpdir(), 'models-'));
    const rf = archs[4].build();
    randomizeWeights(rf, 4, 1e5); // beyond float16's range (65504): the fp16 file would compute Inf/NaN
    const run = await makeRun('realfake', rf);
    const err = await exportRun(run, models, { precisions: ['fp16'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/realfake\.fp16\.onnx: ONNX output differs from TF\.js.*not written/);
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(models)).toEqual([]);
  });

  it('refuses a folder that is not a run, with a UserError', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'not-a-run-'));
    await expect(exportRun(empty, empty)).rejects.toBeInstanceOf(UserError);
  });
});

// Real-image parity needs the shared preprocessing; exportRun falls back to random inputs
// (and says so) where a run has no images or the preprocessing is missing.
const shared = (await import('@sig/shared')) as Record<string, unknown>;
const hasPreprocess = typeof shared.preprocess === 'function';

describe('exportRun: parity on real preprocessed images from the run dataset', () => {
  async function runWithImages(): Promise<string> {
    const sharp = (await import('sharp')).default;
    const model = buildRealFake({ imageSize: S, filters: 4, blocks: 2, dense: 0 });
    randomizeWeights(model, 30, 0.2);
    const dir = await makeRun('realfake', model);
    const info = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')) as RunInfo;
    info.dataset.path = join(dir, 'data');
    await writeFile(join(dir, 'run.json'), JSON.stringify(info));
    const { mkdir } = await import('node:fs/promises');
    const strokes = strokeImages(3, 64);
    for (const [k, label] of ['101', '102', '103'].entries()) {
      await mkdir(join(dir, 'data', label), { recursive: true });
      // Paper white, ink dark, on a 64×64 RGB canvas: what a signature photo crop looks like.
      const px = Buffer.from(Array.from(strokes.subarray(k * 4096, (k + 1) * 4096), (v) => [255 - 230 * v, 255 - 230 * v, 255 - 230 * v]).flat());
      await sharp(px, { raw: { width: 64, height: 64, channels: 3 } }).png().toFile(join(dir, 'data', label, 'a.png'));
    }
    return dir;
  }

  it('a run whose dataset has no images: random inputs only, and the log says why', async () => {
    const model = buildRealFake({ imageSize: S, filters: 4, blocks: 2, dense: 0 });
    randomizeWeights(model, 31, 0.2);
    const lines: string[] = [];
    const [r] = await exportRun(await makeRun('realfake', model), await mkdtemp(join(tmpdir(), 'models-')), { log: (l) => lines.push(l) });
    expect(r.parity.realSamples).toBe(0);
    expect(r.parity.samples).toBe(32);
    expect(lines.join('\n')).toMatch(/random inputs only \(no images under/);
    await checkOnnxFile(r.file);
  });

  it.skipIf(!hasPreprocess)('uses the dataset images (preprocessed) in the parity check', async () => {
    const [r] = await exportRun(await runWithImages(), await mkdtemp(join(tmpdir(), 'models-')));
    expect(r.parity.realSamples).toBe(3);
    expect(r.entry.parity?.realSamples).toBe(3);
    expect(r.parity.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    await checkOnnxFile(r.file);
  });
});
