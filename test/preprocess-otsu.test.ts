import { describe, expect, it } from 'vitest';
import { binarize, histogram, otsuFromHistogram, otsuThreshold, toGray, type GrayImage } from '@sig/shared';

/** Histogram of two Gaussian modes (weights w1, w2) on 0..255. */
function bimodal(m1: number, s1: number, w1: number, m2: number, s2: number, w2: number): Float64Array {
  const h = new Float64Array(256);
  for (let v = 0; v < 256; v++) {
    h[v] = w1 * Math.exp(-((v - m1) ** 2) / (2 * s1 * s1)) + w2 * Math.exp(-((v - m2) ** 2) / (2 * s2 * s2));
  }
  return h;
}

describe('Otsu threshold', () => {
  it('splits two equal, equally wide modes halfway between them', () => {
    // By symmetry t = 129 and t = 130 split equally well; ties resolve to the middle (rounded down).
    expect(otsuFromHistogram(bimodal(60, 10, 1000, 200, 10, 1000))).toBe(129);
  });

  it('splits two spikes in the middle of the empty gap', () => {
    const h = new Uint32Array(256);
    h[40] = 500;
    h[220] = 4000;
    expect(otsuFromHistogram(h)).toBe(129); // every t in 40..219 splits the same; the middle of that range
  });

  it('moves towards the smaller, narrower mode (ink is the minority on paper)', () => {
    const t = otsuFromHistogram(bimodal(50, 8, 100, 210, 15, 5000));
    expect(t).toBeGreaterThan(70);
    expect(t).toBeLessThan(150);
    expect(t).toBeLessThan(130);
  });

  it('thresholds an image: dark pixels are ink, light paper', () => {
    const data = new Uint8ClampedArray(100).fill(230);
    for (let i = 0; i < 20; i++) data[i * 5] = 30;
    const gray: GrayImage = { width: 10, height: 10, data };
    expect(Array.from(histogram(gray).filter((c) => c > 0))).toEqual([20, 80]);
    const t = otsuThreshold(gray);
    expect(t).toBeGreaterThanOrEqual(30);
    expect(t).toBeLessThan(230);
    const bin = binarize(gray, t);
    expect(bin.data.filter((v) => v === 0).length).toBe(20);
    expect(bin.data[0]).toBe(0);
    expect(bin.data[1]).toBe(255);
  });
});

describe('grayscale', () => {
  it('uses luminance weights and composites alpha over white paper', () => {
    const rgba = new Uint8Array([255, 0, 0, 255, 0, 0, 255, 255, 0, 0, 0, 0, 0, 0, 0, 128]);
    const g = toGray({ width: 4, height: 1, channels: 4, data: rgba });
    expect(g.data[0]).toBe(76); // 0.299 · 255
    expect(g.data[1]).toBe(29); // 0.114 · 255
    expect(g.data[2]).toBe(255); // fully transparent = paper
    expect(g.data[3]).toBe(127); // half-transparent black over white
    const rgb = toGray({ width: 1, height: 1, channels: 3, data: new Uint8Array([40, 40, 150]) });
    expect(rgb.data[0]).toBe(Math.round(0.299 * 40 + 0.587 * 40 + 0.114 * 150));
  });
});
