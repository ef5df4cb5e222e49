// A synthetic writer: a style (proportions, slant, size, pen, ink) and one signature design built from it,
// a pseudo-name of cursive glyphs plus a flourish. Every sample of the writer is a variation of this design.
import type { Rng } from '@sig/shared';
import { applyAffine, compose, rotate, scale, shearX, type Affine } from '../warp/affine.ts';
import { CAPITALS, CONSONANTS, LOWER, UPPER, VOWELS, type Glyph, type Proportions } from './glyphs.ts';

/** How the writer's signature is composed. */
export type Layout = 'name' | 'initial-name' | 'scrawl';
/** Stroke added after the name. */
export type Flourish = 'none' | 'underline' | 'tail-back' | 'tail-up' | 'strike' | 'double' | 'paraph' | 'encircle';

/** Everything that makes one writer's signatures theirs (stored in synth.json). */
export interface WriterStyle {
  name: string;
  layout: Layout;
  flourish: Flourish;
  trailingDot: boolean;
  proportions: Proportions;
  /** Horizontal shear (italic slant), x per y. */
  slant: number;
  /** Baseline tilt in radians (positive rises to the right). */
  tilt: number;
  /** Horizontal stretch of the whole signature. */
  aspect: number;
  /** Gap between joined letters, in x-heights. */
  spacing: number;
  /** How much letters shrink towards the end of the name (0: not at all). */
  decay: number;
  /** Pixels per x-height unit (set so the signature has the writer's target width). */
  xHeightPx: number;
  /** Pen radius in pixels. */
  penRadius: number;
  /** Relative variation of pen width along a stroke (pressure). */
  pressure: number;
  /** Gray level of the ink (0 black) and of the paper. */
  ink: number;
  paper: number;
  /** Per-sample variation: independent control-point jitter and smooth elastic bend, in x-heights. */
  jitter: number;
  elastic: number;
  /** Chance that a sample lifts the pen somewhere inside the joined name. */
  penLift: number;
}

/** A pen-down stroke of the design in x-height units, y up. */
export interface DesignStroke {
  pts: number[];
  kind: 'chain' | 'mark' | 'dot' | 'flourish';
  /** Point indices after which the writer may lift the pen (joins between letters). */
  breaks: number[];
}

export interface WriterDesign {
  style: WriterStyle;
  strokes: DesignStroke[];
}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[rng.int(items.length)];

/** Draws a new writer: style first, then the signature design. Uses only `rng`. */
export function drawWriter(rng: Rng): WriterDesign {
  const proportions: Proportions = {
    w: rng.uniform(0.65, 1.15),
    asc: rng.uniform(1.7, 2.8),
    desc: rng.uniform(0.8, 1.5),
    loop: rng.uniform(0.08, 0.35),
    cap: rng.uniform(1.8, 3.4),
  };
  const layout = pick<Layout>(rng, ['name', 'name', 'initial-name', 'scrawl']);
  const flourish = pick<Flourish>(rng, ['none', 'underline', 'underline', 'tail-back', 'tail-up', 'strike', 'double', 'paraph', 'encircle']);
  const style: WriterStyle = {
    name: pseudoName(rng, layout),
    layout,
    flourish,
    trailingDot: rng.next() < 0.25,
    proportions,
    slant: rng.uniform(-0.15, 0.55),
    tilt: (rng.uniform(-4, 9) * Math.PI) / 180,
    aspect: rng.uniform(0.8, 1.3),
    spacing: rng.uniform(-0.15, 0.25),
    decay: layout === 'scrawl' ? rng.uniform(0.4, 0.7) : rng.uniform(0, 0.35),
    xHeightPx: 0,
    penRadius: rng.uniform(0.9, 2.4),
    pressure: rng.uniform(0.1, 0.35),
    ink: rng.uniform(10, 70),
    paper: rng.uniform(232, 252),
    jitter: rng.uniform(0.02, 0.04),
    elastic: rng.uniform(0.05, 0.11),
    penLift: rng.uniform(0, 0.3),
  };
  const strokes = designStrokes(rng, style);
  // Size: the writer's signature spans a target width (real crops are ~200–450 px wide), within sane x-heights.
  const [minX, maxX, minY, maxY] = bounds(strokes, style);
  const target = rng.uniform(200, 380);
  let px = target / (maxX - minX);
  px = Math.min(px, 115 / (maxY - minY), 24);
  style.xHeightPx = Math.max(px, 6);
  return { style, strokes };
}

