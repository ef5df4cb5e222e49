import { describe, expect, it } from 'vitest';
import {
  floatToGray,
  inkBoundingBox,
  inkToRange,
  padToAspect,
  resizeFloat,
  type FloatImage,
  type GrayImage,
} from '@sig/shared';
import { Rng } from '@sig/shared';

/** White page with a thick dark segment from (x0, y0) to (x1, y1). */
function drawStroke(width: number, height: number, x0: number, y0: number, x1: number, y1: number, r: number): GrayImage {
  const data = new Uint8ClampedArray(width * height).fill(240);
  const steps = Math.ceil(Math.hypot(x1 - x0, y1 - y0)) * 2;
  for (let k = 0; k <= steps; k++) {
    const cx = x0 + ((x1 - x0) * k) / steps;
    const cy = y0 + ((y1 - y0) * k) / steps;
    for (let y = Math.floor(cy - r); y <= Math.ceil(cy + r); y++) {
      for (let x = Math.floor(cx - r); x <= Math.ceil(cx + r); x++) {
        if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) data[y * width + x] = 20;
      }
    }
  }
  return { width, height, data };
}

const mean = (a: Float32Array): number => {
  let s = 0;
  for (const v of a) s += v;
  return s / a.length;
};

describe('ink bounding box', () => {
  it('is the box of a drawn stroke', () => {
    const img = drawStroke(120, 80, 20, 30, 90, 50, 2);
    expect(inkBoundingBox(img, 128)).toEqual({ x: 18, y: 28, width: 75, height: 25 });
  });

  it('ignores isolated specks and debris along the border, null on a blank page', () => {
    const img = drawStroke(120, 80, 20, 30, 90, 50, 2);
    img.data[5 * 120 + 110] = 0; // one-pixel speck far away
    img.data[70 * 120 + 5] = 0;
    for (let y = 10; y < 60; y++) img.data[y * 120 + 119] = 0; // grid-line remnant on the right edge
    expect(inkBoundingBox(img, 128)).toEqual({ x: 18, y: 28, width: 75, height: 25 });
    expect(inkBoundingBox(img, 128, { minArea: 1, borderBand: 0 })).toEqual({ x: 5, y: 5, width: 115, height: 66 });
    expect(inkBoundingBox({ width: 10, height: 10, data: new Uint8ClampedArray(100).fill(250) }, 128)).toBeNull();
  });
});

describe('resize', () => {
  it('area averaging preserves the mean when shrinking (also by non-integer factors)', () => {
    const rng = new Rng(3);
    const img: FloatImage = { width: 97, height: 61, data: Float32Array.from({ length: 97 * 61 }, () => rng.next()) };
    for (const [w, h] of [[32, 20], [50, 13], [96, 60]]) {
      const out = resizeFloat(img, w, h);
      expect(out.data.length).toBe(w * h);
      expect(mean(out.data)).toBeCloseTo(mean(img.data), 5);
    }
  });

  it('averages whole blocks exactly and enlarges a constant to the same constant', () => {
    const img: FloatImage = { width: 4, height: 2, data: new Float32Array([1, 3, 5, 7, 1, 3, 5, 7]) };
    expect(Array.from(resizeFloat(img, 2, 1).data)).toEqual([2, 6]);
    const big = resizeFloat({ width: 3, height: 3, data: new Float32Array(9).fill(0.25) }, 7, 5);
    expect(big.data.every((v) => Math.abs(v - 0.25) < 1e-6)).toBe(true);
  });
});

describe('pad and range', () => {
  it('centres the image on a canvas of the model aspect ratio', () => {
    const img: FloatImage = { width: 2, height: 2, data: new Float32Array([1, 1, 1, 1]) };
    const out = padToAspect(img, 2, 0);
    expect([out.width, out.height]).toEqual([4, 2]);
    expect(Array.from(out.data)).toEqual([0, 1, 1, 0, 0, 1, 1, 0]);
    const tall = padToAspect(img, 0.5, 0);
    expect([tall.width, tall.height]).toEqual([2, 4]);
    expect(Array.from(tall.data)).toEqual([0, 0, 1, 1, 1, 1, 0, 0]);
  });

  it('maps paper/ink to the model range and back to 8-bit grey', () => {
    const ink = (): FloatImage => ({ width: 3, height: 1, data: new Float32Array([0, 0.5, 1]) });
    expect(Array.from(inkToRange(ink(), 'zero-one').data)).toEqual([0, 0.5, 1]);
    expect(Array.from(inkToRange(ink(), 'minus-one-one').data)).toEqual([-1, 0, 1]);
    expect(Array.from(floatToGray(inkToRange(ink(), 'minus-one-one'), 'minus-one-one').data)).toEqual([255, 128, 0]);
    expect(Array.from(floatToGray(ink(), 'zero-one').data)).toEqual([255, 128, 0]);
    // Out-of-range generator outputs clamp.
    expect(Array.from(floatToGray({ width: 2, height: 1, data: new Float32Array([-3, 3]) }, 'minus-one-one').data)).toEqual([255, 0]);
  });
});
