import { describe, expect, it } from 'vitest';
import { Rng, type GrayImage } from '@sig/shared';
import { lineAt } from '../apps/trainer/src/ingest/ruled-lines.ts';
import { detectGrid } from '../apps/trainer/src/ingest/sheet-grid.ts';

const W = 800;
const H = 1000;
const ROWS = 12;
/** Truth: horizontal line k at x is y = 40 + 75k + slopeH(k)·x (slope varies with k: perspective). */
const slopeH = (k: number): number => Math.tan((1.2 * Math.PI) / 180) + 0.0004 * (k - 6);
const yAt = (k: number, x: number): number => 40 + 75 * k + slopeH(k) * x;
/** Vertical line j: x = X0[j] + slopeV(j)·y (rotation makes it lean the other way). */
const X0 = [30, 100, 270, 440, 610, 780];
const slopeV = (j: number): number => -Math.tan((1.2 * Math.PI) / 180) + 0.0005 * (j - 3);
const xAt = (j: number, y: number): number => X0[j] + slopeV(j) * y;

/** A ruled sheet with a known skew, scribbles in the cells (long strokes too) and noise. */
function syntheticSheet(seed: number): GrayImage {
  const rng = new Rng(seed);
  const data = new Uint8ClampedArray(W * H);
  for (let i = 0; i < data.length; i++) data[i] = 225 + rng.int(25);
  const dot = (x: number, y: number, v: number): void => {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi >= 0 && yi >= 0 && xi < W && yi < H) data[yi * W + xi] = Math.min(data[yi * W + xi], v);
  };
  // Ruling: 2 px thick, grey like a photographed print.
  for (let k = 0; k <= ROWS; k++) for (let x = 0; x < W; x++) for (let t = 0; t < 2; t++) dot(x, yAt(k, x) + t - 0.5, 80);
  for (let j = 0; j < X0.length; j++) for (let y = 0; y < H; y++) for (let t = 0; t < 2; t++) dot(xAt(j, y) + t - 0.5, y, 80);
  // Handwriting: loops and a near-horizontal underline of random length and height in every signature cell.
  for (let r = 0; r < ROWS; r++)
    for (let c = 1; c <= 4; c++) {
      const cx = (X0[c] + X0[c + 1]) / 2 + rng.uniform(-20, 20);
      const cy = 40 + 75 * r + 37 + slopeH(r) * cx + rng.uniform(-8, 8);
      for (let a = 0; a < 2 * Math.PI * 3; a += 0.01) dot(cx - 40 + 45 * Math.cos(a) + 5 * a, cy + 18 * Math.sin(1.7 * a), 40);
      const len = rng.uniform(40, 110);
      const uy = cy + rng.uniform(10, 25);
      for (let x = -len / 2; x < len / 2; x++) (dot(cx + x, uy + x * 0.03, 40), dot(cx + x, uy + 1 + x * 0.03, 40));
    }
  return { width: W, height: H, data };
}

describe('sheet grid detector', () => {
  it('finds every row and column line of a skewed ruled sheet at its known position and tilt', () => {
    const grid = detectGrid(syntheticSheet(1), { threshold: 128 });
    expect(grid.horizontal).toHaveLength(ROWS + 1);
    expect(grid.vertical).toHaveLength(X0.length);
    expect(grid.rows).toHaveLength(ROWS);
    expect(grid.rows.every((cells) => cells.length === 5)).toBe(true);
    for (let k = 0; k <= ROWS; k++)
      for (const x of [50, 400, 750]) expect(Math.abs(lineAt(grid.horizontal[k], x) - yAt(k, x))).toBeLessThan(1.5);
    for (let j = 0; j < X0.length; j++)
      for (const y of [60, 500, 950]) expect(Math.abs(lineAt(grid.vertical[j], y) - xAt(j, y))).toBeLessThan(1.5);
    // Cell corners are the intersections of the tilted lines.
    const c = grid.rows[5][2].bottomRight;
    expect(Math.abs(c.y - yAt(6, c.x))).toBeLessThan(1.5);
    expect(Math.abs(c.x - xAt(3, c.y))).toBeLessThan(1.5);
  });

  it('places the table edge at the image border when the photo cut the left border and top line off', () => {
    const full = syntheticSheet(2);
    // Cut away the left 60 px (left border gone) and the top 70 px (top line gone).
    const dx = 60;
    const dy = 70;
    const w = W - dx;
    const h = H - dy;
    const data = new Uint8ClampedArray(w * h);
    for (let y = 0; y < h; y++) data.set(full.data.subarray((y + dy) * W + dx, (y + dy) * W + W), y * w);
    const grid = detectGrid({ width: w, height: h, data }, { threshold: 128 });
    expect(grid.vertical).toHaveLength(6);
    expect(grid.inferred.vertical).toBeGreaterThanOrEqual(1);
    expect(lineAt(grid.vertical[0], h / 2)).toBeLessThan(1);
    expect(Math.abs(lineAt(grid.vertical[1], 500 - dy) - (xAt(1, 500) - dx))).toBeLessThan(1.5);
    // Row 0 lost its top line (it was at y ≈ 40–57 before the cut): it is inferred one pitch above line 1.
    expect(grid.rows).toHaveLength(ROWS);
    expect(grid.inferred.horizontal).toBeGreaterThanOrEqual(1);
    expect(Math.abs(lineAt(grid.horizontal[1], 400) - (yAt(1, 400 + dx) - dy))).toBeLessThan(1.5);
  });

  it('finds no table on a sheet without ruling', () => {
    const rng = new Rng(3);
    const data = new Uint8ClampedArray(400 * 300);
    for (let i = 0; i < data.length; i++) data[i] = 220 + rng.int(30);
    expect(detectGrid({ width: 400, height: 300, data }, { threshold: 128 }).rows).toHaveLength(0);
  });
});
