// The signature locator in the shared preprocessing: one signature is found in a tight crop and in a loose
// crop with grid lines and a neighbour's ink at its edges; a blank image, several signatures and a whole
// form are refused (NoSignatureError, HTTP 422) before any model runs. Inputs are built here from the
// synthetic writers, plus a real registration sheet when the dataset is present.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  erasedLines,
  isNoSignatureError,
  locateSignature,
  NoSignatureError,
  preprocess,
  preprocessSignature,
  PreprocessConfig,
  Rng,
  type GrayImage,
  type RawImage,
} from '@sig/shared';
import { decodeImage } from '@sig/shared/node/image-io.ts';
import { separated, sideOf } from '../packages/shared/src/preprocess/erased-lines.ts';
import { synthesizeOne } from '../apps/trainer/src/data/synth/synthesize.ts';

const CFG = PreprocessConfig.parse({ width: 96, height: 48 });
const SHEET = resolve('../shared/datasets/registration-sheets/image1.jpg');

/** A page of paper (grey level `paper`) of the given size. */
function page(width: number, height: number, paper = 235): GrayImage {
  return { width, height, data: new Uint8ClampedArray(width * height).fill(paper) };
}

/** Draws `sig` (dark ink on white) onto `dst` with its top-left corner at (x, y); clipped at the edges. */
function paste(dst: GrayImage, sig: GrayImage, x: number, y: number): void {
  for (let sy = 0; sy < sig.height; sy++) {
    const dy = y + sy;
    if (dy < 0 || dy >= dst.height) continue;
    for (let sx = 0; sx < sig.width; sx++) {
      const dx = x + sx;
      if (dx < 0 || dx >= dst.width) continue;
      const i = dy * dst.width + dx;
      dst.data[i] = Math.min(dst.data[i], sig.data[sy * sig.width + sx]);
    }
  }
}

/** Ruled lines (2 px, grey 120) at the given rows and columns, across the whole image. */
function rule(img: GrayImage, rows: number[], cols: number[]): void {
  for (const y of rows) for (let x = 0; x < img.width; x++) for (const t of [0, 1]) img.data[(y + t) * img.width + x] = 120;
  for (const x of cols) for (let y = 0; y < img.height; y++) for (const t of [0, 1]) img.data[y * img.width + x + t] = 120;
}

/** Mild sensor noise, so blank paper is not perfectly flat. */
function noisy(img: GrayImage, rng: Rng, sigma = 4): GrayImage {
  for (let i = 0; i < img.data.length; i++) img.data[i] = img.data[i] + rng.normal(0, sigma);
  return img;
}

/** A zigzag "word" of writing (3 strokes, 3 px thick) with its box's top-left at (x, y), w × h. */
function word(img: GrayImage, x: number, y: number, w: number, h: number): void {
  const pts = [[x, y + h], [x + w / 3, y], [x + (2 * w) / 3, y + h], [x + w, y]];
  for (let k = 0; k + 1 < pts.length; k++) {
    const [ax, ay] = pts[k];
    const [bx, by] = pts[k + 1];
    for (let t = 0; t <= 1; t += 1 / 200) {
      for (let d = -1; d <= 1; d++) {
        const px = Math.round(ax + t * (bx - ax) + d);
        const py = Math.round(ay + t * (by - ay));
        if (px >= 0 && px < img.width && py >= 0 && py < img.height) img.data[py * img.width + px] = 30;
      }
    }
  }
}

const raw = (g: GrayImage): RawImage => ({ width: g.width, height: g.height, channels: 1, data: g.data });

/** The refusal's reason code, or 'ok'. */
function outcome(img: RawImage): string {
  try {
    preprocess(img, CFG);
    return 'ok';
  } catch (e) {
    if (isNoSignatureError(e)) return e.reason;
    throw e;
  }
}

/** The ink box of a signature image alone (threshold 128, all ink). */
function inkBox(sig: GrayImage): { x0: number; y0: number; x1: number; y1: number } {
  let x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1;
  for (let y = 0; y < sig.height; y++) for (let x = 0; x < sig.width; x++) {
    if (sig.data[y * sig.width + x] > 128) continue;
    x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  }
  return { x0, y0, x1, y1 };
}

