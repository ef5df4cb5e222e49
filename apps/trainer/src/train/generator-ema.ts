// An exponential moving average of the generator's weights (Karras et al. 2018; Yazıcı et al. 2019): samples
// from the averaged weights are steadier and usually better than from the last step's, which oscillate with
// the adversarial game. The average lives in a second generator of the same architecture; BatchNorm moving
// statistics are averaged with the rest.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** ema ← decay·ema + (1 − decay)·model, weight by weight (both built from the same config). */
export function updateEma(ema: tfl.LayersModel, model: tfl.LayersModel, decay: number): void {
  const from = model.weights;
  tf.tidy(() => {
    ema.weights.forEach((w, i) => {
      w.write(tf.add(tf.mul(w.read(), decay), tf.mul(from[i].read(), 1 - decay)));
    });
  });
}

/** Sets `ema`'s weights to `model`'s (the average starts at the initial weights). */
export function copyWeights(ema: tfl.LayersModel, model: tfl.LayersModel): void {
  ema.setWeights(model.getWeights());
}
