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
// One Python start for many files: it dominates the checker's cost.
const CHECK = 'import onnx,sys\nfor f in sys.argv[1:]: onnx.checker.check_model(onnx.load(f), full_check=True)';

/** Runs onnx.checker.check_model(full_check=True) on the bytes; rejects with the checker's message. */
export async function onnxCheck(bytes: Uint8Array, name = 'model'): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'onnx-check-'));
  const file = join(dir, `${name}.onnx`);
  await writeFile(file, bytes);
  await checkOnnxFile(file);
}

/** Same as {@link onnxCheck} for files on disk (all in one checker process). */
export async function checkOnnxFile(...files: string[]): Promise<void> {
  try {
    await run('/usr/bin/python3', ['-c', CHECK, ...files]);
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`onnx checker rejected ${files.join(', ')}: ${(err.stderr ?? err.message).trim().split('\n').slice(-3).join(' ')}`);
  }
}

/** Collects exported models and checks them all at once (call `checkAll` in afterAll or a final test). */
export class CheckerBatch {
  private readonly files: string[] = [];
  private dir: string | undefined;

  async add(bytes: Uint8Array, name: string): Promise<void> {
    this.dir ??= await mkdtemp(join(tmpdir(), 'onnx-check-'));
    const file = join(this.dir, `${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.onnx`);
    await writeFile(file, bytes);
    this.files.push(file);
  }

  get count(): number {
    return this.files.length;
  }

  async checkAll(): Promise<void> {
    if (this.files.length) await checkOnnxFile(...this.files);
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
