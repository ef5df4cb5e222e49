// models/manifest.json writing: entries replaced by name, validated, and parallel updates not lost.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Manifest, UserError, type ModelEntry } from '@sig/shared';
import { describe, expect, it } from 'vitest';
import { readManifest, updateManifest } from '../apps/trainer/src/export/manifest.ts';

function entry(name: string, version = '1'): ModelEntry {
  return {
    name,
    kind: 'classifier',
    scores: 'probabilities',
    version,
    file: `${name}.onnx`,
    sha256: 'a'.repeat(64),
    bytes: 10,
    opset: 17,
    precision: 'fp32',
    inputs: [{ name: 'image', shape: ['batch', 8, 8, 1], type: 'float32' }],
    outputs: [{ name: 'probabilities', shape: ['batch', 2], type: 'float32' }],
    labels: ['1', '2'],
    preprocess: { height: 8, width: 8, range: 'zero-one', binarize: false, removeLines: true, margin: 0.05 },
    training: { dataset: 'x', classes: 2, samples: 4 },
    metrics: {},
    createdAt: '2026-11-21T00:00:00Z',
  };
}

describe('manifest writer', () => {
  it('adds, replaces by name and keeps other entries; parallel updates are all kept', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'manifest-'));
    await updateManifest(dir, [entry('b'), entry('a')]);
    await updateManifest(dir, [entry('a', '2')]);
    await Promise.all(['c', 'd', 'e', 'f'].map((n) => updateManifest(dir, [entry(n)])));
    const m = Manifest.parse(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')));
    expect(m.models.map((e) => `${e.name}@${e.version}`)).toEqual(['a@2', 'b@1', 'c@1', 'd@1', 'e@1', 'f@1']);
  });

  it('refuses an invalid manifest with a UserError naming the field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'manifest-'));
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ schemaVersion: 1, models: [{ ...entry('a'), sha256: 'nope' }] }));
    const err = await readManifest(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/models\.0\.sha256/);
  });

  it('an empty folder reads as an empty manifest', async () => {
    expect(await readManifest(await mkdtemp(join(tmpdir(), 'manifest-')))).toEqual({ schemaVersion: 1, models: [] });
  });
});
