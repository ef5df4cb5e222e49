// The signature classifier (the reference architecture), built from a typed config. Layer names are stable:
// the ONNX exporter, the parity tests and the embedding extractor (Fréchet distance) look layers up by name.
import * as tfl from '@tensorflow/tfjs-layers';
import { CLASSIFIER_LAYERS, ClassifierConfig, Rng, type ClassifierConfigInput } from '@sig/shared';
import { convBlocks, scaled } from './conv-blocks.ts';

const DENSE_UNITS = 1024;
const EMBEDDING_UNITS = 512;

/**
 * Builds the classifier: input [H, W, 1] (named `image`), 4 conv blocks, global average pooling, Dense 1024,
 * Dense 512 (`embedding`), dropout, `logits`, softmax (`probabilities`). Not compiled: the trainer owns the loss.
 */
export function buildClassifier(cfgInput: ClassifierConfigInput, seed = 1): tfl.LayersModel {
  const cfg = ClassifierConfig.parse(cfgInput);
  // Every initialiser gets its own seed drawn from `seed`: TF.js would otherwise use an unseeded generator.
  const rng = new Rng(seed);
  const he = () => tfl.initializers.heNormal({ seed: rng.int(2 ** 31) });
  const glorot = () => tfl.initializers.glorotUniform({ seed: rng.int(2 ** 31) });
  const reg = cfg.l2 > 0 ? () => tfl.regularizers.l2({ l2: cfg.l2 }) : () => undefined;
  const input = tfl.input({ shape: [cfg.inputHeight, cfg.inputWidth, 1], name: CLASSIFIER_LAYERS.input });
  let x = convBlocks(input, cfg.widthMultiplier, he, reg);
  x = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers
    .dense({ units: scaled(DENSE_UNITS, cfg.widthMultiplier), activation: 'relu', kernelInitializer: he(), kernelRegularizer: reg(), name: 'dense1' })
    .apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.dropout({ rate: cfg.dropout, name: 'dropout1' }).apply(x) as tfl.SymbolicTensor;
  const embedding = tfl.layers
    .dense({
      units: scaled(EMBEDDING_UNITS, cfg.widthMultiplier),
      activation: 'relu',
      kernelInitializer: he(),
      kernelRegularizer: reg(),
      name: CLASSIFIER_LAYERS.embedding,
    })
    .apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.dropout({ rate: cfg.dropout, name: 'dropout2' }).apply(embedding) as tfl.SymbolicTensor;
  const logits = tfl.layers.dense({ units: cfg.classes, kernelInitializer: glorot(), kernelRegularizer: reg(), name: CLASSIFIER_LAYERS.logits }).apply(x) as tfl.SymbolicTensor;
  const probs = tfl.layers.activation({ activation: 'softmax', name: CLASSIFIER_LAYERS.output }).apply(logits) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: probs, name: 'classifier' });
}

/** A model sharing the classifier's weights that outputs the `embedding` layer (penultimate, 512 × width). */
export function embeddingModel(classifier: tfl.LayersModel): tfl.LayersModel {
  const layer = classifier.getLayer(CLASSIFIER_LAYERS.embedding);
  return tfl.model({ inputs: classifier.inputs, outputs: layer.output as tfl.SymbolicTensor, name: 'classifier_embedding' });
}

/** A model sharing the classifier's weights that outputs the pre-softmax `logits` (for numerically stable training). */
export function logitsModel(classifier: tfl.LayersModel): tfl.LayersModel {
  const layer = classifier.getLayer(CLASSIFIER_LAYERS.logits);
  return tfl.model({ inputs: classifier.inputs, outputs: layer.output as tfl.SymbolicTensor, name: 'classifier_logits' });
}