const meanAbsDiff = (a: Float32Array, b: Float32Array): number => a.reduce((s, v, i) => s + Math.abs(v - b[i]), 0) / a.length;

describe('locateSignature: one signature, found wherever the capture put it', () => {
  it('finds a tight crop as a whole, and a signature on a larger page at its place', () => {
    for (let k = 0; k < 6; k++) {
      const sig = synthesizeOne(7, k, 0);
      const tight = preprocessSignature(raw(sig), CFG);
      const b = inkBox(sig);
      expect(tight.box, `writer ${k}`).not.toBeNull();
      // Anti-aliased edges are lighter than the Otsu threshold: the box may be a pixel or two inside.
      expect(Math.abs(tight.box!.x - b.x0)).toBeLessThanOrEqual(3);
      expect(Math.abs(tight.box!.x + tight.box!.width - 1 - b.x1)).toBeLessThanOrEqual(3);
      const p = page(sig.width * 3, sig.height * 3);
      paste(p, sig, sig.width, sig.height);
      const placed = preprocessSignature(raw(p), CFG);
      expect(Math.abs(placed.box!.x - (b.x0 + sig.width))).toBeLessThanOrEqual(3);
      expect(Math.abs(placed.box!.y - (b.y0 + sig.height))).toBeLessThanOrEqual(3);
    }
  });

  it('keeps a loose crop to its own signature: grid lines and a neighbour’s ink at the edges are left out', () => {
    for (let k = 0; k < 6; k++) {
      const sig = synthesizeOne(11, k, 0);
      const neighbour = synthesizeOne(11, k + 10, 0);
      const other = synthesizeOne(11, k + 20, 0);
      const w = Math.round(sig.width * 1.6);
      const h = Math.round(sig.height * 1.7);
      const ox = Math.round(sig.width * 0.3);
      const oy = Math.round(sig.height * 0.35);
      const p = page(w, h);
      paste(p, sig, ox, oy);
      // The row above's signature hangs in from the top edge, the next cell's from the right edge.
      paste(p, neighbour, ox + 10, -Math.round(neighbour.height * 0.75));
      paste(p, other, w - Math.round(other.width * 0.2), oy);
      rule(p, [oy - 6, oy + sig.height + 4], [ox - 6, ox + sig.width + 6]);
      const alone = page(w, h);
      paste(alone, sig, ox, oy);
      const rough = preprocessSignature(raw(noisy(p, new Rng(k))), CFG);
      const clean = preprocessSignature(raw(alone), CFG);
      const b = inkBox(sig);
      expect(rough.box!.x, `writer ${k}`).toBeGreaterThanOrEqual(ox + b.x0 - 3);
      expect(rough.box!.x + rough.box!.width - 1).toBeLessThanOrEqual(ox + b.x1 + 3);
      expect(rough.box!.y).toBeGreaterThanOrEqual(oy + b.y0 - 3);
      expect(rough.box!.y + rough.box!.height - 1).toBeLessThanOrEqual(oy + b.y1 + 3);
      // The model sees (nearly) what it would see without the lines, the noise and the neighbours.
      expect(meanAbsDiff(rough.input.data, clean.input.data)).toBeLessThan(0.04);
    }
  });

  it('paints a neighbour’s stroke that reaches into the signature’s box as paper', () => {
    const sig = synthesizeOne(3, 1, 0);
    const p = page(sig.width + 80, sig.height + 80);
    paste(p, sig, 40, 40);
    // A neighbour's descender: a vertical stroke from the top border down into the box's left half.
    for (let y = 0; y < 40 + sig.height / 3; y++) for (let x = 60; x < 63; x++) p.data[y * p.width + x] = 30;
    const found = locateSignature(p, 128);
    expect('refused' in found).toBe(false);
    if ('refused' in found) return;
    expect(found.dropped).toBeGreaterThan(0);
    expect(found.image.data[(40 + 5) * p.width + 61]).toBe(255);
  });
});

