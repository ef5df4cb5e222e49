// The WebAssembly SIMD Adam loop (apps/trainer/src/backend/simd-adam.ts) that the fused Adam kernel runs on the
// wasm backend's memory: it builds on this Node, and its updates are Adam's formulas (here against them in double
// precision) for the SIMD body, the scalar tail, and the JavaScript loop alone (where a runtime cannot build the
// module); test/fused-adam.test.ts checks the kernel that uses it against tfjs-core's own Adam on the cpu backend.
import { describe, expect, it } from 'vitest';
import { Rng } from '@sig/shared';
import { adamUpdate, simdAdamLoop } from '../apps/trainer/src/backend/simd-adam.ts';

describe('SIMD Adam loop', () => {
  it('builds, and updates every weight of an array whose length is not a multiple of four as Adam does', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    expect(simdAdamLoop(memory)).not.toBeNull();
    const n = 4 * 25 + 3;
    const heap = new Float32Array(memory.buffer);
    // seven arrays at 4-byte (not 16-byte) aligned offsets, as the backend may place them
    const [x, m, v, g, xo, mo, vo] = Array.from({ length: 7 }, (_, k) => heap.subarray(1 + k * 120, 1 + k * 120 + n));
    const rng = new Rng(3);
    for (let i = 0; i < n; i++) {
      x[i] = rng.next() * 2 - 1;
      m[i] = (rng.next() - 0.5) * 0.1;
      v[i] = rng.next() * 0.01;
      g[i] = rng.next() * 2 - 1;
    }
    const c = { beta1: 0.5, beta2: 0.999, epsilon: 1e-7, learningRate: 2e-4, correction1: 1 - 0.5 ** 3, correction2: 1 - 0.999 ** 3 };
    // the SIMD loop with its JavaScript tail, and JavaScript alone (a runtime without the module)
    for (const within of [memory, undefined]) {
      xo.fill(0);
      mo.fill(0);
      vo.fill(0);
      adamUpdate(within, x, m, v, g, xo, mo, vo, c);
      expect(worst(), within ? 'SIMD' : 'JavaScript').toBeLessThan(1e-6);
      // the inputs are left as they were, and every weight moved
      expect(Array.from(xo).every((value, i) => value !== x[i])).toBe(true);
    }
    function worst(): number {
      let w = 0;
      for (let i = 0; i < n; i++) {
        const mi = m[i] * c.beta1 + g[i] * (1 - c.beta1);
        const vi = v[i] * c.beta2 + g[i] * g[i] * (1 - c.beta2);
        const xi = x[i] - (c.learningRate * mi) / c.correction1 / (Math.sqrt(vi / c.correction2) + c.epsilon);
        w = Math.max(w, Math.abs(mo[i] - mi) / Math.abs(mi), Math.abs(vo[i] - vi) / vi, Math.abs(xo[i] - xi) / Math.max(1e-3, Math.abs(xi)));
      }
      return w;
    }
  });
});
