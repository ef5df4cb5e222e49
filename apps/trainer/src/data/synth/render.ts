// One sample of a synthetic writer: the writer's design with this sample's natural variation (control-point
// jitter, elastic bend, small affine, pen lifts, pressure), rasterised as anti-aliased ink on paper.
import type { GrayImage, Rng } from '@sig/shared';
import { applyAffine, compose, randomAffine, scale } from '../warp/affine.ts';
import { ElasticField } from '../warp/elastic.ts';
import { arcPositions, catmullRom } from '../raster/spline.ts';
import { drawStroke, newCoverage } from '../raster/stroke.ts';
import { writerAffine, type DesignStroke, type WriterDesign } from './writer.ts';

/** Per-sample affine bounds: about ±3° rotation, ±6 % scale, a little shear and aspect change. */
const SAMPLE_AFFINE = { rotate: 0.05, scale: 0.06, aspect: 0.06, shear: 0.08 };

/** Renders sample number `rng`'s variation of `design` as an 8-bit grayscale image (paper white, ink dark). */
export function renderSample(design: WriterDesign, rng: Rng): GrayImage {
  const { style } = design;
  const { strokes, kinds } = vary(design, rng);

  // Geometry: units → writer's slant/tilt/aspect → this sample's small affine → pixels (y down).
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const s of strokes) for (let i = 0; i < s.length; i += 2) {
    minX = Math.min(minX, s[i]); maxX = Math.max(maxX, s[i]); minY = Math.min(minY, s[i + 1]); maxY = Math.max(maxY, s[i + 1]);
  }
  const m = compose(
    scale(style.xHeightPx, -style.xHeightPx),
    compose(randomAffine(rng, SAMPLE_AFFINE, (minX + maxX) / 2, (minY + maxY) / 2), writerAffine(style)),
  );
  const q = { x: 0, y: 0 };
  const px = strokes.map((s) => {
    const o = new Float64Array(s.length);
    for (let i = 0; i < s.length; i += 2) {
      applyAffine(m, s[i], s[i + 1], q);
      o[i] = q.x;
      o[i + 1] = q.y;
    }
    return o;
  });

  // Canvas: the ink's box plus random margins, at least the size of a small form cell.
  let bx0 = Infinity, by0 = Infinity, bx1 = -Infinity, by1 = -Infinity;
  for (const s of px) for (let i = 0; i < s.length; i += 2) {
    bx0 = Math.min(bx0, s[i]); bx1 = Math.max(bx1, s[i]); by0 = Math.min(by0, s[i + 1]); by1 = Math.max(by1, s[i + 1]);
  }
  const pad = style.penRadius + 2;
  const inkW = bx1 - bx0 + 2 * pad, inkH = by1 - by0 + 2 * pad;
  const width = Math.ceil(Math.max(250, inkW + rng.uniform(16, 48)));
  const height = Math.ceil(Math.max(80, inkH + rng.uniform(10, 30)));
  const ox = (width - inkW) * rng.uniform(0.3, 0.7) - bx0 + pad;
  const oy = (height - inkH) * rng.uniform(0.3, 0.7) - by0 + pad;

  const cov = newCoverage(width, height);
  const r0 = style.penRadius * rng.uniform(0.9, 1.1);
  const phase = [rng.uniform(0, 6.283), rng.uniform(0, 6.283)];
  const wave = [rng.uniform(50, 120), rng.uniform(15, 35)];
  for (let k = 0; k < px.length; k++) {
    const s = px[k];
    const xs: number[] = [], ys: number[] = [];
    for (let i = 0; i < s.length; i += 2) { xs.push(s[i] + ox); ys.push(s[i + 1] + oy); }
    const path = catmullRom(xs, ys, 0.6);
    const n = path.xs.length;
    const rad = new Float64Array(n), alpha = new Float64Array(n);
    const dot = kinds[k] === 'dot';
    const pos = arcPositions(path);
    let len = 0;
    for (let i = 1; i < n; i++) len += Math.hypot(path.xs[i] - path.xs[i - 1], path.ys[i] - path.ys[i - 1]);
    for (let i = 0; i < n; i++) {
      if (dot) { rad[i] = r0 * 1.5; alpha[i] = 1; continue; }
      const d = pos[i] * len; // pixels from the stroke's start
      // Pressure: the pen lands and lifts lightly (thin ends) and presses unevenly along the way.
      const taper = Math.min(1, 0.45 + d / 8) * Math.min(1, 0.3 + (len - d) / 12);
      const p = 1 + style.pressure * (0.65 * Math.sin(d / wave[0] + phase[0] + k) + 0.35 * Math.sin(d / wave[1] + phase[1]));
      rad[i] = Math.max(0.35, r0 * taper * p);
      alpha[i] = Math.min(1, 0.78 + 0.22 * taper * p);
    }
    drawStroke(cov, path, rad, alpha);
  }
  return composite(cov.data, width, height, style.ink + rng.uniform(-8, 8), style.paper + rng.uniform(-4, 3), rng);
}