describe('ruled lines between cells: ink across one is another cell\'s', () => {
  it('joins the pieces of an erased line broken where strokes cross it into one line', () => {
    const before = page(400, 120);
    for (let x = 0; x < 400; x++) before.data[60 * 400 + x] = 100;
    // Line removal keeps the ink where strokes cross a line: the erased line is broken into pieces, none
    // of them half the width.
    const after = page(400, 120);
    for (const x of [150, 300]) for (let d = 0; d < 4; d++) after.data[60 * 400 + x + d] = 100;
    const lines = erasedLines(before, after);
    expect(lines).toHaveLength(1);
    expect(lines[0].horizontal).toBe(true);
    expect(Math.abs(lines[0].a - 60)).toBeLessThan(0.5);
    expect(Math.abs(lines[0].b)).toBeLessThan(1e-3);
  });

  it('fits a thick, shallow line broken into short pieces with its true slope, so its pieces join', () => {
    // A 4-px line falling 7 px over 250 (a keystoned sheet photo): its rows' runs are longer than its pieces.
    const w = 250;
    const before = page(w, 160);
    const line = (x: number) => 126 - 0.028 * x;
    for (let x = 0; x < w; x++) for (let t = 0; t < 4; t++) before.data[Math.round(line(x) + t) * w + x] = 90;
    const after = page(w, 160);
    for (const x0 of [115, 169]) for (let x = x0; x < x0 + 6; x++) for (let t = 0; t < 4; t++) after.data[Math.round(line(x) + t) * w + x] = 90;
    const lines = erasedLines(before, after);
    expect(lines).toHaveLength(1);
    expect(lines[0].b).toBeCloseTo(-0.028, 2);
    expect(Math.abs(lines[0].a - 127.5)).toBeLessThan(1);
  });

  it('a neighbour\'s stroke crossing the line is on its own side (by its ink\'s centre), not grouped with the signature', () => {
    const line = { horizontal: true, a: 100, b: 0 };
    const signature = { x0: 20, x1: 200, y0: 110, y1: 160, cx: 110, cy: 135 };
    // A descender of the row above: it crosses the line, most of its ink above it.
    const descender = { x0: 60, x1: 90, y0: 40, y1: 112, cx: 75, cy: 70 };
    expect(sideOf(line, signature)).toBe(1);
    expect(sideOf(line, descender)).toBe(-1);
    expect(separated([line], signature, descender)).toBe(true);
    expect(separated([line], signature, { ...signature, x0: 210, x1: 260, cx: 235 })).toBe(false);
  });

  it('counts the pieces of writing for "whole form" in the signature\'s own cell only', () => {
    const p = page(400, 220);
    // The signature: two words half a writing height apart, below a ruled line at y = 100.
    word(p, 130, 140, 60, 30);
    word(p, 205, 140, 60, 30);
    // The row above: two words, clear of the border, across the line.
    word(p, 120, 45, 60, 30);
    word(p, 215, 45, 60, 30);
    const lines = [{ horizontal: true, a: 100, b: 0 }];
    const found = locateSignature(p, 128, { lines });
    expect('refused' in found ? found.refused : 'found').toBe('found');
    if ('refused' in found) return;
    expect(found.box.y).toBeGreaterThanOrEqual(138);
  });

  it('keeps the end of a signature the capture\'s edge clipped, where the cell is known', () => {
    const p = page(300, 160);
    word(p, 110, 60, 60, 30);
    word(p, 112, 100, 100, 8); // a flourish under it, towards the right
    // The last letters, cut by the right edge, away from the image's central half.
    word(p, 240, 62, 70, 28);
    const lines = [{ horizontal: true, a: 20, b: 0 }];
    const found = locateSignature(p, 128, { lines });
    expect('refused' in found).toBe(false);
    if ('refused' in found) return;
    expect(found.box.x + found.box.width).toBe(300);
    // Without ruled lines the cell is unknown, and a border piece away from the centre stays a neighbour's.
    const alone = locateSignature(p, 128);
    expect('refused' in alone).toBe(false);
    if (!('refused' in alone)) expect(alone.box.x + alone.box.width).toBeLessThan(240);
  });

  it('prefers the signature in the image centre\'s cell to more ink across a grid line', () => {
    const a = synthesizeOne(13, 2, 0);
    const b = synthesizeOne(13, 3, 0);
    const w = Math.round(2.4 * Math.max(a.width, b.width));
    const lineY = Math.round(1.6 * a.height) + 20;
    const p = page(w, lineY + Math.round(1.1 * b.height));
    const ax = (w - a.width) >> 1;
    paste(p, a, ax, lineY - a.height - 14);
    // The next row: two signatures close together (one group with twice the ink), cut by the bottom edge.
    paste(p, b, 4, lineY + 14);
    paste(p, b, 4 + b.width + 4, lineY + 14);
    rule(p, [lineY], []);
    const found = preprocessSignature(raw(noisy(p, new Rng(3))), CFG);
    const box = found.box!;
    expect(box.y + box.height).toBeLessThanOrEqual(lineY);
    expect(box.x).toBeGreaterThanOrEqual(ax - 3);
  });
});