/** Letters of a pseudo-name, e.g. "Mabeni" or "K Tolar": a capital, then mostly alternating vowels/consonants. */
function pseudoName(rng: Rng, layout: Layout): string {
  const word = (min: number, max: number): string => {
    let vowel = rng.next() < 0.5;
    let s = pick(rng, CAPITALS);
    const n = min + rng.int(max - min + 1);
    for (let i = 0; i < n; i++) {
      s += pick(rng, vowel ? VOWELS : CONSONANTS);
      if (rng.next() < 0.8) vowel = !vowel;
    }
    return s;
  };
  if (layout === 'initial-name') return `${pick(rng, CAPITALS)} ${word(2, 6)}`;
  if (layout === 'scrawl') return word(2, 4);
  return word(3, 7);
}

/** Lays the name's glyphs out along the baseline and adds the flourish. */
function designStrokes(rng: Rng, style: WriterStyle): DesignStroke[] {
  const p = style.proportions;
  const out: DesignStroke[] = [];
  // Writer idiosyncrasy: every control point of this writer's design is nudged once, for good.
  const nudge = (pts: number[], k: number): number[] => pts.map((v) => v + rng.normal(0, 0.05 * k));
  let x = 0;
  let chain: DesignStroke | null = null;
  const words = style.name.split(' ');
  words.forEach((word, wi) => {
    if (wi > 0) {
      x += rng.uniform(0.5, 1.0); // gap between initial and surname
      chain = null;
      if (rng.next() < 0.6) out.push({ pts: [x - 0.3, 0.05, x - 0.27, 0.08], kind: 'dot', breaks: [] });
    }
    const letters = [...word];
    letters.forEach((ch, li) => {
      const isCap = li === 0;
      // Later letters shrink (signatures trail off); capitals of second words are smaller.
      const f = isCap ? (wi > 0 || words.length === 1 ? 1 : 0.8) : 1 - (style.decay * li) / Math.max(1, letters.length - 1);
      const glyph: Glyph = isCap ? UPPER[ch](p) : LOWER[ch]({ ...p, w: p.w * (0.85 + 0.15 * f) });
      const place = (pts: number[]): number[] => nudge(pts.map((v, i) => (i % 2 === 0 ? v + x : v * f)), 1);
      const main = place(glyph.main);
      if (chain && !isCap) {
        chain.breaks.push(chain.pts.length / 2 - 1);
        chain.pts.push(...main.slice(2)); // skip the entry point: the previous exit leads in
      } else {
        chain = { pts: main, kind: 'chain', breaks: [] };
        out.push(chain);
      }
      for (const e of glyph.extra) out.push({ pts: place(e), kind: e.length <= 4 && isDot(e) ? 'dot' : 'mark', breaks: [] });
      if (!glyph.connects) chain = null;
      x += glyph.width + (isCap ? 0.05 : style.spacing);
    });
  });
  addFlourish(rng, style, out, chain);
  return out;
}

function isDot(pts: number[]): boolean {
  return Math.hypot(pts[2] - pts[0], pts[3] - pts[1]) < 0.1;
}

