// Reusable typed arrays for temporaries that never leave the function that asked for them. Allocating a
// zeroed typed array costs about as much as a pass over it, and preprocessing a signature crop needs a
// dozen of them; reusing them (per thread: a worker or a browser page has its own module instance) removes
// that cost and the garbage. Contents are whatever the last user left: callers write before they read.
//
// Every slot is named here with its users, so two temporaries alive at the same time never share one by
// accident; a slot is shared only by functions that never run inside each other.

/** Float32 slots. */
export type F32Slot =
  /** morphology.ts: min/max filters' forward pass, boxBlur's prefix sums. */
  | 'morphology.forward'
  /** morphology.ts: min/max filters' backward pass. */
  | 'morphology.backward'
  /** background.ts: the block-maximum image. */
  | 'background.blocks'
  /** resize.ts: the horizontally resized rows (one resize at a time). */
  | 'resize.rows';

/** Float64 slots. */
export type F64Slot =
  /** morphology.ts: boxBlur's column accumulators. */
  | 'morphology.columnSums'
  /** background.ts: the rows of the background estimate (alive while morphology runs). */
  | 'background.rows';

/** Int32 slots. */
export type I32Slot =
  /** ruled-lines.ts: per-row prefix counts of dark pixels. */
  | 'lines.rowPrefix'
  /** ruled-lines.ts: per-column prefix counts (alive together with the row ones). */
  | 'lines.columnPrefix'
  /** stroke-width.ts: horizontal ink run length through each pixel. */
  | 'stroke.across'
  /** line-pieces.ts: vertical ink run length through each pixel (the locator's leftover-line mask). */
  | 'linePieces.down';

/** Scratch buffers larger than this many elements are not kept (a big photo should not pin memory). */
const KEEP_MAX = 1 << 20;
const f32: Partial<Record<F32Slot, Float32Array>> = {};
const f64: Partial<Record<F64Slot, Float64Array>> = {};
const i32: Partial<Record<I32Slot, Int32Array>> = {};

/** `n` float32s from scratch slot `slot` (uninitialised; valid until the slot's next use). */
export function scratchF32(slot: F32Slot, n: number): Float32Array {
  if (n > KEEP_MAX) return new Float32Array(n);
  let buf = f32[slot];
  if (!buf || buf.length < n) buf = f32[slot] = new Float32Array(Math.max(n, 1024));
  return buf.length === n ? buf : buf.subarray(0, n);
}

/** `n` float64s from scratch slot `slot` (uninitialised; valid until the slot's next use). */
export function scratchF64(slot: F64Slot, n: number): Float64Array {
  if (n > KEEP_MAX) return new Float64Array(n);
  let buf = f64[slot];
  if (!buf || buf.length < n) buf = f64[slot] = new Float64Array(Math.max(n, 1024));
  return buf.length === n ? buf : buf.subarray(0, n);
}

/** `n` int32s from scratch slot `slot` (uninitialised; valid until the slot's next use). */
export function scratchI32(slot: I32Slot, n: number): Int32Array {
  if (n > KEEP_MAX) return new Int32Array(n);
  let buf = i32[slot];
  if (!buf || buf.length < n) buf = i32[slot] = new Int32Array(Math.max(n, 1024));
  return buf.length === n ? buf : buf.subarray(0, n);
}
