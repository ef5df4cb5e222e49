import { describe, expect, it } from 'vitest';
import { removeRuledLines, type GrayImage } from '@sig/shared';
import { innerBox } from '../apps/trainer/src/ingest/cell-crop.ts';
import { detectGrid } from '../apps/trainer/src/ingest/sheet-grid.ts';
import { CELL_INSET, cropSignature } from '../apps/trainer/src/ingest/signature-crop.ts';
import { assignOwners, labelStrokes } from '../apps/trainer/src/ingest/stroke-ownership.ts';

const W = 600;
const H = 290;
const ROW_Y = [20, 140, 260];
const COL_X = [10, 60, 190, 320, 450, 580];

/** Two table rows; the first row's first signature has a long loop hanging into the cell below. */
function sheet(): GrayImage {
  const data = new Uint8ClampedArray(W * H).fill(240);
  const dot = (x: number, y: number): void => {
    for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) data[(Math.round(y) + dy) * W + Math.round(x) + dx] = 30;
  };
  for (const y of ROW_Y) for (let x = 0; x < W; x++) data[y * W + x] = data[(y + 1) * W + x] = 70;
  for (const x of COL_X) for (let y = 0; y < H; y++) data[y * W + x] = data[y * W + x + 1] = 70;
  // Row 1, cell 1: a word-like zigzag, then a descender loop down to y ≈ 187 (45 px into row 2).
  for (let x = 80; x < 170; x += 0.2) dot(x, 80 + 15 * Math.sin(x / 6));
  for (let y = 80; y < 175; y++) dot(120, y);
  for (let a = 0; a < Math.PI; a += 0.01) dot(120 - 20 + 20 * Math.cos(a), 175 + 12 * Math.sin(a));
  for (let y = 100; y < 175; y++) dot(80, y);
  // Row 2, cell 1: a short mark far from the loop.
  for (let x = 150; x < 175; x++) dot(x, 230);
  return { width: W, height: H, data };
}

function inkCount(img: GrayImage): number {
  let n = 0;
  for (const v of img.data) if (v < 128) n++;
  return n;
}

describe('stroke ownership', () => {
  it('follows a signature into the cell below and keeps it out of that cell', () => {
    const gray = sheet();
    const grid = detectGrid(gray, { threshold: 128 });
    expect(grid.rows).toHaveLength(2);
    const clean = removeRuledLines(gray, { threshold: 128 });
    const boxes = grid.rows.flat().map((q) => innerBox(q, CELL_INSET, W, H));
    const strokes = labelStrokes(clean, 128, grid);
    const owner = assignOwners(strokes, boxes);
    const crop = (r: number) => cropSignature(clean, grid.rows[r][1], 128, { ink: strokes, owner, cellIndex: r * 5 + 1 });
    const upper = crop(0);
    const lower = crop(1);
    // The upper crop reaches down to the loop's bottom (y ≈ 188), beyond its cell (which ends at y ≈ 137).
    expect(upper.image.height).toBeGreaterThan(140 - ROW_Y[0]);
    // The lower crop holds only the short mark (25 px long, 2 px thick), not the loop.
    expect(lower.image.height).toBeLessThan(20);
    expect(inkCount(lower.image)).toBeLessThan(70);
    // Without ownership the lower cell would show the loop's end too.
    const naive = cropSignature(clean, grid.rows[1][1], 128);
    expect(naive.image.height).toBeGreaterThan(40);
  });
});
