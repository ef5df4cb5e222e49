// Reusable typed arrays for temporaries that never leave the function that asked for them. Allocating a
// zeroed typed array costs about as much as a pass over it, and preprocessing a signature crop needs a
// dozen of them; reusing them (per thread: a worker or a browser page has its own module instance) removes
// that cost and the garbage. Contents are whatever the last user left: callers write before they read.

/** Scratch buffers larger than this many elements are not kept (a big photo should not pin memory). */
const KEEP_MAX = 1 << 20;
const f32: Float32Array[] = [];
const f64: Float64Array[] = [];
const i32: Int32Array[] = [];

/** `n` float32s from scratch slot `slot` (uninitialised; valid until the slot's next use). */
export function scratchF32(slot: number, n: number): Float32Array {
  if (n > KEEP_MAX) return new Float32Array(n);
  let buf = f32[slot];
  if (!buf || buf.length < n) buf = f32[slot] = new Float32Array(Math.max(n, 1024));
  return buf.length === n ? buf : buf.subarray(0, n);
}

/** `n` float64s from scratch slot `slot` (uninitialised; valid until the slot's next use). */
export function scratchF64(slot: number, n: number): Float64Array {
  if (n > KEEP_MAX) return new Float64Array(n);
  let buf = f64[slot];
  if (!buf || buf.length < n) buf = f64[slot] = new Float64Array(Math.max(n, 1024));
  return buf.length === n ? buf : buf.subarray(0, n);
}

/** `n` int32s from scratch slot `slot` (uninitialised; valid until the slot's next use). */
export function scratchI32(slot: number, n: number): Int32Array {
  if (n > KEEP_MAX) return new Int32Array(n);
  let buf = i32[slot];
  if (!buf || buf.length < n) buf = i32[slot] = new Int32Array(Math.max(n, 1024));
  return buf.length === n ? buf : buf.subarray(0, n);
}
