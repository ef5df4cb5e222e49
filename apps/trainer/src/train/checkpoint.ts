// Resumable training state in <runDir>/checkpoint/: model weights (model/), optimizer slots (optimizer.bin +
// optimizer.json) and the loop's own state (state.json: step, best score, history, configs). The RNG state
// is the seed plus the step: every random draw of step s is seeded from (seed, s), so nothing else is needed.
// Written to a temporary folder and renamed, so an interrupted write never leaves a half checkpoint.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { loadModel, saveModel } from '../model/io.ts';

interface SlotSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
}

/** Saves model weights, optimizer slots and `state` (JSON) into `dir`, replacing what was there. */
export async function saveCheckpoint(dir: string, model: tfl.LayersModel, optimizer: tf.Optimizer, state: object): Promise<void> {
  const tmp = `${dir}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await saveModel(model, join(tmp, 'model'));
  const slots = await optimizer.getWeights();
  const specs: SlotSpec[] = [];
  const parts: Uint8Array[] = [];
  for (const s of slots) {
    const data = await s.tensor.data();
    specs.push({ name: s.name, shape: s.tensor.shape, dtype: s.tensor.dtype === 'int32' ? 'int32' : 'float32' });
    parts.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice());
  }
  await writeFile(join(tmp, 'optimizer.bin'), Buffer.concat(parts));
  await writeFile(join(tmp, 'optimizer.json'), JSON.stringify(specs));
  await writeFile(join(tmp, 'state.json'), JSON.stringify(state, null, 2));
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
}

/** Reads a checkpoint's `state.json`, or undefined when `dir` holds none. */
export async function readCheckpointState<T>(dir: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Restores model weights and optimizer slots saved by {@link saveCheckpoint} into existing objects. */
export async function restoreCheckpoint(dir: string, model: tfl.LayersModel, optimizer: tf.Optimizer): Promise<void> {
  const saved = await loadModel(join(dir, 'model'));
  model.setWeights(saved.getWeights());
  saved.dispose();
  const specs = JSON.parse(await readFile(join(dir, 'optimizer.json'), 'utf8')) as SlotSpec[];
  const bytes = await readFile(join(dir, 'optimizer.bin'));
  let off = 0;
  const slots: { name: string; tensor: tf.Tensor }[] = specs.map((s) => {
    const count = s.shape.reduce((a, b) => a * b, 1);
    const buf = bytes.buffer.slice(bytes.byteOffset + off, bytes.byteOffset + off + count * 4);
    off += count * 4;
    const values = s.dtype === 'int32' ? new Int32Array(buf) : new Float32Array(buf);
    return { name: s.name, tensor: tf.tensor(values, s.shape, s.dtype) };
  });
  await optimizer.setWeights(slots);
}
