import type { FloatImage } from '../image/types.ts';
import type { ModelEntry, TensorSpec } from '../schemas/manifest.ts';
import type { OrtTensorLike, TensorCtorLike } from './session.ts';

/** Number of elements per batch row of a tensor spec (all dims but the first, which must be the batch). */
export function rowSize(spec: TensorSpec): number {
  let size = 1;
  for (const d of spec.shape.slice(1)) {
    if (typeof d !== 'number') throw new Error(`${spec.name}: only the first (batch) dimension may be symbolic`);
    size *= d;
  }
  return size;
}

/** The spec's shape for a batch of `n` (the first dimension becomes `n`). */
export function batchDims(spec: TensorSpec, n: number): number[] {
  if (spec.shape.length === 0) throw new Error(`${spec.name}: a scalar cannot be batched`);
  return [n, ...spec.shape.slice(1).map((d) => (typeof d === 'number' ? d : 1))];
}

/**
 * The image input of a classifier or realfake model for a batch of preprocessed images. One grey channel,
 * so NHWC [n,h,w,1] and NCHW [n,1,h,w] have the same memory layout: the manifest's shape decides the dims.
 */
export function imageFeed(entry: ModelEntry, images: readonly FloatImage[], Tensor: TensorCtorLike): Record<string, OrtTensorLike> {
  if (entry.inputs.length !== 1) throw new Error(`${entry.name}: expected one image input, manifest lists ${entry.inputs.length}`);
  if (images.length === 0) throw new Error('no images');
  const spec = entry.inputs[0];
  const size = rowSize(spec);
  const data = new Float32Array(size * images.length);
  images.forEach((img, i) => {
    if (img.data.length !== size) {
      throw new Error(`${entry.name}: image is ${img.width}x${img.height}, the model takes ${size} values per image`);
    }
    data.set(img.data, i * size);
  });
  return { [spec.name]: new Tensor('float32', data, batchDims(spec, images.length)) };
}
