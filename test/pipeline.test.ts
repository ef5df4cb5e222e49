import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import * as ortw from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  UserError,
  authenticity,
  classify,
  generateFloat,
  Rng,
  truncatedNormal,
  topK,
  type FloatImage,
  type Manifest,
  type GeneratorEntry,
  type ModelEntry,
  type OrtSessionLike,
  type OrtTensorLike,
} from '@sig/shared';
import { genuineProbability } from '../packages/shared/src/pipeline/authenticity.ts';
import { toProbabilities } from '../packages/shared/src/pipeline/classify.ts';
import { effectiveTruncation, latentVectors } from '../packages/shared/src/pipeline/generate.ts';
import { LABELS, makeTestModels } from './server/fixtures.ts';

describe('pipeline post-processing', () => {
  it('keeps a probability row and softmaxes logits', () => {
    const p = Float32Array.from([0.1, 0.7, 0.2]);
    expect(toProbabilities(p, 'probabilities')).toBe(p);
    const q = toProbabilities(Float32Array.from([1, 3, -2]), 'logits');
    expect(q.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(q[1]).toBeCloseTo(Math.exp(3) / (Math.exp(1) + Math.exp(3) + Math.exp(-2)), 6);
  });

  it('ranks labels by probability, ties in label order', () => {
    expect(topK(Float32Array.from([0.2, 0.5, 0.2, 0.1]), ['a', 'b', 'c', 'd'], 3).map((p) => p.label)).toEqual(['b', 'a', 'c']);
  });

  it('reads p(genuine) from a probability, a logit or two scores, as the manifest says', () => {
    expect(genuineProbability(Float32Array.from([0.8]), [], 'probabilities')).toBeCloseTo(0.8, 6);
    expect(genuineProbability(Float32Array.from([0]), [], 'probabilities')).toBe(0);
    expect(genuineProbability(Float32Array.from([2]), [], 'logits')).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
    // A logit inside [0, 1] is still a logit (the value range no longer decides).
    expect(genuineProbability(Float32Array.from([0.8]), [], 'logits')).toBeCloseTo(1 / (1 + Math.exp(-0.8)), 6);
    expect(genuineProbability(Float32Array.from([0.3, 0.7]), ['fake', 'genuine'], 'probabilities')).toBeCloseTo(0.7, 6);
    expect(genuineProbability(Float32Array.from([0.3, 0.7]), ['genuine', 'fake'], 'probabilities')).toBeCloseTo(0.3, 6);
    expect(genuineProbability(Float32Array.from([0, 1]), ['fake', 'genuine'], 'logits')).toBeCloseTo(Math.E / (1 + Math.E), 6);
  });

  it('draws the same latent vectors for the same seed, image i from row i', () => {
    expect(latentVectors(8, 3, 5)).toEqual(latentVectors(8, 3, 5));
    expect(latentVectors(8, 2, 5)).toEqual(latentVectors(8, 3, 5).slice(0, 16));
    expect(latentVectors(8, 1, 6)).not.toEqual(latentVectors(8, 1, 5));
  });

  it('truncation: every latent value within ±t, redrawn from the same stream; none (∞) = the plain normals', () => {
    const plain = latentVectors(100, 4, 5);
    expect(latentVectors(100, 4, 5, Infinity)).toEqual(plain);
    expect(Math.max(...plain.map(Math.abs))).toBeGreaterThan(1);
    const t = latentVectors(100, 4, 5, 1);
    expect(Math.max(...t.map(Math.abs))).toBeLessThanOrEqual(1);
    expect(t).toEqual(latentVectors(100, 4, 5, 1));
    // the first value within the bound is kept as drawn
    const first = plain.findIndex((v) => Math.abs(v) > 1);
    expect(t.slice(0, first)).toEqual(plain.slice(0, first));
    expect(() => truncatedNormal(new Rng(1), 0)).toThrow(RangeError);
  });
});

/** A fake generator that records its feeds and returns zeros of the right size. */
class RecordingGenerator implements OrtSessionLike {
  readonly inputNames = ['z', 'label'];
  readonly outputNames = ['img'];
  feeds: Record<string, OrtTensorLike> = {};
  async run(feeds: Record<string, OrtTensorLike>) {
    this.feeds = feeds;
    const n = feeds.z.dims[0];
    return { img: new ort.Tensor('float32', new Float32Array(n * 4), [n, 2, 2, 1]) };
  }
}

function generatorEntry(label: ModelEntry['inputs'][number]): GeneratorEntry {
  return {
    name: 'g', kind: 'generator', version: '1', file: 'g.onnx', sha256: '0'.repeat(64), bytes: 1, opset: 17, precision: 'fp32',
    inputs: [{ name: 'z', shape: ['batch', 3], type: 'float32' }, label],
    outputs: [{ name: 'img', shape: ['batch', 2, 2, 1], type: 'float32' }],
    labels: ['a', 'b', 'c'], latentDim: 3, latentInput: 'z', labelInput: 'label',
    preprocess: { height: 2, width: 2, range: 'minus-one-one', binarize: false, removeLines: true, margin: 0.05 },
    training: { dataset: 'x', classes: 3, samples: 0 }, metrics: {}, createdAt: '',
  };
}

describe('generator feeds', () => {
  it('one-hot float labels, int64 label indices, seeded z, unknown labels refused', async () => {
    const session = new RecordingGenerator();
    const ctx = { session, Tensor: ort.Tensor };
    const imgs = await generateFloat(ctx, generatorEntry({ name: 'label', shape: ['batch', 3], type: 'float32' }), { label: 'b', count: 2, seed: 9 });
    expect(imgs).toHaveLength(2);
    expect(Array.from(session.feeds.label.data as Float32Array)).toEqual([0, 1, 0, 0, 1, 0]);
    expect(session.feeds.z.dims).toEqual([2, 3]);
    expect(session.feeds.z.data).toEqual(latentVectors(3, 2, 9));
    await generateFloat(ctx, generatorEntry({ name: 'label', shape: ['batch'], type: 'int64' }), { label: 'c', count: 2, seed: 9 });
    expect(session.feeds.label.type).toBe('int64');
    expect(Array.from(session.feeds.label.data as BigInt64Array)).toEqual([2n, 2n]);
    await expect(generateFloat(ctx, generatorEntry({ name: 'label', shape: ['batch', 3], type: 'float32' }), { label: 'zz', count: 1, seed: 1 })).rejects.toBeInstanceOf(UserError);
  });
  it("the manifest's truncation is the default; a request's own (or null: none) overrides it", async () => {
    const session = new RecordingGenerator();
    const ctx = { session, Tensor: ort.Tensor };
    const entry = { ...generatorEntry({ name: 'label', shape: ['batch', 3], type: 'float32' }), truncation: 0.5 };
    expect([effectiveTruncation(entry, {}), effectiveTruncation(entry, { truncation: 2 }), effectiveTruncation(entry, { truncation: null })]).toEqual([0.5, 2, Infinity]);
    await generateFloat(ctx, entry, { label: 'a', count: 2, seed: 9 });
    expect(session.feeds.z.data).toEqual(latentVectors(3, 2, 9, 0.5));
    await generateFloat(ctx, entry, { label: 'a', count: 2, seed: 9, truncation: null });
    expect(session.feeds.z.data).toEqual(latentVectors(3, 2, 9));
  });
});

describe('the same pipeline over onnxruntime-node and onnxruntime-web', () => {
  let dir: string;
  let manifest: Manifest;
  beforeAll(async () => {
    ({ dir, manifest } = await makeTestModels());
    ortw.env.wasm.numThreads = 1;
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives the same classification, authenticity and generated pixels', async () => {
    const images: FloatImage[] = [0, 1, 2].map((k) => ({ width: 16, height: 16, data: Float32Array.from({ length: 256 }, (_, i) => ((i * (k + 3)) % 11 === 0 ? 1 : 0)) }));
    const results: unknown[][] = [];
    for (const rt of [ort, ortw] as const) {
      const out: unknown[] = [];
      for (const entry of manifest.models) {
        const session = await rt.InferenceSession.create(new Uint8Array(await readFile(join(dir, entry.file))));
        const ctx = { session, Tensor: rt.Tensor };
        if (entry.kind === 'classifier') out.push(await classify(ctx, entry, images, { topK: 4 }));
        if (entry.kind === 'realfake') out.push(await authenticity(ctx, entry, images));
        if (entry.kind === 'generator') out.push(await generateFloat(ctx, entry, { label: LABELS[1], count: 2, seed: 3 }));
        await session.release();
      }
      results.push(out);
    }
    const [node, web] = results as [any[], any[]];
    const cls = (r: any[]) => r.find((x) => x[0]?.top) as { top: { label: string; probability: number }[] }[];
    for (let i = 0; i < images.length; i++) {
      expect(cls(web)[i].top[0].label).toBe(cls(node)[i].top[0].label);
      cls(web)[i].top.forEach((p, j) => expect(p.probability).toBeCloseTo(cls(node)[i].top[j].probability, 5));
    }
    const auth = (r: any[]) => r.find((x) => x[0]?.verdict) as { pGenuine: number }[];
    auth(web).forEach((a, i) => expect(a.pGenuine).toBeCloseTo(auth(node)[i].pGenuine, 5));
    const gen = (r: any[]) => r.find((x) => x[0]?.data) as FloatImage[];
    gen(web).forEach((g, i) => g.data.forEach((v, j) => expect(Math.abs(v - gen(node)[i].data[j])).toBeLessThan(1e-4)));
  });
});