function addFlourish(rng: Rng, style: WriterStyle, out: DesignStroke[], last: DesignStroke | null): void {
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (const s of out) for (let i = 0; i < s.pts.length; i += 2) {
    minX = Math.min(minX, s.pts[i]);
    maxX = Math.max(maxX, s.pts[i]);
    minY = Math.min(minY, s.pts[i + 1]);
    maxY = Math.max(maxY, s.pts[i + 1]);
  }
  const mid = (minX + maxX) / 2;
  const yb = Math.min(minY, 0) - rng.uniform(0.25, 0.5);
  const u = (a: number, b: number): number => rng.uniform(a, b);
  const sep = (pts: number[]): void => void out.push({ pts, kind: 'flourish', breaks: [] });
  switch (style.flourish) {
    case 'underline':
      sep([minX - u(0, 0.5), yb + u(-0.1, 0.2), mid, yb - u(0, 0.2), maxX + u(0.2, 0.8), yb + u(0, 0.4)]);
      break;
    case 'strike':
      sep([minX - u(0.2, 0.6), u(-0.2, 0.4), mid, u(0.4, 0.9), maxX + u(0.2, 0.6), u(0.9, 1.6)]);
      break;
    case 'double': {
      const x0 = maxX - u(1, 2);
      sep([x0, yb + 0.25, maxX + 0.3, yb + 0.35]);
      sep([x0 + 0.1, yb - 0.05, maxX + 0.4, yb + 0.05]);
      break;
    }
    case 'paraph':
      sep([minX, yb + 0.1, maxX * 0.8, yb + 0.3, minX + u(0.3, 1), yb - 0.25, maxX + u(0.3, 0.8), yb - 0.1]);
      break;
    case 'tail-back':
    case 'tail-up': {
      const ex = last ? last.pts[last.pts.length - 2] : maxX;
      const tail = style.flourish === 'tail-up'
        ? [ex + u(0.5, 1), u(0.5, 0.9), ex + u(1.5, 2.5), u(1.2, 2)]
        : [ex + u(0.3, 0.6), -0.1, ex + u(0.2, 0.5), yb, mid, yb - u(0.1, 0.3), minX - u(0.2, 0.6), yb + u(0.1, 0.4)];
      if (last) last.pts.push(...tail);
      else sep([maxX, 0.2, ...tail]);
      break;
    }
    case 'encircle': {
      // An oval drawn round the name (or its start), a little more than one turn, like a seal.
      const cx = minX + (maxX - minX) * u(0.25, 0.5), cy = (minY + maxY) / 2;
      const rx = Math.max(cx - minX, maxX - cx) * u(0.85, 1.1) + 0.3, ry = (maxY - minY) / 2 + u(0.2, 0.5);
      const a0 = u(0.5, 1.5), turns = u(1.05, 1.25);
      const pts: number[] = [];
      for (let i = 0; i <= 14; i++) {
        const a = a0 + (2 * Math.PI * turns * i) / 14;
        const r = 1 + 0.04 * i; // the pen spirals slightly outwards
        pts.push(cx + rx * r * Math.cos(a), cy + ry * r * Math.sin(a));
      }
      sep(pts);
      break;
    }
    case 'none':
      break;
  }
  if (style.trailingDot) out.push({ pts: [maxX + 0.5, 0.05, maxX + 0.53, 0.08], kind: 'dot', breaks: [] });
}

/** The writer's own geometry: slant, then horizontal stretch, then baseline tilt (y-up units). */
export function writerAffine(s: WriterStyle): Affine {
  return compose(rotate(s.tilt), compose(scale(s.aspect, 1), shearX(s.slant)));
}

/** Bounding box [minX, maxX, minY, maxY] of the design after the writer's affine. */
function bounds(strokes: DesignStroke[], s: WriterStyle): [number, number, number, number] {
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  const m = writerAffine(s);
  const q = { x: 0, y: 0 };
  for (const st of strokes) for (let i = 0; i < st.pts.length; i += 2) {
    applyAffine(m, st.pts[i], st.pts[i + 1], q);
    minX = Math.min(minX, q.x); maxX = Math.max(maxX, q.x); minY = Math.min(minY, q.y); maxY = Math.max(maxY, q.y);
  }
  return [minX, maxX, minY, maxY];
}
