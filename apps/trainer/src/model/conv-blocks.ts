// The reference network's convolution trunk, shared by the classifier and the embedding: 4 blocks of
// 2 × (Conv3×3 + ReLU), BatchNorm, MaxPool 2×2, with 64/128/256/512 filters × the width multiplier.
import * as tfl from '@tensorflow/tfjs-layers';

/** Filters per block before the width multiplier. */
const BLOCK_FILTERS = [64, 128, 256, 512] as const;

/** Scaled unit count, never below 4. */
export function scaled(units: number, multiplier: number): number {
  return Math.max(4, Math.round(units * multiplier));
}

/**
 * Applies the 4 blocks to `x`. `he()` gives each convolution's initialiser (called in layer order, so seeded
 * weights do not depend on who builds the trunk); `reg()` its kernel regulariser. Layer names: block<b>_conv<c>,
 * block<b>_bn, block<b>_pool.
 */
export function convBlocks(
  x: tfl.SymbolicTensor,
  widthMultiplier: number,
  he: () => ReturnType<typeof tfl.initializers.heNormal>,
  reg: () => ReturnType<typeof tfl.regularizers.l2> | undefined,
): tfl.SymbolicTensor {
  BLOCK_FILTERS.forEach((f, i) => {
    const b = i + 1;
    for (const c of [1, 2]) {
      x = tfl.layers
        .conv2d({ filters: scaled(f, widthMultiplier), kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: he(), kernelRegularizer: reg(), name: `block${b}_conv${c}` })
        .apply(x) as tfl.SymbolicTensor;
    }
    // Momentum 0.9 (Keras: 0.99): short runs on small sets must end with moving statistics that match the weights.
    x = tfl.layers.batchNormalization({ momentum: 0.9, name: `block${b}_bn` }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `block${b}_pool` }).apply(x) as tfl.SymbolicTensor;
  });
  return x;
}
