/** A decoded image with 1, 3 or 4 interleaved 8-bit channels (sharp raw output, browser ImageData). */
export interface RawImage {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  data: Uint8Array | Uint8ClampedArray;
}

/** A single-channel 8-bit image, row-major; 0 is black (ink), 255 is white (paper). */
export interface GrayImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** A single-channel float image, row-major (model input or output space). */
export interface FloatImage {
  width: number;
  height: number;
  data: Float32Array;
}
