// The gallery's coarse scan: every reference row held a second time as int8 (one scale per row), and a
// 255-byte WebAssembly SIMD kernel that dots a 16-bit query with all of them (i16x8 dot products into i32).
// It reads a quarter of the float32 matrix's bytes and does 8 multiply-adds per instruction: at 100k rows ×
// 128 values it scans in ~0.8 ms where the scalar float loop takes ~14 ms. The scores are approximate; each
// comes with a rigorous error bound (`bounds`), so the index can re-score exactly only the rows that can
// still reach the top k. Browser-safe: the module is tiny, so synchronous compilation is allowed on a page.

const QUERY_MAX = 32767;
const PAGE = 65536;

// --- the kernel, assembled here (no toolchain): scan(rows, n, dim, query, out) ---------------------------
// for row in 0..n: out[row] = Σ_j rows[row*dim + j] (int8) * query[j] (int16), dim a multiple of 16.
const leb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const name = (s: string): number[] => [...leb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];
const vec = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];
const I32 = 0x7f, V128 = 0x7b;
const get = (i: number) => [0x20, i], set = (i: number) => [0x21, i], tee = (i: number) => [0x22, i];
const i32 = (n: number) => [0x41, ...leb(n)]; // small non-negative constants only
const simd = (op: number, ...imm: number[]) => [0xfd, ...leb(op), ...imm];
const ADD = 0x6a, SHL = 0x74, LT_U = 0x49, GE_U = 0x4f, BR = 0x0c, BR_IF = 0x0d, END = 0x0b, STORE = 0x36;
const V128_LOAD = 0x00, LOAD8X8_S = 0x01, V128_CONST = 0x0c, I32X4_LANE = 0x1b, I32X4_ADD = 0xae, I32X4_DOT_I16X8 = 0xba;
// params 0 rows, 1 n, 2 dim, 3 query, 4 out; locals 5 row, 6 j (i32), 7 acc, 8 acc2 (v128)
const ROWS = 0, N = 1, DIM = 2, QUERY = 3, OUT = 4, ROW = 5, J = 6, ACC = 7, ACC2 = 8;
const zero = simd(V128_CONST, ...new Array<number>(16).fill(0));
/** acc += dot(int8 rows[j + off .. +8] widened, int16 query[j + off .. +8]) */
const step = (acc: number, off: number) => [
  ...get(acc),
  ...get(ROWS), ...get(J), ADD, ...simd(LOAD8X8_S, 0, ...leb(off)),
  ...get(QUERY), ...get(J), ...i32(1), SHL, ADD, ...simd(V128_LOAD, 0, ...leb(2 * off)),
  ...simd(I32X4_DOT_I16X8), ...simd(I32X4_ADD), ...set(acc),
];
const lane = (i: number) => [...get(ACC), ...simd(I32X4_LANE, i)];
const body = [
  ...vec([[2, I32], [2, V128]]),
  0x02, 0x40, 0x03, 0x40, // block $done, loop $rows
  ...get(ROW), ...get(N), GE_U, BR_IF, 1,
  ...zero, ...set(ACC), ...zero, ...set(ACC2), ...i32(0), ...set(J),
  0x03, 0x40, // loop $dims: 16 values per turn, two accumulators
  ...step(ACC, 0), ...step(ACC2, 8),
  ...get(J), ...i32(16), ADD, ...tee(J), ...get(DIM), LT_U, BR_IF, 0,
  END,
  ...get(ACC), ...get(ACC2), ...simd(I32X4_ADD), ...set(ACC),
  ...get(OUT), ...get(ROW), ...i32(2), SHL, ADD, ...lane(0), ...lane(1), ADD, ...lane(2), ADD, ...lane(3), ADD, STORE, 2, 0,
  ...get(ROWS), ...get(DIM), ADD, ...set(ROWS),
  ...get(ROW), ...i32(1), ADD, ...set(ROW),
  BR, 0, END, END, END,
];
const MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
  ...section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), 0]])), // type (i32 ×5) → ()
  ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 1]])), // imported memory, min 1 page
  ...section(3, vec([[0]])),
  ...section(7, vec([[...name('scan'), 0x00, 0]])),
  ...section(10, vec([[...leb(body.length), ...body]])),
]);

