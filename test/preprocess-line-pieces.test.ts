// The locator's leftover-line eraser (packages/shared/src/preprocess/line-pieces.ts): grid lines that line
// removal left in a rough capture (ending at a missed cell edge a little short of the border, faint, tilted
// by a keystoned photo) are erased piece by piece, strokes crossing them kept; a signature's own straight
// strokes and underlines, which stop short of a border, are not touched.
import { describe, expect, it } from 'vitest';
import type { GrayImage } from '@sig/shared';
import { eraseLinePieces } from '../packages/shared/src/preprocess/line-pieces.ts';

const page = (w: number, h: number): GrayImage => ({ width: w, height: h, data: new Uint8ClampedArray(w * h).fill(240) });
const set = (g: GrayImage, x: number, y: number, v: number) => {
  if (x >= 0 && x < g.width && y >= 0 && y < g.height) g.data[y * g.width + x] = Math.min(g.data[y * g.width + x], v);
};
/** A line y = y0 + s·x (or x = y0 + s·y when vertical), `th` px thick, grey `v`, from u0 to u1 along it. */
function line(g: GrayImage, horizontal: boolean, y0: number, s: number, u0: number, u1: number, th = 2, v = 90): void {
  for (let u = u0; u <= u1; u++) for (let t = 0; t < th; t++) {
    const c = Math.round(y0 + s * u) + t;
    if (horizontal) set(g, u, c, v);
    else set(g, c, u, v);
  }
}
const inkAt = (g: GrayImage, x: number, y: number) => g.data[y * g.width + x] <= 128;

describe('eraseLinePieces', () => {
  it('erases a tilted, faint grid line that stops short of one border, and keeps a stroke crossing it', () => {
    const g = page(400, 200);
    // A horizontal line ending at x = 385 (a missed cell edge near the right border), faint (grey 170).
    line(g, true, 150, 0.03, 0, 385, 2, 170);
    // A vertical line tilted 4.5° (keystone), border to border.
    line(g, false, 60, 0.08, 0, 199, 2);
    // A pen stroke crossing the horizontal line.
    for (let y = 120; y < 190; y++) for (let t = 0; t < 3; t++) set(g, 200 + t, y, 40);
    const { image, lines } = eraseLinePieces(g, 128);
    expect(lines.map((l) => l.horizontal).sort()).toEqual([false, true]);
    const h = lines.find((l) => l.horizontal)!;
    expect(Math.abs(h.a - 150.5)).toBeLessThan(1.5);
    expect(h.b).toBeCloseTo(0.03, 2);
    expect(image.data[Math.round(150 + 0.03 * 100) * 400 + 100]).toBe(255);
    expect(image.data[Math.round(60 + 0.08 * 100) + 100 * 400]).toBe(255);
    // The crossing stroke survives, above, below and through the line.
    for (const y of [125, 156, 185]) expect(inkAt(image, 201, y), `y ${y}`).toBe(true);
  });

  it('leaves a signature\'s underline and a straight stroke that touches one border alone', () => {
    const g = page(300, 100);
    line(g, true, 80, 0.01, 20, 280, 2, 40); // underline: 87 % of the width, short of both borders
    line(g, false, 250, 0.02, 0, 70, 3, 40); // a straight downstroke from the top border
    line(g, true, 40, 0, 0, 200, 2, 40); // a long flat stroke from the left border
    const { image, lines } = eraseLinePieces(g, 128);
    expect(lines).toEqual([]);
    expect(image).toBe(g);
  });
});
