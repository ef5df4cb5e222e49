// Transposes a dense row-major array; used to move TF.js weight layouts (HWIO) to ONNX ones (OIHW).

/** Returns `data` (of `shape`) with its axes reordered by `perm`, and the new shape. */
export function permute(data: Float32Array, shape: number[], perm: number[]): { data: Float32Array; shape: number[] } {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]);
  const inStrides = new Array<number>(rank);
  for (let i = rank - 1, s = 1; i >= 0; i--) {
    inStrides[i] = s;
    s *= shape[i];
  }
  const strideOfOut = perm.map((p) => inStrides[p]);
  const out = new Float32Array(data.length);
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = data[src];
    // Odometer increment over the output index, tracking the source offset.
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      src += strideOfOut[d];
      if (idx[d] < outShape[d]) break;
      src -= strideOfOut[d] * outShape[d];
      idx[d] = 0;
    }
  }
  return { data: out, shape: outShape };
}
