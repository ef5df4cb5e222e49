// The two layers the embedding adds to TF.js: L2 normalisation of the last axis (exported to ONNX) and the
// cosine head over the training writers (training only). Registered for (de)serialisation on import.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

type Kwargs = Record<string, unknown>;
const one = (inputs: tf.Tensor | tf.Tensor[]): tf.Tensor => (Array.isArray(inputs) ? inputs[0] : inputs);

/** Default ε under the squared norm (TensorFlow's `l2_normalize` uses the same). */
export const L2_EPSILON = 1e-12;

/** x / sqrt(max(Σ x², ε)) over the last axis: every output row has unit length (zero rows stay zero). */
export function l2Normalize(x: tf.Tensor, epsilon = L2_EPSILON): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.rsqrt(tf.maximum(tf.sum(tf.square(x), -1, true), epsilon))));
}

/** Layer form of {@link l2Normalize}. */
export class L2Normalize extends tfl.layers.Layer {
  static className = 'L2Normalize';
  readonly epsilon: number;

  constructor(config: { name?: string; epsilon?: number } = {}) {
    super(config);
    this.epsilon = config.epsilon ?? L2_EPSILON;
  }

  override computeOutputShape(shape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return l2Normalize(one(inputs), this.epsilon);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon };
  }
}

/**
 * Cosine similarity of each (unit) input row with each of `units` learned writer vectors, normalised on the
 * fly: the proxy of every training writer in a margin softmax (CosFace). Output [batch, units] in [-1, 1].
 */
export class CosineHead extends tfl.layers.Layer {
  static className = 'CosineHead';
  readonly units: number;
  private readonly seed?: number;
  private kernel!: tfl.LayerVariable;

  constructor(config: { name?: string; units: number; seed?: number }) {
    super(config);
    this.units = config.units;
    this.seed = config.seed;
  }

  override build(shape: tfl.Shape | tfl.Shape[]): void {
    const s = (Array.isArray(shape[0]) ? shape[0] : shape) as tfl.Shape;
    const dim = s[s.length - 1] as number;
    this.kernel = this.addWeight('kernel', [dim, this.units], 'float32', tfl.initializers.glorotUniform({ seed: this.seed }));
    this.built = true;
  }

  override computeOutputShape(shape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const s = (Array.isArray(shape[0]) ? shape[0] : shape) as tfl.Shape;
    return [s[0], this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const w = this.kernel.read();
      const wn = tf.mul(w, tf.rsqrt(tf.maximum(tf.sum(tf.square(w), 0, true), L2_EPSILON)));
      return tf.matMul(one(inputs) as tf.Tensor2D, wn as tf.Tensor2D);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units };
  }
}

tf.serialization.registerClass(L2Normalize);
tf.serialization.registerClass(CosineHead);