describe('no single signature: refused before any model runs', () => {
  it('a blank page, a noisy blank photo, a few specks and a 1×1 image are "no-ink"', () => {
    const rng = new Rng(5);
    expect(outcome(raw(page(300, 200)))).toBe('no-ink');
    const photo = page(2400, 1800, 200);
    for (let y = 0; y < photo.height; y++) for (let x = 0; x < photo.width; x++) photo.data[y * photo.width + x] = 170 + (60 * x) / photo.width + rng.normal(0, 6);
    expect(outcome(raw(photo))).toBe('no-ink');
    const specks = page(400, 300);
    for (let s = 0; s < 8; s++) paste(specks, page(2, 2, 20), rng.int(390), rng.int(290));
    expect(outcome(raw(specks))).toBe('no-ink');
    expect(outcome({ width: 1, height: 1, channels: 1, data: new Uint8Array([0]) })).toBe('no-ink');
  });

  it('two signatures side by side or one above the other are "several-signatures"', () => {
    for (let k = 0; k < 4; k++) {
      const a = synthesizeOne(9, k, 0);
      const b = synthesizeOne(9, k + 5, 0);
      const side = page(a.width + b.width + 2 * a.height + 40, Math.max(a.height, b.height) + 40);
      paste(side, a, 20, 20);
      paste(side, b, 20 + a.width + 2 * a.height, 20);
      expect(outcome(raw(side)), `writer ${k} side by side`).toBe('several-signatures');
      const stacked = page(Math.max(a.width, b.width) + 40, a.height + b.height + 2 * a.height + 40);
      paste(stacked, a, 20, 20);
      paste(stacked, b, 20, 20 + a.height + 2 * a.height);
      expect(outcome(raw(stacked)), `writer ${k} stacked`).toBe('several-signatures');
    }
  });

  it('a ruled form with a signature in every cell is "whole-form"', () => {
    const cellW = 260;
    const cellH = 120;
    const form = page(cellW * 4 + 20, cellH * 6 + 20);
    for (let r = 0; r < 6; r++) {
      for (let c = 0; c < 4; c++) {
        const s = synthesizeOne(21, r, c);
        paste(form, s, 10 + c * cellW + Math.max(0, (cellW - s.width) >> 1), 10 + r * cellH + Math.max(0, (cellH - s.height) >> 1));
      }
    }
    rule(form, Array.from({ length: 7 }, (_, r) => 8 + r * cellH), Array.from({ length: 5 }, (_, c) => 8 + c * cellW));
    expect(outcome(raw(noisy(form, new Rng(2))))).toBe('whole-form');
  });

  it.skipIf(!existsSync(SHEET))('a real registration sheet photo is "whole-form" (skipped: ../shared/datasets/registration-sheets absent)', async () => {
    const img = await decodeImage(SHEET);
    expect(outcome(img)).toBe('whole-form');
    // The error carries the code and a sentence for the user, and is a 422 UserError.
    try {
      preprocess(img, CFG);
    } catch (e) {
      expect(e).toBeInstanceOf(NoSignatureError);
      expect((e as NoSignatureError).status).toBe(422);
      expect((e as Error).message).toMatch(/whole form/);
    }
  });
});

