// A manifest records where a model was trained in words a user can read on another machine: a dataset inside the
// folder `sig export` runs in is written relative to it, so the committed manifest and the ONNX files' metadata
// carry no absolute path of the machine that exported them.
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { Manifest } from '@sig/shared';
import { describe, expect, it } from 'vitest';
import { portablePath } from '../apps/trainer/src/export/export-run.ts';

describe('portable dataset paths', () => {
  it('relative inside the export folder; untouched outside it or when already relative', () => {
    expect(portablePath('/home/u/repo/runs/synth', '/home/u/repo')).toBe('runs/synth');
    expect(portablePath('/home/u/repo', '/home/u/repo')).toBe('/home/u/repo');
    expect(portablePath('/data/sheets', '/home/u/repo')).toBe('/data/sheets');
    expect(portablePath('/home/u/repo-2/x', '/home/u/repo')).toBe('/home/u/repo-2/x');
    expect(portablePath('../shared/datasets/x@1-40', '/home/u/repo')).toBe('../shared/datasets/x@1-40');
  });

  it('the committed manifest and ONNX files name no absolute dataset path', () => {
    const models = resolve(import.meta.dirname, '..', 'models');
    const manifest = Manifest.parse(JSON.parse(readFileSync(join(models, 'manifest.json'), 'utf8')));
    for (const m of manifest.models) {
      expect(isAbsolute(m.training.dataset), `${m.name}: ${m.training.dataset}`).toBe(false);
      const metadata = readFileSync(join(models, m.file)).toString('latin1');
      expect(metadata.includes('"dataset":"/'), m.file).toBe(false);
    }
  });
});
