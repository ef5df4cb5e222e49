import { describe, expect, it } from 'vitest';
import { PreprocessConfig, Rng, preprocess, type FloatImage } from '@sig/shared';
import { augment } from '../apps/trainer/src/data/augment.ts';
import { synthesizeOne } from '../apps/trainer/src/data/synth/synthesize.ts';
import { IDENTITY, compose, invert, rotate, translate, applyAffine } from '../apps/trainer/src/data/warp/affine.ts';
import { ElasticField } from '../apps/trainer/src/data/warp/elastic.ts';
import { warpImage } from '../apps/trainer/src/data/warp/resample.ts';

const cfg = PreprocessConfig.parse({ height: 64, width: 128 });
const signature = (writer: number, sample = 0, range: 'zero-one' | 'minus-one-one' = 'zero-one'): FloatImage => {
  const g = synthesizeOne(21, writer, sample);
  return preprocess({ width: g.width, height: g.height, channels: 1, data: g.data }, { ...cfg, range });
};
const mass = (im: FloatImage): number => im.data.reduce((s, v) => s + v, 0);
const corr = (a: Float32Array, b: Float32Array): number => {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n, mb = b.reduce((s, v) => s + v, 0) / n;
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < n; i++) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
};
const flip = (im: FloatImage): Float32Array => {
  const out = new Float32Array(im.data.length);
  for (let y = 0; y < im.height; y++) for (let x = 0; x < im.width; x++) out[y * im.width + x] = im.data[y * im.width + im.width - 1 - x];
  return out;
};
/** Light blur so correlations measure shape, not one-pixel alignment. */
const blur = (im: FloatImage): Float32Array => {
  const { width: w, height: h, data } = im;
  const out = new Float32Array(data.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    let s = 0;
    for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) {
      s += data[Math.min(h - 1, Math.max(0, y + dy)) * w + Math.min(w - 1, Math.max(0, x + dx))];
    }
    out[y * w + x] = s / 25;
  }
  return out;
};

describe('augment', () => {
  it('is deterministic for a given rng state and differs for another', () => {
    const img = signature(0);
    const a = augment(img, new Rng(5));
    const b = augment(img, new Rng(5));
    const c = augment(img, new Rng(6));
    expect(a.data).toEqual(b.data);
    expect(a.data).not.toEqual(c.data);
    expect([a.width, a.height]).toEqual([128, 64]);
  });

  it('keeps the ink mass roughly and the values in range', () => {
    const rng = new Rng(1);
    const ratios: number[] = [];
    for (let w = 0; w < 4; w++) {
      const img = signature(w);
      for (let i = 0; i < 25; i++) {
        const a = augment(img, rng);
        expect(Math.min(...a.data)).toBeGreaterThanOrEqual(0);
        expect(Math.max(...a.data)).toBeLessThanOrEqual(1);
        ratios.push(mass(a) / mass(img));
      }
    }
    ratios.sort((x, y) => x - y);
    expect(ratios[0]).toBeGreaterThan(0.4);
    expect(ratios[ratios.length - 1]).toBeLessThan(2.5);
    const median = ratios[ratios.length >> 1];
    expect(median).toBeGreaterThan(0.8);
    expect(median).toBeLessThan(1.4);
  });

  it('keeps identity: an augmented copy resembles its original more than the mirror image or another writer', () => {
    const rng = new Rng(2);
    let kept = 0, total = 0;
    for (let w = 0; w < 6; w++) {
      const img = signature(w);
      const other = signature((w + 1) % 6);
      const [o, f, x] = [blur(img), flip({ ...img, data: blur(img) }), blur(other)];
      for (let i = 0; i < 10; i++) {
        const a = blur(augment(img, rng));
        if (corr(a, o) > corr(a, f) && corr(a, o) > corr(a, x)) kept++;
        total++;
      }
    }
    expect(kept / total).toBeGreaterThanOrEqual(0.95);
  });

  it('fills with the paper level of the range it is told', () => {
    const img = signature(3, 0, 'minus-one-one');
    const a = augment(img, new Rng(3), { range: 'minus-one-one', noise: 0 });
    const sorted = Float32Array.from(a.data).sort();
    expect(sorted[0]).toBeCloseTo(-1, 5);
    expect(sorted[sorted.length >> 1]).toBeCloseTo(-1, 5); // most of the frame is paper
    expect(sorted[sorted.length - 1]).toBeGreaterThan(0.5); // and there is still ink
  });

  it('is the identity when every variation is switched off', () => {
    const img = signature(1);
    const a = augment(img, new Rng(9), { rotate: 0, scale: 0, aspect: 0, shear: 0, translate: 0, elastic: 0, thickness: 0, noise: 0 });
    for (let i = 0; i < img.data.length; i++) expect(a.data[i]).toBeCloseTo(img.data[i], 5);
  });
});

describe('warp geometry (shared by synth and augment)', () => {
  it('composes and inverts affine maps', () => {
    const m = compose(translate(3, -2), rotate(0.3));
    const q = { x: 0, y: 0 };
    applyAffine(compose(invert(m), m), 5, 7, q);
    expect(q.x).toBeCloseTo(5, 10);
    expect(q.y).toBeCloseTo(7, 10);
    applyAffine(m, 1, 0, q);
    expect(q.x).toBeCloseTo(3 + Math.cos(0.3), 10);
    expect(q.y).toBeCloseTo(-2 + Math.sin(0.3), 10);
  });

  it('warps an image by a whole-pixel shift exactly, filling with paper', () => {
    const src: FloatImage = { width: 5, height: 3, data: Float32Array.from({ length: 15 }, (_, i) => i) };
    // Output pixel (x, y) reads source (x − 1, y): the picture moves one pixel right.
    const out = warpImage(src, translate(-1, 0), null, -7);
    expect([...out.data]).toEqual([-7, 0, 1, 2, 3, -7, 5, 6, 7, 8, -7, 10, 11, 12, 13]);
    expect([...warpImage(src, IDENTITY, null, 0).data]).toEqual([...src.data]);
  });

  it('evaluates the elastic field the same per point and per pixel grid, smoothly', () => {
    const f = new ElasticField(new Rng(4), 0, 0, 40, 20, 5, 3, 2);
    const grid = f.atPixels(40, 20);
    const q = { x: 0, y: 0 };
    for (const [x, y] of [[0, 0], [13, 7], [39, 19], [20, 10]]) {
      f.at(x + 0.5, y + 0.5, q);
      expect(grid.dx[y * 40 + x]).toBeCloseTo(q.x, 5);
      expect(grid.dy[y * 40 + x]).toBeCloseTo(q.y, 5);
    }
    // Neighbouring pixels move nearly together (a bend, not noise).
    let maxStep = 0;
    for (let i = 1; i < 40; i++) maxStep = Math.max(maxStep, Math.abs(grid.dx[i] - grid.dx[i - 1]));
    const row = [...grid.dx.subarray(0, 40)];
    expect(maxStep).toBeLessThan((Math.max(...row) - Math.min(...row)) / 4);
  });
});
