// Real-vs-generated detector: a small strided CNN over the preprocessed image → p(genuine). Input named
// `image`; only layers the ONNX exporter supports.
import * as tfl from '@tensorflow/tfjs-layers';
import { RealFakeConfig, type RealFakeConfigInput } from '@sig/shared';
import { seededGlorot } from './seeded-init.ts';

/** Detector: image (imageSize×imageSize×1, the classifier's preprocessing range) → p(genuine) (sigmoid). */
export function buildRealFake(input: RealFakeConfigInput, seed = 3): tfl.LayersModel {
  const cfg = RealFakeConfig.parse(input);
  const init = seededGlorot(seed);
  const image = tfl.input({ shape: [cfg.imageSize, cfg.imageSize, 1], name: 'image' });
  let x = image;
  for (let i = 0; i < cfg.blocks; i++) {
    x = tfl.layers
      .conv2d({ filters: cfg.filters << i, kernelSize: 3, strides: i === 0 ? cfg.stemStride : 2, padding: 'same', useBias: false, kernelInitializer: init(), name: `rf_conv${i}` })
      .apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.batchNormalization({ momentum: cfg.bnMomentum, name: `rf_bn${i}` }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.leakyReLU({ alpha: 0.2, name: `rf_lrelu${i}` }).apply(x) as tfl.SymbolicTensor;
  }
  x = tfl.layers.flatten({ name: 'rf_flatten' }).apply(x) as tfl.SymbolicTensor;
  if (cfg.dense > 0) {
    x = tfl.layers.dense({ units: cfg.dense, kernelInitializer: init(), name: 'rf_dense' }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.leakyReLU({ alpha: 0.2, name: 'rf_dense_lrelu' }).apply(x) as tfl.SymbolicTensor;
  }
  const p = tfl.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: init(), name: 'rf_out' }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: image, outputs: p, name: 'realfake' });
}
