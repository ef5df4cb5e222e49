// Save and load TF.js LayersModels to a folder (model.json + weights.bin) without tfjs-node's file:// handler,
// which is not installed on every machine.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** Writes `model.json` and `weights.bin` into `dir` (created if needed). */
export async function saveModel(model: tfl.LayersModel, dir: string, includeOptimizer = false): Promise<void> {
  await mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0);
      const modelJson = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeFile(join(dir, 'weights.bin'), new Uint8Array(weightData));
      await writeFile(join(dir, 'model.json'), JSON.stringify(modelJson));
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          weightDataBytes: weightData.byteLength,
        },
      };
    }),
    { includeOptimizer },
  );
}

/** Loads a model written by {@link saveModel}. */
export async function loadModel(dir: string): Promise<tfl.LayersModel> {
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const buffers = await Promise.all(json.weightsManifest.flatMap((g) => g.paths).map((p) => readFile(join(dir, p))));
  const bytes = Buffer.concat(buffers);
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData }));
}