describe('clean scans: a tight crop, one sprawling stroke, words of a name', () => {
  const located = (p: GrayImage) => {
    const found = locateSignature(p, 128);
    if ('refused' in found) throw new Error(`refused: ${found.refused}`);
    return found.box;
  };

  it('keeps the first letters that a tight crop\'s edge cuts, and leaves them out of a loose crop', () => {
    const tight = page(300, 100, 255);
    word(tight, 60, 2, 239, 95); // the name, out to the right edge
    word(tight, 0, 25, 30, 50); // its initial, cut by the left edge
    const box = located(tight);
    expect(box.x).toBe(0);
    expect(box.x + box.width).toBe(300);
    // Paper between the name and the right edge: a loose crop, and the piece at the left edge stays a neighbour's.
    const loose = page(300, 100, 255);
    word(loose, 60, 2, 200, 95);
    word(loose, 0, 25, 30, 50);
    expect(located(loose).x).toBeGreaterThanOrEqual(59);
  });

  it('takes one thin stroke across the whole image for the signature, not for a frame; a frame corner is still one', () => {
    const p = page(300, 120, 255);
    for (let x = 0; x < 300; x++) {
      const y = Math.round(60 + 58.5 * Math.sin((x / 300) * 3 * Math.PI));
      for (let d = -1; d <= 1; d++) if (y + d >= 0 && y + d < 120) p.data[(y + d) * 300 + x] = 30;
    }
    const box = located(p);
    expect(box.width).toBeGreaterThanOrEqual(295);
    expect(box.height).toBeGreaterThanOrEqual(110);
    const corner = page(300, 120, 255);
    for (let x = 0; x < 200; x++) corner.data[x] = corner.data[300 + x] = 40; // top arm
    for (let y = 0; y < 100; y++) corner.data[y * 300] = corner.data[y * 300 + 1] = 40; // left arm
    word(corner, 90, 40, 120, 40);
    expect(located(corner).x).toBeGreaterThanOrEqual(88);
  });

  it('reads a first name and a surname on one line as one signature; two signatures far apart stay two', () => {
    const name = page(420, 120, 255);
    word(name, 20, 40, 150, 40);
    word(name, 230, 40, 150, 40); // 1.5 writing heights after the first word
    const box = located(name);
    expect(box.x).toBeLessThanOrEqual(21);
    expect(box.x + box.width).toBeGreaterThanOrEqual(380);
    const two = page(560, 120, 255);
    word(two, 20, 40, 150, 40);
    word(two, 330, 40, 150, 40); // 4 writing heights apart
    const found = locateSignature(two, 128);
    expect('refused' in found ? found.refused : 'found').toBe('several-signatures');
  });

  const FORGERIES = resolve('../shared/datasets/signature-forgeries');
  it.skipIf(!existsSync(FORGERIES))('keeps the whole signature of clean scans the locator used to cut or refuse (skipped: ../shared/datasets/signature-forgeries absent)', async () => {
    // A name in two words (was "several-signatures"), one sprawling stroke (was "no-ink": taken for a frame),
    // a tight crop whose edges cut the initial and a descender.
    for (const f of ['017/genuine/1.png', '028/genuine/9.png', '051/genuine/10.png', '004/forged/7.png']) {
      const img = await decodeImage(resolve(FORGERIES, f));
      const box = preprocessSignature(img, CFG).box!;
      const all = preprocessSignature(img, CFG, { locate: false }).box!;
      expect(box.width * box.height, f).toBeGreaterThanOrEqual(0.9 * all.width * all.height);
    }
  });
});
