// A smooth random displacement field: random vectors on a coarse grid, interpolated with a C1 smoothstep.
// The synthesiser bends pen paths with it; augmentation bends images with it (see resample.ts).
import type { Rng } from '@sig/shared';

/** Smooth random displacement over the rectangle [x0, x0 + width] × [y0, y0 + height]. */
export class ElasticField {
  private readonly dx: Float64Array;
  private readonly dy: Float64Array;

  /**
   * `cols` × `rows` grid nodes (≥ 2 each) with displacements ~ N(0, amplitude²) per axis; larger grids give
   * more local wobble, smaller ones a gentle bend.
   */
  constructor(
    rng: Rng,
    readonly x0: number,
    readonly y0: number,
    readonly width: number,
    readonly height: number,
    readonly cols: number,
    readonly rows: number,
    amplitude: number,
  ) {
    if (cols < 2 || rows < 2) throw new Error('ElasticField needs at least a 2×2 grid');
    this.dx = new Float64Array(cols * rows);
    this.dy = new Float64Array(cols * rows);
    for (let i = 0; i < cols * rows; i++) {
      this.dx[i] = rng.normal(0, amplitude);
      this.dy[i] = rng.normal(0, amplitude);
    }
  }

  /** Displacement at (x, y), written into `out`; points outside the rectangle use the nearest edge. */
  at(x: number, y: number, out: { x: number; y: number }): void {
    const gx = clamp(((x - this.x0) / (this.width || 1)) * (this.cols - 1), 0, this.cols - 1);
    const gy = clamp(((y - this.y0) / (this.height || 1)) * (this.rows - 1), 0, this.rows - 1);
    const i = Math.min(Math.floor(gx), this.cols - 2);
    const j = Math.min(Math.floor(gy), this.rows - 2);
    const u = smooth(gx - i);
    const v = smooth(gy - j);
    const k = j * this.cols + i;
    const w00 = (1 - u) * (1 - v), w10 = u * (1 - v), w01 = (1 - u) * v, w11 = u * v;
    const c = this.cols;
    out.x = w00 * this.dx[k] + w10 * this.dx[k + 1] + w01 * this.dx[k + c] + w11 * this.dx[k + c + 1];
    out.y = w00 * this.dy[k] + w10 * this.dy[k + 1] + w01 * this.dy[k + c] + w11 * this.dy[k + c + 1];
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

function smooth(t: number): number {
  return t * t * (3 - 2 * t);
}
