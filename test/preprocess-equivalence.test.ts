// The optimised preprocessing must compute exactly what the straightforward version did: every stage of
// packages/shared/src/preprocess/ is compared with the reference copy in test/helpers/preprocess-reference/
// on synthetic images (strokes, straight and skewed grid lines, faint lines, lighting gradients, noise, odd
// sizes). Integer stages must match byte for byte; float outputs to 1e-6.
import { describe, expect, it } from 'vitest';
import {
  flattenBackground,
  histogram,
  inkBoundingBox,
  NoSignatureError,
  otsuFromHistogram,
  preprocess,
  PreprocessConfig,
  removeRuledLines,
  resizeFloat,
  Rng,
  toGray,
  type FloatImage,
  type GrayImage,
  type RawImage,
} from '@sig/shared';
import { connectedComponents } from '../packages/shared/src/preprocess/ink-box.ts';
import { boxBlur, maxFilter, minFilter } from '../packages/shared/src/preprocess/morphology.ts';
import * as ref from './helpers/preprocess-reference/pipeline.ts';
import * as refBg from './helpers/preprocess-reference/background.ts';
import * as refBox from './helpers/preprocess-reference/ink-box.ts';
import * as refGray from './helpers/preprocess-reference/grayscale.ts';
import * as refMorph from './helpers/preprocess-reference/morphology.ts';
import * as refLines from './helpers/preprocess-reference/ruled-lines.ts';
import * as refResize from './helpers/preprocess-reference/resize.ts';

interface Scene {
  name: string;
  img: RawImage;
}

/** A synthetic sheet cell: paper with a lighting gradient, pen strokes, optional grid lines and noise. */
function scene(rng: Rng, width: number, height: number, opts: { lines: boolean; skew: number; noise: number; strokes: number; channels: 1 | 3 }): RawImage {
  const g = new Float32Array(width * height);
  const gx = rng.uniform(-60, 60) / width;
  const gy = rng.uniform(-60, 60) / height;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) g[y * width + x] = 225 + gx * (x - width / 2) + gy * (y - height / 2);
  const dot = (cx: number, cy: number, r: number, v: number) => {
    for (let y = Math.max(0, Math.floor(cy - r)); y <= Math.min(height - 1, Math.ceil(cy + r)); y++) {
      for (let x = Math.max(0, Math.floor(cx - r)); x <= Math.min(width - 1, Math.ceil(cx + r)); x++) {
        if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) g[y * width + x] = Math.min(g[y * width + x], v);
      }
    }
  };
  if (opts.lines) {
    // Horizontal and vertical ruled lines (faint or dark, 1–3 px, slightly skewed, one broken).
    for (const fy of [0.2, 0.75]) {
      const v = rng.uniform(60, 170);
      const th = 1 + rng.int(3);
      const y0 = fy * height;
      for (let x = 0; x < width; x++) {
        if (fy === 0.75 && x > width * 0.4 && x < width * 0.41) continue;
        const y = Math.round(y0 + x * opts.skew);
        for (let t = 0; t < th; t++) if (y + t >= 0 && y + t < height) g[(y + t) * width + x] = v;
      }
    }
    for (const fx of [0.05, 0.9]) {
      const v = rng.uniform(60, 170);
      for (let y = 0; y < height; y++) {
        const x = Math.round(fx * width - y * opts.skew);
        for (let t = 0; t < 2; t++) if (x + t >= 0 && x + t < width) g[y * width + x + t] = v;
      }
    }
  }
  for (let s = 0; s < opts.strokes; s++) {
    // A wavy pen stroke, sometimes a long straight underline (must survive line removal).
    const r = rng.uniform(0.8, 3);
    const v = rng.uniform(10, 80);
    let x = rng.uniform(0.1, 0.3) * width;
    let y = rng.uniform(0.3, 0.7) * height;
    const straight = s === 0 && rng.next() < 0.5;
    const steps = 200;
    for (let k = 0; k < steps; k++) {
      x += (0.6 * width) / steps;
      y += straight ? 0 : Math.sin(k / 9 + s) * rng.uniform(0.2, 1.2);
      dot(x, y, r, v);
    }
  }
  const channels = opts.channels;
  const data = new Uint8ClampedArray(width * height * channels);
  for (let i = 0; i < width * height; i++) {
    const v = g[i] + (opts.noise ? rng.normal(0, opts.noise) : 0);
    for (let c = 0; c < channels; c++) data[i * channels + c] = v + (c === 1 ? 3 : 0);
  }
  return { width, height, channels, data };
}

function scenes(): Scene[] {
  const rng = new Rng(20261121);
  const out: Scene[] = [];
  const sizes: [number, number][] = [[300, 120], [111, 65], [240, 120], [17, 9], [1, 1], [3, 40], [640, 200], [150, 420]];
  for (const [w, h] of sizes) {
    for (const lines of [false, true]) {
      const skew = lines ? rng.uniform(-0.03, 0.03) : 0;
      const noise = rng.next() < 0.5 ? 0 : rng.uniform(2, 12);
      out.push({ name: `${w}x${h}${lines ? ' lines' : ''} noise ${noise.toFixed(1)}`, img: scene(rng, w, h, { lines, skew, noise, strokes: 1 + rng.int(3), channels: rng.next() < 0.5 ? 1 : 3 }) });
    }
  }
  // Larger than the working size: shrunk first.
  out.push({ name: '1700x260 lines', img: scene(rng, 1700, 260, { lines: true, skew: 0.01, noise: 5, strokes: 3, channels: 3 }) });
  // Blank paper and pure noise.
  out.push({ name: 'blank', img: { width: 200, height: 80, channels: 1, data: new Uint8ClampedArray(200 * 80).fill(240) } });
  const noise = new Uint8ClampedArray(160 * 90);
  for (let i = 0; i < noise.length; i++) noise[i] = rng.int(256);
  out.push({ name: 'uniform noise', img: { width: 160, height: 90, channels: 1, data: noise } });
  return out;
}

