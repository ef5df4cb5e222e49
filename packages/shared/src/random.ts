/**
 * Seeded pseudo-random numbers (mulberry32 seeded through splitmix32), identical in Node and the browser,
 * so that the same seed gives the same synthetic signatures, splits, augmentations and latent vectors.
 */
export class Rng {
  private state: number;
  private spare: number | null = null;

  constructor(seed: number) {
    // splitmix32 scrambles small or similar seeds into well-spread states.
    let z = (seed | 0) + 0x9e3779b9;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    this.state = (z ^ (z >>> 16)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller, caching the second value). */
  normal(mean = 0, std = 1): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return mean + std * s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  /** Fisher–Yates shuffle in place; returns the array. */
  shuffle<T>(a: T[]): T[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  }

  /** A new generator whose stream is independent of this one's future draws. */
  fork(): Rng {
    return new Rng(Math.floor(this.next() * 4294967296));
  }
}

/**
 * A standard normal drawn again while it lies beyond ±`truncation` (BigGAN's truncation trick for latent
 * vectors: typical samples, less variety). An infinite truncation is `rng.normal()` itself, the same stream.
 */
export function truncatedNormal(rng: Rng, truncation = Infinity): number {
  if (!(truncation > 0)) throw new RangeError(`truncation must be > 0 (got ${truncation})`);
  let v = rng.normal();
  while (Math.abs(v) > truncation) v = rng.normal();
  return v;
}

/** `n` standard-normal values from `seed` (latent vectors for the generator), each within ±`truncation`. */
export function normalVector(n: number, seed: number, truncation = Infinity): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = truncatedNormal(rng, truncation);
  return out;
}
