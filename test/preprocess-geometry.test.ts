import { describe, expect, it } from 'vitest';
import {
  floatToGray,
  inkBoundingBox,
  aspectWindow,
  inkToRange,
  resizeFloat,
  resizeGrayWindow,
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
  it('resizes a window of a grey image through a table exactly as resizeFloat does on the window built out', () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 60; trial++) {
      const gray: GrayImage = { width: 5 + rng.int(60), height: 5 + rng.int(40), data: new Uint8ClampedArray(0) };
      gray.data = new Uint8ClampedArray(gray.width * gray.height).map(() => rng.int(256));
      const lut = new Float32Array(256).map(() => rng.next());
      // A valid box that may reach past the image, and a window around it that reaches further.
      const valid = { x: rng.int(gray.width) - 3, y: rng.int(gray.height) - 3, width: 1 + rng.int(gray.width), height: 1 + rng.int(gray.height) };
      const win = { x: valid.x - rng.int(6), y: valid.y - rng.int(6), width: valid.width + rng.int(12), height: valid.height + rng.int(12) };
      const built = new Float32Array(win.width * win.height);
      for (let y = 0; y < win.height; y++) {
        for (let x = 0; x < win.width; x++) {
          const gx = win.x + x;
          const gy = win.y + y;
          const inside = gx >= Math.max(0, valid.x) && gx < Math.min(gray.width, valid.x + valid.width) && gy >= Math.max(0, valid.y) && gy < Math.min(gray.height, valid.y + valid.height);
          built[y * win.width + x] = inside ? lut[gray.data[gy * gray.width + gx]] : 0;
        }
      }
      // Shrinking, enlarging and the same size along each axis.
      for (const [w, h] of [[16, 8], [3 * win.width, 2 * win.height], [win.width, win.height], [Math.max(1, win.width >> 1), 2 * win.height]]) {
        const want = resizeFloat({ width: win.width, height: win.height, data: built }, w, h).data;
        const got = resizeGrayWindow(gray, lut, valid, win, w, h).data;
        expect(got).toEqual(want);
      }
    }
  });
});

describe('pad and range', () => {
  it('centres a box in a window of the model aspect ratio', () => {
    const box = { x: 5, y: 7, width: 2, height: 2 };
    expect(aspectWindow(box, 2)).toEqual({ x: 4, y: 7, width: 4, height: 2 });
    expect(aspectWindow(box, 0.5)).toEqual({ x: 5, y: 6, width: 2, height: 4 });
    expect(aspectWindow({ x: 0, y: 0, width: 4, height: 2 }, 2)).toEqual({ x: 0, y: 0, width: 4, height: 2 });
    // The odd pixel goes after: 3 wide at aspect 2 is 6 wide, 1 before and 2 after.
    expect(aspectWindow({ x: 0, y: 0, width: 3, height: 3 }, 2)).toEqual({ x: -1, y: 0, width: 6, height: 3 });
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
