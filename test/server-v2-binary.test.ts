import { describe, expect, it } from 'vitest';
import { fromLittleEndian, littleEndianBytes } from '../apps/inference-server/src/http/v2-binary.ts';
import { allFinite } from '../apps/inference-server/src/models/v2-tensors.ts';

// Binary tensor data: bytes after the JSON header become typed arrays, in place where aligned.

describe('v2 binary tensor data: fromLittleEndian', () => {
  const values = Float32Array.from([1.5, -2, 3.25, 0, 1e-3, 7]);
  const bytes = littleEndianBytes(values);

  it('views aligned bytes in place (no copy)', () => {
    const body = new Uint8Array(8 + bytes.length);
    body.set(bytes, 8);
    const out = fromLittleEndian(body.subarray(8), Float32Array, values.length);
    expect(Array.from(out)).toEqual(Array.from(values));
    expect(out.buffer).toBe(body.buffer);
  });

  it('copies misaligned bytes into an aligned array with the same values', () => {
    const body = new Uint8Array(3 + bytes.length);
    body.set(bytes, 3);
    const out = fromLittleEndian(body.subarray(3), Float32Array, values.length);
    expect(Array.from(out)).toEqual(Array.from(values));
    expect(out.buffer).not.toBe(body.buffer);
    expect(out.byteOffset % 4).toBe(0);
  });

  it('reads int64 the same way', () => {
    const ids = BigInt64Array.from([3n, -1n, 1n << 40n]);
    const body = new Uint8Array(5 + ids.byteLength);
    body.set(littleEndianBytes(ids), 5);
    expect(Array.from(fromLittleEndian(body.subarray(5), BigInt64Array, 3))).toEqual([3n, -1n, 1n << 40n]);
  });
});

describe('v2 tensors: allFinite', () => {
  it('is false for NaN or ±Infinity anywhere (including the tail past a multiple of four), true otherwise', () => {
    for (const n of [1, 3, 4, 7, 8192, 8193]) {
      const ok = Float32Array.from({ length: n }, (_, i) => (i % 3) - 1.5 + i * 1e30);
      expect(allFinite(ok), `n=${n}`).toBe(true);
      for (const at of [0, n - 1, n >> 1]) {
        for (const bad of [NaN, Infinity, -Infinity]) {
          const x = ok.slice();
          x[at] = bad;
          expect(allFinite(x), `n=${n} at=${at} ${bad}`).toBe(false);
        }
      }
    }
    expect(allFinite(new Float32Array(0))).toBe(true);
    expect(allFinite(Float32Array.from([-0, 3.4e38, -3.4e38, 1e-45]))).toBe(true);
  });
});