let compiled: WebAssembly.Module | null | undefined;
/** The kernel, or null where WebAssembly SIMD is not available (the index then scans in plain JS). */
function kernel(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = typeof WebAssembly !== 'undefined' && WebAssembly.validate(MODULE) ? new WebAssembly.Module(MODULE) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** Whether this runtime can run the SIMD scan. */
export function simdScanAvailable(): boolean {
  return kernel() !== null;
}

/**
 * Rows of `dim` floats kept as int8 in WebAssembly memory: row r is `scale[r] * q8[r]`, off by at most
 * `scale[r] / 2` per value. Layout: [query int16 × pad][out int32 × capacity][rows int8 × capacity × pad].
 */
export class QuantizedRows {
  readonly pad: number;
  private readonly memory: WebAssembly.Memory;
  private readonly scanFn: (rows: number, n: number, dim: number, query: number, out: number) => void;
  private capacity: number;
  private scale: Float64Array;
  /** Σ_j |q8[r][j]| per row: the query's rounding error enters the bound through it. */
  private l1: Int32Array;

  constructor(readonly dim: number, capacity: number) {
    const mod = kernel();
    if (!mod) throw new Error('WebAssembly SIMD is not available');
    this.pad = Math.ceil(dim / 16) * 16;
    this.capacity = Math.max(1, capacity);
    this.memory = new WebAssembly.Memory({ initial: Math.ceil(this.bytes(this.capacity) / PAGE) });
    this.scanFn = new WebAssembly.Instance(mod, { env: { memory: this.memory } }).exports.scan as QuantizedRows['scanFn'];
    this.scale = new Float64Array(this.capacity);
    this.l1 = new Int32Array(this.capacity);
  }

  private get outOffset(): number {
    return this.pad * 2;
  }
  private get rowsOffset(): number {
    return this.outOffset + this.capacity * 4;
  }
  private bytes(capacity: number): number {
    return this.pad * 2 + capacity * 4 + capacity * this.pad;
  }

  /** Stores row `row` (a float vector of `dim` values). */
  set(row: number, v: Float32Array): void {
    if (row >= this.capacity) this.grow(Math.max(row + 1, this.capacity * 2));
    let max = 0;
    for (let j = 0; j < this.dim; j++) max = Math.max(max, Math.abs(v[j]));
    const s = max / 127;
    const q8 = new Int8Array(this.memory.buffer, this.rowsOffset + row * this.pad, this.pad);
    let l1 = 0;
    for (let j = 0; j < this.dim; j++) {
      const x = s > 0 ? Math.round(v[j] / s) : 0;
      q8[j] = x;
      l1 += Math.abs(x);
    }
    q8.fill(0, this.dim);
    this.scale[row] = s;
    this.l1[row] = l1;
  }

  /** Moves row `from` into row `to`. */
  move(from: number, to: number): void {
    const rows = new Int8Array(this.memory.buffer, this.rowsOffset);
    rows.copyWithin(to * this.pad, from * this.pad, (from + 1) * this.pad);
    this.scale[to] = this.scale[from];
    this.l1[to] = this.l1[from];
  }

  /**
   * Approximate dot products of `q` with rows 0..n-1 into `approx`, and into `err` a bound on each one's
   * distance from the exact dot product of the stored floats with `q`:
   * |v·q − s·q8·t·q16| ≤ s/2·‖q‖₁ + t/2·s·‖q8‖₁ (each value off by at most half its step), plus a margin
   * for floating-point rounding.
   */
  scan(q: Float32Array, n: number, approx: Float64Array, err: Float64Array): void {
    let max = 0, qL1 = 0;
    for (let j = 0; j < this.dim; j++) {
      max = Math.max(max, Math.abs(q[j]));
      qL1 += Math.abs(q[j]);
    }
    // Keep Σ 127·|q16| within int32 for any dimension.
    const qMax = Math.min(QUERY_MAX, Math.floor(2147483647 / (127 * this.pad)));
    const t = max > 0 ? max / qMax : 0;
    const q16 = new Int16Array(this.memory.buffer, 0, this.pad);
    for (let j = 0; j < this.dim; j++) q16[j] = t > 0 ? Math.round(q[j] / t) : 0;
    this.scanFn(this.rowsOffset, n, this.pad, 0, this.outOffset);
    const dots = new Int32Array(this.memory.buffer, this.outOffset, n);
    const scale = this.scale, l1 = this.l1;
    for (let r = 0; r < n; r++) {
      const s = scale[r];
      approx[r] = dots[r] * s * t;
      err[r] = 0.5 * s * (qL1 + t * l1[r]) + 1e-6;
    }
  }

  private grow(capacity: number): void {
    // Rows move up by the larger out area: copy them from the top down within the grown memory.
    const oldRows = this.rowsOffset, oldCap = this.capacity;
    const need = this.bytes(capacity) - this.memory.buffer.byteLength;
    if (need > 0) this.memory.grow(Math.ceil(need / PAGE));
    this.capacity = capacity;
    new Uint8Array(this.memory.buffer).copyWithin(this.rowsOffset, oldRows, oldRows + oldCap * this.pad);
    const scale = new Float64Array(capacity);
    scale.set(this.scale);
    this.scale = scale;
    const l1 = new Int32Array(capacity);
    l1.set(this.l1);
    this.l1 = l1;
  }
}
