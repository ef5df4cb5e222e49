// The layer the pairwise verifier adds to TF.js: |a − b| of two inputs (TF.js has no Subtract layer).
// Registered for (de)serialisation on import; exported to ONNX as Sub + Abs (export/onnx/layers/merge.ts).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** Element-wise |a − b| of exactly two inputs of one shape. */
export class AbsDifference extends tfl.layers.Layer {
  static className = 'AbsDifference';

  override computeOutputShape(shape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return (Array.isArray(shape[0]) ? shape[0] : shape) as tfl.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    if (!Array.isArray(inputs) || inputs.length !== 2) throw new Error(`${this.name}: AbsDifference takes exactly two inputs`);
    return tf.tidy(() => tf.abs(tf.sub(inputs[0], inputs[1])));
  }
}

tf.serialization.registerClass(AbsDifference);
