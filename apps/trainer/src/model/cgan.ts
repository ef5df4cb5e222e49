// Conditional GAN for signatures (Mirza & Osindero 2014, DCGAN-style layers), built with the functional API
// so the exporter sees named inputs: generator (z, label) → image, discriminator (image, label) → p(real).
// Only layers the ONNX exporter supports: Dense, Reshape, Concatenate, Conv2D, Conv2DTranspose,
// UpSampling2D, BatchNormalization, Flatten, activations.
import * as tfl from '@tensorflow/tfjs-layers';
import { CganConfig, UserError, type CganConfigInput } from '@sig/shared';
import { seededGlorot } from './seeded-init.ts';

/** Number of ×2 up-sampling stages from the seed feature map to the output size. */
export function upsampleStages(cfg: CganConfig): number {
  const ratio = cfg.imageSize / cfg.seedSize;
  const stages = Math.log2(ratio);
  if (!Number.isInteger(stages) || stages < 1) {
    throw new UserError(`cgan: imageSize ${cfg.imageSize} must be seedSize ${cfg.seedSize} times a power of two (≥ 2)`);
  }
  return stages;
}

/** The generator's input names (the exporter records them in the manifest). */
export const GENERATOR_INPUTS = { latent: 'z', label: 'label' } as const;

