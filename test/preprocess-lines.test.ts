import { describe, expect, it } from 'vitest';
import { flattenBackground, otsuThreshold, preprocess, PreprocessConfig, removeRuledLines, type GrayImage, type RawImage } from '@sig/shared';

const W = 240;
const H = 120;

/** A sheet cell: paper 235, a 2-px grid line along row 60 and one along column 200 (ink 90), plus a vertical
 * pen stroke (ink 20) crossing the horizontal line at x = 100..100+stroke-1 from y = 30 to 90. */
function gridCell(stroke = 3): GrayImage {
  const d = new Uint8ClampedArray(W * H).fill(235);
  for (let x = 0; x < W; x++) for (const y of [60, 61]) d[y * W + x] = 90;
  for (let y = 0; y < H; y++) for (const x of [200, 201]) d[y * W + x] = 90;
  for (let y = 30; y <= 90; y++) for (let x = 100; x < 100 + stroke; x++) d[y * W + x] = 20;
  return { width: W, height: H, data: d };
}

const at = (g: GrayImage, x: number, y: number): number => g.data[y * g.width + x];

describe('ruled-line removal', () => {
  it('erases a horizontal and a vertical grid line but keeps the stroke crossing them', () => {
    const img = gridCell();
    const out = removeRuledLines(img, { threshold: 150 });
    // Line pixels away from the stroke became paper.
    for (const x of [10, 50, 97, 150, 230]) expect(at(out, x, 60)).toBe(255);
    for (const y of [5, 40, 100]) expect(at(out, 200, y)).toBe(255);
    // The stroke survives everywhere, including where it crosses the line.
    for (let y = 30; y <= 90; y++) for (let x = 100; x <= 102; x++) expect(at(out, x, y)).toBe(20);
    // Paper is untouched.
    expect(at(out, 50, 20)).toBe(235);
  });

  it('finds a slightly skewed line (2°) and leaves a short hand-drawn dash alone', () => {
    const d = new Uint8ClampedArray(W * H).fill(235);
    const slope = Math.tan((2 * Math.PI) / 180);
    for (let x = 0; x < W; x++) {
      const y = Math.round(40 + x * slope);
      d[y * W + x] = 80;
      d[(y + 1) * W + x] = 80;
    }
    for (let x = 60; x < 120; x++) for (const y of [90, 91]) d[y * W + x] = 30; // a 60-px underline: 25% of the width
    const out = removeRuledLines({ width: W, height: H, data: d }, { threshold: 150 });
    let left = 0;
    for (let x = 0; x < W; x++) left += at(out, x, Math.round(40 + x * slope)) < 150 ? 1 : 0;
    expect(left).toBe(0);
    for (let x = 60; x < 120; x++) expect(at(out, x, 90)).toBe(30);
  });

  it('keeps a long, straight strike-through that is part of the signature (it stops short of the borders)', () => {
    const d = new Uint8ClampedArray(W * H).fill(235);
    for (let x = 12; x < W - 12; x++) for (let y = 58; y < 62; y++) d[y * W + x] = 30; // 90 % of the width, 4 px thick
    const out = removeRuledLines({ width: W, height: H, data: d }, { threshold: 150 });
    expect(Array.from(out.data)).toEqual(Array.from(d));
  });
});

describe('background flattening', () => {
  it('turns a lighting gradient into uniform white paper and keeps the ink dark', () => {
    const d = new Uint8ClampedArray(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) d[y * W + x] = 120 + Math.round((110 * x) / (W - 1)); // 120..230
    // Ink at 45% of the local paper brightness, on the dark and on the bright side.
    for (let y = 50; y < 54; y++) {
      for (const x0 of [20, 200]) for (let x = x0; x < x0 + 20; x++) d[y * W + x] = Math.round(0.45 * d[y * W + x]);
    }
    const out = flattenBackground({ width: W, height: H, data: d });
    for (const [x, y] of [[30, 20], [120, 100], [215, 90], [60, 60]]) expect(at(out, x, y)).toBeGreaterThanOrEqual(250);
    // At the very border the window is clipped and a steep gradient leaves paper a little grey.
    for (const [x, y] of [[0, 0], [239, 119]]) expect(at(out, x, y)).toBeGreaterThanOrEqual(235);
    for (const x of [25, 205]) {
      expect(at(out, x, 51)).toBeGreaterThan(100);
      expect(at(out, x, 51)).toBeLessThan(130);
    }
    // Before: one global threshold cannot separate the dark paper from the bright-side ink; after, Otsu can.
    const t = otsuThreshold(out);
    expect(at(out, 5, 5)).toBeGreaterThan(t);
    expect(at(out, 205, 51)).toBeLessThanOrEqual(t);
  });
});

describe('preprocess pipeline', () => {
  const rgb = (g: GrayImage): RawImage => {
    const data = new Uint8Array(g.width * g.height * 3);
    for (let i = 0; i < g.data.length; i++) data.set([g.data[i], g.data[i], Math.min(255, g.data[i] + 10)], i * 3);
    return { width: g.width, height: g.height, channels: 3, data };
  };

  it('crops to the stroke, drops the grid, and fills the model input in range (paper low, ink high)', () => {
    const cfg = PreprocessConfig.parse({ width: 64, height: 32 });
    const out = preprocess(rgb(gridCell(9)), cfg);
    expect([out.width, out.height, out.data.length]).toEqual([64, 32, 64 * 32]);
    let min = Infinity;
    let max = -Infinity;
    for (const v of out.data) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
    // The stroke is tall and thin, so after cropping and padding to 2:1 it sits in the centre columns;
    // the corners (where grid lines ran) are paper.
    expect(out.data[16 * 64 + 32]).toBe(1);
    for (const i of [0, 63, 31 * 64, 31 * 64 + 63, 16 * 64 + 5, 16 * 64 + 58]) expect(out.data[i]).toBe(0);
  });

  it('gives -1..1 for a tanh range, 0/1 only when binarised, and for a blank page all paper (lenient) or a refusal', () => {
    const cfg = PreprocessConfig.parse({ width: 32, height: 32, range: 'minus-one-one', binarize: true });
    const out = preprocess(rgb(gridCell(9)), cfg);
    expect(Math.min(...out.data)).toBe(-1);
    expect(Math.max(...out.data)).toBe(1);
    // Without resizing (the padded crop is exactly the model size) binarised values are only 0 and 1;
    // grey mode keeps intermediate levels at the stroke's soft edge.
    const soft = gridCell(9);
    for (let y = 30; y <= 90; y++) soft.data[y * W + 99] = 150;
    const size = { width: 67, height: 67 }; // stroke box 10 × 61, margin 3 → 16 × 67, padded to 67 × 67
    const bin = preprocess(rgb(soft), PreprocessConfig.parse({ ...size, binarize: true }));
    expect(new Set(bin.data)).toEqual(new Set([0, 1]));
    const grey = preprocess(rgb(soft), PreprocessConfig.parse({ ...size, binarize: false }));
    expect(grey.data.some((v) => v > 0.05 && v < 0.95)).toBe(true);
    const page = { width: 50, height: 40, channels: 1 as const, data: new Uint8Array(2000).fill(240) };
    const blank = preprocess(page, PreprocessConfig.parse({ width: 16, height: 16 }), { onNoSignature: 'guess' });
    expect(blank.data.every((v) => v === 0)).toBe(true);
    expect(() => preprocess(page, PreprocessConfig.parse({ width: 16, height: 16 }))).toThrow(/no ink/);
  });
});
