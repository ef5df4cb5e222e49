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

  /**
   * The field at every pixel centre (x + 0.5, y + 0.5) of a width × height image, as two row-major arrays.
   * Same values as `at`, but the interpolation weights are computed once per column and row.
   */
  atPixels(width: number, height: number): { dx: Float32Array; dy: Float32Array } {
    const axis = (n: number, origin: number, extent: number, nodes: number): { i: Int32Array; t: Float64Array } => {
      const i = new Int32Array(n), t = new Float64Array(n);
      for (let p = 0; p < n; p++) {
        const g = clamp(((p + 0.5 - origin) / (extent || 1)) * (nodes - 1), 0, nodes - 1);
        i[p] = Math.min(Math.floor(g), nodes - 2);
        t[p] = smooth(g - i[p]);
      }
      return { i, t };
    };
    const ax = axis(width, this.x0, this.width, this.cols);
    const ay = axis(height, this.y0, this.height, this.rows);
    const dx = new Float32Array(width * height), dy = new Float32Array(width * height);
    const c = this.cols;
    for (let y = 0; y < height; y++) {
      const v = ay.t[y], row = ay.i[y] * c;
      for (let x = 0; x < width; x++) {
        const u = ax.t[x], k = row + ax.i[x];
        const w00 = (1 - u) * (1 - v), w10 = u * (1 - v), w01 = (1 - u) * v, w11 = u * v;
        const o = y * width + x;
        dx[o] = w00 * this.dx[k] + w10 * this.dx[k + 1] + w01 * this.dx[k + c] + w11 * this.dx[k + c + 1];
        dy[o] = w00 * this.dy[k] + w10 * this.dy[k + 1] + w01 * this.dy[k + c] + w11 * this.dy[k + c + 1];
      }
    }
    return { dx, dy };
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

function smooth(t: number): number {
  return t * t * (3 - 2 * t);
}
