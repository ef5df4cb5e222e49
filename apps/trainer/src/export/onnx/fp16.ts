// fp16 weights: large float32 initializers are stored as float16 and cast back to float32 inside the graph.
// Compute stays float32, which both onnxruntime-node (CPU) and onnxruntime-web (wasm) run; the file halves.
import type { OnnxGraph } from './graph.ts';

/** Initializers smaller than this stay float32 (biases, BN vectors, shapes): no size to win there. */
const MIN_ELEMENTS = 64;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 binary16 bits of `v`, rounded to nearest even (overflow → ±Inf, tiny → subnormal/zero). */
export function toHalfBits(v: number): number {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // Inf / NaN
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rem > mid || (rem === mid && half & 1) ? 1 : 0));
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++; // a carry into the exponent is still correct
  return sign | half;
}

/** float32 value of binary16 bits. */
export function fromHalfBits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Rewrites `graph` in place; returns how many initializers became float16. */
export function toFp16Weights(graph: OnnxGraph): number {
  let count = 0;
  const casts: typeof graph.nodes = [];
  for (const init of [...graph.initializers.values()]) {
    if (init.type !== 'float32' || init.data.length < MIN_ELEMENTS) continue;
    const src = init.data as Float32Array;
    const bits = new Uint16Array(src.length);
    for (let i = 0; i < src.length; i++) bits[i] = toHalfBits(src[i]);
    const halfName = graph.addInitializer(`${init.name}_fp16`, 'float16', init.dims, bits);
    graph.initializers.delete(init.name);
    // The Cast writes the old name, so no consumer changes; onnxruntime folds it at load time.
    const before = graph.nodes.length;
    graph.addNode('Cast', [halfName], [init.name], { to: 1 }, { exactOutputs: true, name: `${init.name}_cast` });
    casts.push(...graph.nodes.splice(before));
    count++;
  }
  graph.nodes.unshift(...casts);
  return count;
}