/** The design with this sample's jitter, elastic bend and optional pen lift, in units (y up). */
function vary(design: WriterDesign, rng: Rng): { strokes: number[][]; kinds: DesignStroke['kind'][] } {
  const { style, strokes } = design;
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const s of strokes) for (let i = 0; i < s.pts.length; i += 2) {
    minX = Math.min(minX, s.pts[i]); maxX = Math.max(maxX, s.pts[i]); minY = Math.min(minY, s.pts[i + 1]); maxY = Math.max(maxY, s.pts[i + 1]);
  }
  const cols = Math.max(2, Math.round((maxX - minX) / 1.5) + 1);
  const field = new ElasticField(rng, minX, minY, maxX - minX, maxY - minY, cols, 3, style.elastic);
  const d = { x: 0, y: 0 };
  const out: number[][] = [];
  const outKinds: DesignStroke['kind'][] = [];
  // One lift at most, at a join between letters.
  const chains = strokes.filter((s) => s.kind === 'chain' && s.breaks.length > 0);
  const lift = rng.next() < style.penLift && chains.length > 0 ? chains[rng.int(chains.length)] : null;
  const liftAt = lift ? lift.breaks[rng.int(lift.breaks.length)] : -1;
  for (const s of strokes) {
    // Flourishes are dashed off quickly and vary more than letters.
    const j = style.jitter * (s.kind === 'flourish' ? 2.5 : 1);
    const pts = s.pts.slice();
    for (let i = 0; i < pts.length; i += 2) {
      field.at(pts[i], pts[i + 1], d);
      pts[i] += d.x + rng.normal(0, j);
      pts[i + 1] += d.y + rng.normal(0, j);
    }
    if (s === lift) {
      out.push(pts.slice(0, 2 * (liftAt + 1)), pts.slice(2 * (liftAt + 1)));
      outKinds.push(s.kind, s.kind);
    } else {
      out.push(pts);
      outKinds.push(s.kind);
    }
  }
  return { strokes: out, kinds: outKinds };
}

/** Paper (base level, gentle shading, fine grain) with ink laid over it by coverage. */
function composite(cov: Float32Array, w: number, h: number, ink: number, paper: number, rng: Rng): GrayImage {
  const out = new Uint8ClampedArray(w * h);
  const gx = rng.uniform(-5, 5), gy = rng.uniform(-4, 4);
  for (let y = 0; y < h; y++) {
    const py = paper + gy * (y / h - 0.5);
    for (let x = 0; x < w; x++) {
      const k = y * w + x;
      // Cheap zero-mean grain: the sum of two uniforms (triangular), σ ≈ 1.6 gray levels.
      const grain = (rng.next() + rng.next() - 1) * 4;
      const pv = py + gx * (x / w - 0.5) + grain;
      out[k] = Math.round(pv - (pv - ink) * cov[k]);
    }
  }
  return { width: w, height: h, data: out };
}
