// A synthetic skilled forgery: writer B imitating writer A's signature. The forger copies A's design (text,
// letter shapes, layout, flourish) but writes with B's hand: B's pen, pressure and ink, a slant, tilt and size
// drawn part-way from A's towards B's habits, tremor (slow, careful strokes wobble), and hesitation (more pen
// lifts, less consistent shape). What a skilled forgery keeps and loses follows the forensic literature:
// shape is kept, fluency is not.
import type { GrayImage, Rng } from '@sig/shared';
import { renderSample } from './render.ts';
import type { DesignStroke, WriterDesign, WriterStyle } from './writer.ts';

/** Moves `a` a share `t` of the way to `b`. */
const towards = (a: number, b: number, t: number): number => a + (b - a) * t;

/** Inserts a point between each pair of control points and shakes all of them: the tremor of a slow pen. */
function tremble(s: DesignStroke, rng: Rng, amount: number): DesignStroke {
  if (s.kind === 'dot') return s;
  const pts: number[] = [];
  const breaks: number[] = [];
  const n = s.pts.length / 2;
  for (let i = 0; i < n; i++) {
    pts.push(s.pts[2 * i] + rng.normal(0, amount), s.pts[2 * i + 1] + rng.normal(0, amount));
    if (i + 1 < n) {
      pts.push((s.pts[2 * i] + s.pts[2 * i + 2]) / 2 + rng.normal(0, amount * 1.5), (s.pts[2 * i + 1] + s.pts[2 * i + 3]) / 2 + rng.normal(0, amount * 1.5));
    }
    if (s.breaks.includes(i)) breaks.push(pts.length / 2 - (i + 1 < n ? 2 : 1));
  }
  return { pts, kind: s.kind, breaks };
}

/** The design B writes when imitating A: A's strokes with B's hand (see the file header). Uses only `rng`. */
export function forgedDesign(a: WriterDesign, b: WriterStyle, rng: Rng): WriterDesign {
  const s = a.style;
  const drift = rng.uniform(0.15, 0.5); // how much of B's own habit shows through
  const style: WriterStyle = {
    ...s,
    slant: towards(s.slant, b.slant, drift) + rng.normal(0, 0.05),
    tilt: towards(s.tilt, b.tilt, drift) + rng.normal(0, 0.02),
    aspect: towards(s.aspect, b.aspect, drift) * rng.uniform(0.92, 1.08),
    xHeightPx: s.xHeightPx * rng.uniform(0.88, 1.12),
    penRadius: b.penRadius,
    pressure: Math.min(0.5, b.pressure * rng.uniform(0.5, 1.0)), // careful, even pressure
    ink: b.ink,
    paper: b.paper,
    jitter: Math.max(s.jitter, b.jitter) * rng.uniform(1.2, 1.8),
    elastic: s.elastic * rng.uniform(1.2, 1.8),
    penLift: Math.min(1, s.penLift + rng.uniform(0.3, 0.8)), // hesitation: the forger stops to look
  };
  const tremor = rng.uniform(0.015, 0.04);
  // A forger imitates the flourish least well: it is fast and hard to copy.
  const strokes = a.strokes.map((st) => tremble(st, rng, st.kind === 'flourish' ? tremor * 2.5 : tremor));
  return { style, strokes };
}

/** Renders one forgery of `a` by a writer with style `b`. */
export function renderForgery(a: WriterDesign, b: WriterStyle, rng: Rng): GrayImage {
  return renderSample(forgedDesign(a, b, rng), rng);
}
