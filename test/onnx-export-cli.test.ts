// `sig export` from the command line: a run folder in, an ONNX file and manifest out; bad input is one line.
import '@tensorflow/tfjs-backend-cpu';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { Manifest, type RunInfo } from '@sig/shared';
import { describe, expect, it } from 'vitest';
import { buildRealFake } from '../apps/trainer/src/model/realfake.ts';
import { saveModel } from '../apps/trainer/src/model/io.ts';
import { checkOnnxFile, randomizeWeights } from './helpers/onnx-check.ts';
import { sig as sigRun } from './helpers/sig-cli.ts';


describe('sig export', () => {
  it('exports a run folder with --int8 and writes the manifest', async () => {
    await tf.setBackend('cpu');
    const dir = await mkdtemp(join(tmpdir(), 'run-rf-'));
    const model = buildRealFake({ imageSize: 16, filters: 4, blocks: 2, dense: 0 });
    randomizeWeights(model, 9, 0.2);
    await saveModel(model, join(dir, 'model'));
    const info: RunInfo = {
      kind: 'realfake',
      name: 'realfake',
      createdAt: new Date().toISOString(),
      labels: ['generated', 'genuine'],
      preprocess: { height: 16, width: 16, range: 'zero-one', binarize: false, removeLines: true, margin: 0.05 },
      config: {},
      dataset: { path: join(dir, 'none'), classes: 2, samples: 10 },
      seed: 1,
      backend: 'cpu',
      threshold: 0.5,
      metrics: { auc: 0.99 },
    };
    await writeFile(join(dir, 'run.json'), JSON.stringify(info));
    const out = join(dir, 'models');
    const r = await sigRun(['export', '--run', dir, '--out', out, '--int8', '--version', '1.2.3']);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/realfake\.onnx: .*parity max/);
    const manifest = Manifest.parse(JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')));
    expect(manifest.models.map((m) => [m.name, m.version, m.precision])).toEqual([
      ['realfake', '1.2.3', 'fp32'],
      ['realfake.int8', '1.2.3', 'int8'],
    ]);
    await checkOnnxFile(join(out, 'realfake.onnx'), join(out, 'realfake.int8.onnx'));
  });

  it('a folder without run.json is one readable line and exit 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'empty-'));
    const r = await sigRun(['export', '--run', dir, '--out', join(dir, 'models')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^sig: .*not a run folder/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
