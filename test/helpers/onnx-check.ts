// Test helpers for the ONNX exporter: the official checker (Debian python3-onnx) and seeded random weights.
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { Rng } from '@sig/shared';

const run = promisify(execFile);
const CHECK = 'import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)';

/** Runs onnx.checker.check_model(full_check=True) on the bytes; rejects with the checker's message. */
export async function onnxCheck(bytes: Uint8Array, name = 'model'): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'onnx-check-'));
  const file = join(dir, `${name}.onnx`);
  await writeFile(file, bytes);
  await checkOnnxFile(file);
}

/** Same as {@link onnxCheck} for a file on disk. */
export async function checkOnnxFile(file: string): Promise<void> {
  try {
    await run('/usr/bin/python3', ['-c', CHECK, file]);
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`onnx checker rejected ${file}: ${(err.stderr ?? err.message).trim().split('\n').slice(-3).join(' ')}`);
  }
}

/**
 * Replaces every weight with seeded random values so that parity is not tested on trivial weights: BatchNorm
 * gets moving statistics and scale far from identity, biases are non-zero.
 */
export function randomizeWeights(model: tfl.LayersModel, seed: number, scale = 0.3): void {
  const rng = new Rng(seed);
  for (const layer of model.layers) {
    const ws = layer.weights;
    if (ws.length === 0) continue;
    const values = ws.map((w) => {
      const shape = w.shape as number[];
      const n = shape.reduce((a, b) => a * b, 1);
      const name = w.originalName ?? w.name;
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        if (name.endsWith('moving_variance')) data[i] = rng.uniform(0.3, 2.5);
        else if (name.endsWith('gamma')) data[i] = rng.uniform(0.5, 1.8);
        else if (name.endsWith('moving_mean')) data[i] = rng.normal(0, 0.5);
        else data[i] = rng.normal(0, scale);
      }
      return tf.tensor(data, shape);
    });
    layer.setWeights(values);
    values.forEach((t) => t.dispose());
  }
}