/** Generator: [z (latentDim), one-hot label (numClasses)] → imageSize×imageSize×1 in [-1, 1] (tanh). */
export function buildGenerator(input: CganConfigInput, seed = 1): tfl.LayersModel {
  const cfg = CganConfig.parse(input);
  const stages = upsampleStages(cfg);
  const init = seededGlorot(seed);
  const z = tfl.input({ shape: [cfg.latentDim], name: GENERATOR_INPUTS.latent });
  const label = tfl.input({ shape: [cfg.numClasses], name: GENERATOR_INPUTS.label });

  let x = tfl.layers.concatenate({ name: 'g_concat' }).apply([z, label]) as tfl.SymbolicTensor;
  x = tfl.layers
    .dense({ units: cfg.seedSize * cfg.seedSize * cfg.genFilters, useBias: false, kernelInitializer: init(), name: 'g_dense' })
    .apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.reshape({ targetShape: [cfg.seedSize, cfg.seedSize, cfg.genFilters], name: 'g_reshape' }).apply(x) as tfl.SymbolicTensor;
  // BatchNorm per channel of the seed map (as in DCGAN), not per Dense unit: fewer statistics to track.
  // Momentum 0.9 (not 0.99): the moving statistics used at inference/export must follow a generator that
  // changes quickly during adversarial training.
  x = tfl.layers.batchNormalization({ momentum: 0.9, name: 'g_dense_bn' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.activation({ activation: 'relu', name: 'g_dense_relu' }).apply(x) as tfl.SymbolicTensor;

  for (let i = 0; i < stages; i++) {
    const filters = Math.max(8, cfg.genFilters >> (i + 1));
    if (cfg.upsample === 'resize') {
      // Resize-convolution: nearest up-sampling then a 3×3 conv avoids the checkerboard pattern of
      // transposed convolutions with stride 2.
      x = tfl.layers.upSampling2d({ size: [2, 2], name: `g_up${i}` }).apply(x) as tfl.SymbolicTensor;
      x = tfl.layers
        .conv2d({ filters, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init(), name: `g_conv${i}` })
        .apply(x) as tfl.SymbolicTensor;
    } else {
      x = tfl.layers
        .conv2dTranspose({ filters, kernelSize: 4, strides: 2, padding: 'same', useBias: false, kernelInitializer: init(), name: `g_deconv${i}` })
        .apply(x) as tfl.SymbolicTensor;
    }
    x = tfl.layers.batchNormalization({ momentum: 0.9, name: `g_bn${i}` }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.activation({ activation: 'relu', name: `g_relu${i}` }).apply(x) as tfl.SymbolicTensor;
  }
  const image = tfl.layers
    .conv2d({ filters: 1, kernelSize: 3, padding: 'same', activation: 'tanh', kernelInitializer: init(), name: 'g_out' })
    .apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: [z, label], outputs: image, name: 'generator' });
}

/**
 * Discriminator: [image (imageSize×imageSize×1), one-hot label] → p(real) (sigmoid; a raw score with the hinge
 * loss), plus class logits (`d_aux`) when `auxWeight` > 0 and twin class logits for generated images (`d_twin`)
 * with `twinAux`. The label enters as a plane beside the image
 * (reference) or by projection (`discCondition: 'projection'`).
 */
export function buildDiscriminator(input: CganConfigInput, seed = 2): tfl.LayersModel {
  const cfg = CganConfig.parse(input);
  upsampleStages(cfg);
  if (cfg.twinAux && cfg.auxWeight === 0) throw new UserError('cgan: --twin-aux needs the auxiliary head (--aux-weight > 0)');
  const init = seededGlorot(seed);
  const s = cfg.imageSize;
  const image = tfl.input({ shape: [s, s, 1], name: 'image' });
  const label = tfl.input({ shape: [cfg.numClasses], name: GENERATOR_INPUTS.label });

  let x: tfl.SymbolicTensor = image;
  if (cfg.discCondition === 'plane') {
    // The label becomes a full-resolution plane so every convolution sees the condition.
    let m = tfl.layers.dense({ units: s * s, kernelInitializer: init(), name: 'd_label_dense' }).apply(label) as tfl.SymbolicTensor;
    m = tfl.layers.reshape({ targetShape: [s, s, 1], name: 'd_label_map' }).apply(m) as tfl.SymbolicTensor;
    x = tfl.layers.concatenate({ axis: -1, name: 'd_concat' }).apply([image, m]) as tfl.SymbolicTensor;
  }

  // No BatchNorm here: real and fake batches pass separately, and batch statistics would let the
  // discriminator tell them apart by the batch rather than by the image.
  for (let i = 0; i < cfg.discLayers; i++) {
    x = tfl.layers
      .conv2d({ filters: cfg.discFilters << i, kernelSize: 4, strides: 2, padding: 'same', kernelInitializer: init(), name: `d_conv${i}` })
      .apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.leakyReLU({ alpha: cfg.leakySlope, name: `d_lrelu${i}` }).apply(x) as tfl.SymbolicTensor;
  }
  const h = tfl.layers.flatten({ name: 'd_flatten' }).apply(x) as tfl.SymbolicTensor;
  const activation = cfg.loss === 'hinge' ? 'linear' : 'sigmoid';
  let score: tfl.SymbolicTensor;
  if (cfg.discCondition === 'projection') {
    // score = ψ(h) + ⟨embed(label), h⟩: the label decides which direction of the features counts as real.
    const features = h.shape[1] as number;
    const embed = tfl.layers.dense({ units: features, useBias: false, kernelInitializer: init(), name: 'd_label_embed' }).apply(label) as tfl.SymbolicTensor;
    const proj = tfl.layers.dot({ axes: 1, name: 'd_projection' }).apply([h, embed]) as tfl.SymbolicTensor;
    const psi = tfl.layers.dense({ units: 1, kernelInitializer: init(), name: 'd_psi' }).apply(h) as tfl.SymbolicTensor;
    score = tfl.layers.add({ name: 'd_score' }).apply([psi, proj]) as tfl.SymbolicTensor;
    score = tfl.layers.activation({ activation, name: 'd_out' }).apply(score) as tfl.SymbolicTensor;
  } else {
    score = tfl.layers.dense({ units: 1, activation, kernelInitializer: init(), name: 'd_out' }).apply(h) as tfl.SymbolicTensor;
  }
  const outputs = [score];
  if (cfg.auxWeight > 0) outputs.push(tfl.layers.dense({ units: cfg.numClasses, kernelInitializer: init(), name: 'd_aux' }).apply(h) as tfl.SymbolicTensor);
  if (cfg.twinAux) outputs.push(tfl.layers.dense({ units: cfg.numClasses, kernelInitializer: init(), name: 'd_twin' }).apply(h) as tfl.SymbolicTensor);
  return tfl.model({ inputs: [image, label], outputs: outputs.length === 1 ? score : outputs, name: 'discriminator' });
}
