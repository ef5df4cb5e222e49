// The writer-independent signature embedding, built from a typed config: the classifier's convolution trunk,
// global average pooling, a linear projection, BatchNorm, L2 normalisation (`embedding`), and for training a
// cosine head over the training writers (`cosines`); the training output is [cosines | embedding], so a loss can
// use both (the triplet term compares embeddings within a batch). Only image → embedding is saved and exported.
import * as tfl from '@tensorflow/tfjs-layers';
import { EMBEDDING_LAYERS, EmbeddingConfig, Rng, type EmbeddingConfigInput } from '@sig/shared';
import { convBlocks } from './conv-blocks.ts';
import { CosineHead, L2Normalize } from './embedding-layers.ts';

/** Builds the training model: image [H, W, 1] → [cosines (classes) | embedding (dim)]. */
export function buildEmbeddingTrainer(cfgInput: EmbeddingConfigInput, seed = 1): tfl.LayersModel {
  const cfg = EmbeddingConfig.parse(cfgInput);
  const rng = new Rng(seed);
  const he = () => tfl.initializers.heNormal({ seed: rng.int(2 ** 31) });
  const input = tfl.input({ shape: [cfg.inputHeight, cfg.inputWidth, 1], name: EMBEDDING_LAYERS.input });
  let x = convBlocks(input, cfg.widthMultiplier, he, () => undefined);
  x = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.dense({ units: cfg.embeddingDim, kernelInitializer: tfl.initializers.glorotUniform({ seed: rng.int(2 ** 31) }), name: 'projection' }).apply(x) as tfl.SymbolicTensor;
  // BatchNorm before the normalisation (as in ArcFace's "BN-FC-BN" neck): centres the features so the unit
  // vectors spread over the sphere instead of crowding round the mean direction.
  x = tfl.layers.batchNormalization({ momentum: 0.9, name: 'projection_bn' }).apply(x) as tfl.SymbolicTensor;
  const embedding = new L2Normalize({ name: EMBEDDING_LAYERS.embedding }).apply(x) as tfl.SymbolicTensor;
  const cosines = new CosineHead({ name: EMBEDDING_LAYERS.cosines, units: cfg.classes, seed: rng.int(2 ** 31) }).apply(embedding) as tfl.SymbolicTensor;
  const output = tfl.layers.concatenate({ axis: -1, name: EMBEDDING_LAYERS.training }).apply([cosines, embedding]) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: output, name: 'embedding_trainer' });
}

/** The image → unit-vector model sharing `trainer`'s weights (what is saved, evaluated and exported). */
export function embeddingOnly(trainer: tfl.LayersModel): tfl.LayersModel {
  const layer = trainer.getLayer(EMBEDDING_LAYERS.embedding);
  return tfl.model({ inputs: trainer.inputs, outputs: layer.output as tfl.SymbolicTensor, name: 'embedding' });
}
