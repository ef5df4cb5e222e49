// Adam's per-weight update as a WebAssembly SIMD loop over the wasm backend's own memory: four weights an
// instruction instead of one, and no copies (the module imports the backend's WebAssembly.Memory, so it reads the
// value, moments and gradient where the tensors live and writes the new ones into the outputs). The module is a few
// hundred bytes assembled below, instruction by instruction, rather than a build step or a WAT-compiler
// dependency: it is one loop, and the bytes say exactly what runs.
//
//   m' = β₁·m + (1 − β₁)·g          v' = β₂·v + (1 − β₂)·g²          x' = x + s·m' / (√(v'·k) + ε)
// with s = −lr / (1 − β₁ᵗ) and k = 1 / (1 − β₂ᵗ): tfjs-core's formulas in float32, as its own kernels compute them.
// Weights past the last multiple of four, and every weight where a runtime cannot build the module, go through the
// same formulas in JavaScript.

/** An unsigned LEB128 number (the encoding of every index, count and size in a wasm module). */
function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];
const vec = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];
const name = (s: string): number[] => [...leb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

const I32 = 0x7f, F32 = 0x7d, V128 = 0x7b;
const get = (i: number) => [0x20, i];
const set = (i: number) => [0x21, i];
const simd = (op: number) => [0xfd, ...leb(op)];
const load = [...simd(0x00), 2, 0]; // v128.load, 4-byte aligned, offset 0
const store = [...simd(0x0b), 2, 0]; // v128.store
const [splat, sqrt, add, mul, div] = [0x13, 0xe3, 0xe4, 0xe6, 0xe7].map(simd); // f32x4.*
const i32add = [0x6a];

// Parameters: 0–6 byte addresses of x, m, v, g, x', m', v'; 7 byte length (a multiple of 16); 8–14 β₁, 1 − β₁,
// β₂, 1 − β₂, s, k, ε. Locals: 15 the byte offset, 16–22 the seven constants splatted, 23 g, 24 m', 25 v'.
const [X, M, V, G, XO, MO, VO, BYTES] = [0, 1, 2, 3, 4, 5, 6, 7];
const [OFF, CONSTS, GV, MV, VV] = [15, 16, 23, 24, 25];
const at = (base: number) => [...get(base), ...get(OFF), ...i32add];

function adamModule(): Uint8Array<ArrayBuffer> {
  const body = [
    ...vec([[1, I32], [10, V128]]),
    ...[0, 1, 2, 3, 4, 5, 6].flatMap((k) => [...get(8 + k), ...splat, ...set(CONSTS + k)]),
    0x02, 0x40, // block
    0x03, 0x40, // loop
    ...get(OFF), ...get(BYTES), 0x4f, 0x0d, 1, // if off >= bytes: break
    ...at(G), ...load, ...set(GV),
    // m' = β₁·m + (1 − β₁)·g
    ...at(M), ...load, ...get(CONSTS + 0), ...mul, ...get(GV), ...get(CONSTS + 1), ...mul, ...add, ...set(MV),
    // v' = β₂·v + (1 − β₂)·g·g
    ...at(V), ...load, ...get(CONSTS + 2), ...mul, ...get(GV), ...get(GV), ...mul, ...get(CONSTS + 3), ...mul, ...add, ...set(VV),
    ...at(MO), ...get(MV), ...store,
    ...at(VO), ...get(VV), ...store,
    // x' = x + s·m' / (√(v'·k) + ε)
    ...at(XO), ...at(X), ...load,
    ...get(CONSTS + 4), ...get(MV), ...mul,
    ...get(VV), ...get(CONSTS + 5), ...mul, ...sqrt, ...get(CONSTS + 6), ...add,
    ...div, ...add, ...store,
    ...get(OFF), 0x41, 16, ...i32add, ...set(OFF), // off += 16
    0x0c, 0, // continue
    0x0b, 0x0b, // end loop, end block
    0x0b, // end function
  ];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec([...Array(8).fill([I32]), ...Array(7).fill([F32])]), 0]])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x00]])), // memory, no maximum, min 0 pages
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name('adam'), 0x00, 0]])),
    ...section(10, vec([[...leb(body.length), ...body]])),
  ];
  return new Uint8Array(bytes);
}

type AdamLoop = (x: number, m: number, v: number, g: number, xo: number, mo: number, vo: number, bytes: number, b1: number, ob1: number, b2: number, ob2: number, s: number, k: number, eps: number) => void;

const loops = new WeakMap<WebAssembly.Memory, AdamLoop | null>();

/** The SIMD loop bound to `memory`, or null where this runtime cannot build it (the caller keeps its scalar loop). */
export function simdAdamLoop(memory: WebAssembly.Memory): AdamLoop | null {
  if (!loops.has(memory)) {
    let fn: AdamLoop | null = null;
    try {
      const instance = new WebAssembly.Instance(new WebAssembly.Module(adamModule()), { env: { memory } });
      fn = instance.exports.adam as AdamLoop;
    } catch {
      fn = null;
    }
    loops.set(memory, fn);
  }
  return loops.get(memory) ?? null;
}

export interface AdamConstants {
  beta1: number;
  beta2: number;
  epsilon: number;
  learningRate: number;
  /** 1 − β₁ᵗ and 1 − β₂ᵗ, the bias corrections. */
  correction1: number;
  correction2: number;
}

/**
 * One Adam update of every weight: the SIMD loop over the multiple of four when `memory` holds the seven float32
 * arrays (4-byte aligned) and the loop can be built here, then the rest, or all of them without it, in JavaScript
 * with the same float32 steps.
 */
export function adamUpdate(memory: WebAssembly.Memory | undefined, x: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array, xo: Float32Array, mo: Float32Array, vo: Float32Array, c: AdamConstants): void {
  const loop = memory ? simdAdamLoop(memory) : null;
  const n = x.length;
  const body = loop ? n - (n % 4) : 0;
  const f = Math.fround;
  const [b1, ob1, b2, ob2, s, k, eps] = [c.beta1, 1 - c.beta1, c.beta2, 1 - c.beta2, -c.learningRate / c.correction1, 1 / c.correction2, c.epsilon].map(f);
  loop?.(x.byteOffset, m.byteOffset, v.byteOffset, g.byteOffset, xo.byteOffset, mo.byteOffset, vo.byteOffset, body * 4, b1, ob1, b2, ob2, s, k, eps);
  for (let i = body; i < n; i++) {
    const gi = g[i];
    const mi = f(f(m[i] * b1) + f(gi * ob1));
    const vi = f(f(v[i] * b2) + f(f(gi * gi) * ob2));
    mo[i] = mi;
    vo[i] = vi;
    xo[i] = x[i] + f(f(s * mi) / f(f(Math.sqrt(f(vi * k))) + eps));
  }
}
