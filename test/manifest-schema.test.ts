// The manifest schema: one entry type per model kind, older manifests still load, the committed one parses.
import { readFileSync } from 'node:fs';
import { EmbeddingEntry, Manifest, ModelEntry } from '@sig/shared';
import { describe, expect, it } from 'vitest';

const common = {
  version: '1',
  sha256: 'a'.repeat(64),
  bytes: 10,
  opset: 17,
  preprocess: { height: 8, width: 8, range: 'zero-one', binarize: false, removeLines: true, margin: 0.05 },
  training: { dataset: 'x', classes: 2, samples: 4 },
  createdAt: '2026-12-04T00:00:00Z',
};
const image = [{ name: 'image', shape: ['batch', 8, 8, 1], type: 'float32' }];

describe('manifest entries by kind', () => {
  it('loads entries written before scores / latentInput / labelInput with the defaults every earlier export had', () => {
    const clf = ModelEntry.parse({ ...common, name: 'c', kind: 'classifier', file: 'c.onnx', inputs: image, outputs: [{ name: 'p', shape: ['batch', 2], type: 'float32' }], labels: ['1', '2'] });
    expect(clf).toMatchObject({ kind: 'classifier', scores: 'probabilities', precision: 'fp32' });
    const gen = ModelEntry.parse({
      ...common, name: 'g', kind: 'generator', file: 'g.onnx', latentDim: 4, labels: ['1', '2'],
      inputs: [{ name: 'z', shape: ['batch', 4], type: 'float32' }, { name: 'label', shape: ['batch', 2], type: 'float32' }],
      outputs: [{ name: 'img', shape: ['batch', 8, 8, 1], type: 'float32' }],
    });
    expect(gen).toMatchObject({ kind: 'generator', latentInput: 'z', labelInput: 'label' });
  });

  it('refuses a generator without latentDim and an unknown kind', () => {
    const gen = { ...common, name: 'g', kind: 'generator', file: 'g.onnx', labels: [], inputs: image, outputs: image };
    expect(ModelEntry.safeParse(gen).success).toBe(false);
    expect(ModelEntry.safeParse({ ...gen, kind: 'detector', latentDim: 4 }).success).toBe(false);
  });

  it("a generator's served truncation is within the range a request may ask for (a tiny one would redraw almost forever)", () => {
    const gen = { ...common, name: 'g', kind: 'generator', file: 'g.onnx', latentDim: 4, labels: [], inputs: image, outputs: image };
    expect(ModelEntry.parse({ ...gen, truncation: 1.25 })).toMatchObject({ truncation: 1.25 });
    for (const t of [0, 0.01, 11]) expect(ModelEntry.safeParse({ ...gen, truncation: t }).success, String(t)).toBe(false);
  });

  it('parses an embedding entry (no labels) and refuses one without thresholds', () => {
    const emb = {
      ...common, name: 'e', kind: 'embedding', file: 'e.onnx', labels: [], inputs: image,
      outputs: [{ name: 'embedding', shape: ['batch', 128], type: 'float32' }],
      embeddingDim: 128, similarity: 'cosine', thresholds: { far1: 0.62, far01: 0.71, eer: 0.55 },
      calibration: { dataset: 'signature-forgeries (development writers)', writers: 45, genuinePairs: 100 },
    };
    const parsed = ModelEntry.parse(emb);
    expect(parsed.kind).toBe('embedding');
    expect(EmbeddingEntry.parse(emb).thresholds.far01).toBe(0.71);
    const { thresholds: _, ...without } = emb;
    expect(ModelEntry.safeParse(without).success).toBe(false);
    expect(ModelEntry.safeParse({ ...emb, similarity: 'euclidean' }).success).toBe(false);
  });

  it('the committed models/manifest.json records scores and the generator inputs explicitly', () => {
    const raw = JSON.parse(readFileSync('models/manifest.json', 'utf8')) as { models: Record<string, unknown>[] };
    const manifest = Manifest.parse(raw);
    for (const [i, m] of manifest.models.entries()) {
      if (m.kind === 'generator') {
        expect(raw.models[i]).toMatchObject({ latentInput: 'z', labelInput: 'label' });
        expect(m.inputs.map((s) => s.name)).toEqual(expect.arrayContaining([m.latentInput, m.labelInput]));
      } else if (m.kind === 'embedding') {
        expect(raw.models[i].embeddingDim).toBe(m.outputs[0].shape[1]);
      } else expect(raw.models[i].scores).toBe('probabilities');
    }
  });
});

describe('the exporter records what the first output holds', () => {
  it('probabilities after softmax or sigmoid, logits after a plain dense layer', async () => {
    await import('@tensorflow/tfjs-backend-cpu');
    const tf = await import('@tensorflow/tfjs-core');
    await tf.setBackend('cpu');
    const { outputScores } = await import('../apps/trainer/src/export/export-run.ts');
    const { buildClassifier, logitsModel } = await import('../apps/trainer/src/model/classifier.ts');
    const { buildRealFake } = await import('../apps/trainer/src/model/realfake.ts');
    const clf = buildClassifier({ classes: 3, inputHeight: 16, inputWidth: 16, widthMultiplier: 0.05 });
    expect(outputScores(clf)).toBe('probabilities');
    expect(outputScores(logitsModel(clf))).toBe('logits');
    expect(outputScores(buildRealFake({ imageSize: 16, filters: 4, blocks: 2, dense: 0 }))).toBe('probabilities');
  });
});
