// Which converter handles which TF.js layer class. A class missing here is refused with its name.
import type { LayerConverter } from '../context.ts';
import * as act from './activation.ts';
import * as conv from './conv.ts';
import * as dense from './dense.ts';
import { L2Normalize } from './l2-normalize.ts';
import * as merge from './merge.ts';
import * as norm from './normalization.ts';
import * as pool from './pooling.ts';
import * as reshape from './reshape.ts';
import * as up from './upsampling.ts';

/** Inference-time identities (noise and dropout only act while training). */
const identity: LayerConverter = (_ctx, c) => c.inputs;

export const converters: Record<string, LayerConverter> = {
  Conv2D: conv.Conv2D,
  DepthwiseConv2D: conv.DepthwiseConv2D,
  Conv2DTranspose: conv.Conv2DTranspose,
  Dense: dense.Dense,
  Embedding: dense.Embedding,
  BatchNormalization: norm.BatchNormalization,
  L2Normalize,
  MaxPooling2D: pool.MaxPooling2D,
  AveragePooling2D: pool.AveragePooling2D,
  GlobalAveragePooling2D: pool.GlobalAveragePooling2D,
  GlobalMaxPooling2D: pool.GlobalMaxPooling2D,
  Flatten: reshape.Flatten,
  Reshape: reshape.Reshape,
  Permute: reshape.Permute,
  ZeroPadding2D: reshape.ZeroPadding2D,
  UpSampling2D: up.UpSampling2D,
  Concatenate: merge.Concatenate,
  Add: merge.Add,
  Multiply: merge.Multiply,
  Maximum: merge.Maximum,
  Minimum: merge.Minimum,
  Average: merge.Average,
  AbsDifference: merge.AbsDifference,
  Activation: act.Activation,
  ReLU: act.ReLU,
  LeakyReLU: act.LeakyReLU,
  ELU: act.ELU,
  Softmax: act.Softmax,
  Dropout: identity,
  SpatialDropout1D: identity,
  SpatialDropout2D: identity,
  GaussianNoise: identity,
  GaussianDropout: identity,
  AlphaDropout: identity,
};
