// A signature cut from a sheet photo the way a person at a desk would: the cell's window grown into the
// neighbouring cells (their grid lines and ink included), shifted (never past the photo's edge), sometimes
// clipping the signature's own edge, at the photo's resolution or upscaled, slightly rotated and keystoned,
// with other brightness and contrast. The JPEG step is the caller's (it needs an encoder). Deterministic
// for a given Rng.
import type { RawImage, Rng } from '@sig/shared';

/** Inclusive-exclusive pixel bounds in the sheet. */
export interface Bounds {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** How rough the capture is; the defaults are issue 20's. */
export interface RoughCaptureOptions {
  /** The window grows by this fraction of the cell's size, drawn uniformly, split at random between the two sides. */
  grow?: [number, number];
  /** Chance that one window edge is moved in to clip the signature's ink, and the most it clips (fraction of the ink's extent). */
  clipChance?: number;
  clipMax?: number;
  /** Chance of an upscaled capture, and the scale range then (else 1×). */
  upscaleChance?: number;
  upscale?: [number, number];
  /** Largest rotation in degrees and keystone (corner shift as a fraction of the window). */
  rotateDeg?: number;
  keystone?: number;
  /** Contrast factor and brightness offset ranges (grey levels). */
  contrast?: [number, number];
  brightness?: [number, number];
}

/** What was drawn for one capture, for the report. */
export interface RoughCaptureInfo {
  window: Bounds;
  scale: number;
  clipped: 'left' | 'right' | 'top' | 'bottom' | null;
  rotateDeg: number;
  contrast: number;
  brightness: number;
}

/**
 * Cuts the cell `cell` (the table cell, lines included) holding ink `ink` out of `sheet` (RGB or grey),
 * roughly; see the file header.
 */
export function roughCapture(sheet: RawImage, cell: Bounds, ink: Bounds, rng: Rng, o: RoughCaptureOptions = {}): { image: RawImage; info: RoughCaptureInfo } {
  const [g0, g1] = o.grow ?? [0.2, 0.6];
  const cw = cell.x1 - cell.x0;
  const ch = cell.y1 - cell.y0;
  const gx = rng.uniform(g0, g1) * cw;
  const gy = rng.uniform(g0, g1) * ch;
  const ux = rng.next();
  const uy = rng.next();
  const win = { x0: cell.x0 - gx * ux, x1: cell.x1 + gx * (1 - ux), y0: cell.y0 - gy * uy, y1: cell.y1 + gy * (1 - uy) };
  // A person crops the photo they have: a window reaching past its edge is moved back inside (the cell stays
  // in it). Sampling past the edge would smear the photo's last row or column into stripes no camera makes.
  [win.x0, win.x1] = inside(win.x0, win.x1, sheet.width);
  [win.y0, win.y1] = inside(win.y0, win.y1, sheet.height);
  let clipped: RoughCaptureInfo['clipped'] = null;
  if (rng.next() < (o.clipChance ?? 0.3)) {
    const cut = rng.uniform(0.02, o.clipMax ?? 0.1);
    const iw = ink.x1 - ink.x0;
    const ih = ink.y1 - ink.y0;
    clipped = (['left', 'right', 'top', 'bottom'] as const)[rng.int(4)];
    if (clipped === 'left') win.x0 = ink.x0 + cut * iw;
    else if (clipped === 'right') win.x1 = ink.x1 - cut * iw;
    else if (clipped === 'top') win.y0 = ink.y0 + cut * ih;
    else win.y1 = ink.y1 - cut * ih;
  }
  const [s0, s1] = o.upscale ?? [2, 4];
  const scale = rng.next() < (o.upscaleChance ?? 0.5) ? rng.uniform(s0, s1) : 1;
  const maxRot = o.rotateDeg ?? 2;
  const rot = rng.uniform(-maxRot, maxRot);
  const ks = o.keystone ?? 0.03;
  const [c0, c1] = o.contrast ?? [0.7, 1.1];
  const [b0, b1] = o.brightness ?? [-40, 15];
  const contrast = rng.uniform(c0, c1);
  const brightness = rng.uniform(b0, b1);
  const ww = win.x1 - win.x0;
  const wh = win.y1 - win.y0;
  // Source position of each output corner: the window's corners, each moved a little (keystone), then the
  // whole turned about the window's centre (a tilted phone).
  const corners = [
    [win.x0, win.y0],
    [win.x1, win.y0],
    [win.x0, win.y1],
    [win.x1, win.y1],
  ].map(([x, y]) => [x + rng.uniform(-ks, ks) * ww, y + rng.uniform(-ks, ks) * wh]);
  const cx = (win.x0 + win.x1) / 2;
  const cy = (win.y0 + win.y1) / 2;
  const a = (rot * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const turned = corners.map(([x, y]) => [cx + (x - cx) * cos - (y - cy) * sin, cy + (x - cx) * sin + (y - cy) * cos]);
  const width = Math.max(8, Math.round(ww * scale));
  const height = Math.max(8, Math.round(wh * scale));
  const image = warp(sheet, turned, width, height, contrast, brightness);
  const window = { x0: Math.round(win.x0), y0: Math.round(win.y0), x1: Math.round(win.x1), y1: Math.round(win.y1) };
  return { image, info: { window, scale, clipped, rotateDeg: rot, contrast, brightness } };
}

/** The interval [a, b) moved to lie within [0, size) where it fits, else cut to it. */
function inside(a: number, b: number, size: number): [number, number] {
  if (a < 0) [a, b] = [0, b - a];
  if (b > size) [a, b] = [Math.max(0, a - (b - size)), size];
  return [a, b];
}

/**
 * Output pixel (u, v) samples the source bilinearly at the bilinear blend of the four source corners
 * (top-left, top-right, bottom-left, bottom-right); outside the sheet is its nearest edge. Then contrast
 * about mid-grey and a brightness offset.
 */
function warp(src: RawImage, q: number[][], width: number, height: number, contrast: number, brightness: number): RawImage {
  const ch = src.channels;
  const out = new Uint8ClampedArray(width * height * ch);
  const { width: sw, height: sh, data } = src;
  for (let v = 0; v < height; v++) {
    const fy = (v + 0.5) / height;
    const lx = q[0][0] + (q[2][0] - q[0][0]) * fy;
    const ly = q[0][1] + (q[2][1] - q[0][1]) * fy;
    const rx = q[1][0] + (q[3][0] - q[1][0]) * fy;
    const ry = q[1][1] + (q[3][1] - q[1][1]) * fy;
    for (let u = 0; u < width; u++) {
      const fx = (u + 0.5) / width;
      const x = Math.min(sw - 1, Math.max(0, lx + (rx - lx) * fx - 0.5));
      const y = Math.min(sh - 1, Math.max(0, ly + (ry - ly) * fx - 0.5));
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      const x1 = Math.min(sw - 1, x0 + 1);
      const y1 = Math.min(sh - 1, y0 + 1);
      const wx = x - x0;
      const wy = y - y0;
      for (let c = 0; c < ch; c++) {
        const p00 = data[(y0 * sw + x0) * ch + c];
        const p10 = data[(y0 * sw + x1) * ch + c];
        const p01 = data[(y1 * sw + x0) * ch + c];
        const p11 = data[(y1 * sw + x1) * ch + c];
        const val = (p00 * (1 - wx) + p10 * wx) * (1 - wy) + (p01 * (1 - wx) + p11 * wx) * wy;
        out[(v * width + u) * ch + c] = (val - 128) * contrast + 128 + brightness;
      }
    }
  }
  return { width, height, channels: ch, data: out };
}