const SCENES = scenes();

/** Scenes without one clear signature (blank, noise) are compared on the best guess both make. */
const GUESS = { onNoSignature: 'guess' } as const;

/** The NoSignatureError's reason code, or 'ok' when there is none. */
function refusal(run: () => unknown): string {
  try {
    run();
    return 'ok';
  } catch (e) {
    if (e instanceof NoSignatureError) return e.reason;
    throw e;
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function sameGray(a: GrayImage, b: GrayImage): void {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  expect(maxAbsDiff(a.data, b.data)).toBe(0);
}

describe('optimised preprocessing equals the reference implementation', () => {
  it.each(SCENES.map((s) => [s.name, s.img] as const))('every stage on %s', (_name, img) => {
    const gray = toGray(img);
    const flat = flattenBackground(gray);
    sameGray(flat, refBg.flattenBackground(gray));
    for (const radius of [1, 5, 13]) sameGray(flattenBackground(gray, { radius }), refBg.flattenBackground(gray, { radius }));
    const t = Math.min(otsuFromHistogram(histogram(flat)), 200);
    const clean = removeRuledLines(flat, { threshold: t });
    sameGray(clean, refLines.removeRuledLines(flat, { threshold: t }));
    sameGray(removeRuledLines(flat), refLines.removeRuledLines(flat));
    expect(inkBoundingBox(clean, t)).toEqual(refBox.inkBoundingBox(clean, t));
    expect(inkBoundingBox(flat, t, { minArea: 1, borderBand: 0 })).toEqual(refBox.inkBoundingBox(flat, t, { minArea: 1, borderBand: 0 }));
    const cc = connectedComponents(clean.data, clean.width, clean.height, t);
    const rc = refBox.connectedComponents(clean.data, clean.width, clean.height, t);
    expect(cc.count).toBe(rc.count);
    expect(maxAbsDiff(cc.ids, rc.ids)).toBe(0);
    for (const binarize of [false, true]) {
      for (const [width, height] of [[128, 64], [64, 64]]) {
        const cfg = PreprocessConfig.parse({ width, height, binarize, range: binarize ? 'zero-one' : 'minus-one-one' });
        const a = preprocess(img, cfg, GUESS);
        const b = ref.preprocess(img, cfg, GUESS);
        expect([a.width, a.height]).toEqual([b.width, b.height]);
        expect(maxAbsDiff(a.data, b.data)).toBeLessThanOrEqual(1e-6);
      }
    }
    const noLines = PreprocessConfig.parse({ width: 96, height: 48, removeLines: false });
    expect(maxAbsDiff(preprocess(img, noLines, GUESS).data, ref.preprocess(img, noLines, GUESS).data)).toBeLessThanOrEqual(1e-6);
    // Both refuse the same images (blank, noise) by default, with the same reason.
    const cfg = PreprocessConfig.parse({ width: 128, height: 64 });
    expect(refusal(() => preprocess(img, cfg))).toBe(refusal(() => ref.preprocess(img, cfg)));
  });

  it('grayscale matches for every grey level under every alpha, and on random 1–4 channel pixels', () => {
    // Every (level, alpha) pair once, as RGBA and as grey + alpha.
    const rgba = new Uint8Array(256 * 256 * 4);
    const ga = new Uint8Array(256 * 256 * 2);
    for (let v = 0; v < 256; v++) {
      for (let a = 0; a < 256; a++) {
        const i = v * 256 + a;
        rgba.set([v, v, v, a], i * 4);
        ga.set([v, a], i * 2);
      }
    }
    sameGray(toGray({ width: 256, height: 256, channels: 4, data: rgba }), refGray.toGray({ width: 256, height: 256, channels: 4, data: rgba }));
    sameGray(toGray({ width: 256, height: 256, channels: 2, data: ga }), refGray.toGray({ width: 256, height: 256, channels: 2, data: ga }));
    const rng = new Rng(11);
    for (const channels of [1, 2, 3, 4] as const) {
      const data = new Uint8Array(97 * 31 * channels);
      for (let i = 0; i < data.length; i++) data[i] = rng.int(256);
      // Opaque pixels take their own path: make a third of them opaque.
      if (channels === 4) for (let i = 3; i < data.length; i += 12) data[i] = 255;
      const img: RawImage = { width: 97, height: 31, channels, data };
      sameGray(toGray(img), refGray.toGray(img));
    }
  });

  it('morphology filters and resizing match on random float images', () => {
    const rng = new Rng(7);
    for (const [w, h, r] of [[1, 1, 1], [5, 3, 2], [37, 23, 4], [150, 60, 2], [60, 150, 9]]) {
      const src = new Float32Array(w * h);
      for (let i = 0; i < src.length; i++) src[i] = rng.uniform(0, 255);
      for (const [fast, slow] of [[maxFilter, refMorph.maxFilter], [minFilter, refMorph.minFilter], [boxBlur, refMorph.boxBlur]] as const) {
        const a = Float32Array.from(src);
        const b = Float32Array.from(src);
        fast(a, w, h, r);
        slow(b, w, h, r);
        expect(maxAbsDiff(a, b)).toBe(0);
      }
      const img: FloatImage = { width: w, height: h, data: src };
      for (const [tw, th] of [[128, 64], [3, 2], [w, h], [w * 2 + 1, h + 3]]) {
        expect(maxAbsDiff(resizeFloat(img, tw, th).data, refResize.resizeFloat(img, tw, th).data)).toBeLessThanOrEqual(1e-6);
      }
    }
  });
});
