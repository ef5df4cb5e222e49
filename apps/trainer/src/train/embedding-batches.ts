// Which images a step of the embedding trains on, a pure function of (seed, step) so a resumed run draws what an
// uninterrupted one would. Without the triplet term: uniform draws over the pool (genuine images only when the
// forgery term is off, since a forgery then adds nothing to the loss). With it: P writers × K images ("PK"
// batches, Hermans et al. 2017), so every anchor has positives in the batch; one of a writer's K images is one of
// its skilled forgeries when it has any (the triplet term's hardest negatives). Writers stay contiguous, so the
// data-parallel shards (contiguous slices) keep whole writers when batch / K is a multiple of the workers.
import { Rng, UserError } from '@sig/shared';
import { mixSeed } from './image-set.ts';

/** How batches are drawn. */
export interface BatchPlan {
  seed: number;
  batchSize: number;
  forgeryWeight: number;
  tripletWeight: number;
  perWriter: number;
}

/**
 * The images uniform batches are drawn from: all of them, or only the genuine ones when the forgery term is off
 * (weight 0).
 */
export function batchPool(forged: Uint8Array, forgeryWeight: number): Int32Array {
  const all = Int32Array.from(forged.keys());
  if (forgeryWeight > 0) return all;
  const genuine = all.filter((i) => forged[i] === 0);
  return genuine.length > 0 ? genuine : all;
}

/** Returns `batchAt(step)`: the image indices of a step's batch. */
export function batchSampler(set: { y: Int32Array; forged: Uint8Array; writers: string[] }, plan: BatchPlan): (step: number) => number[] {
  if (plan.tripletWeight <= 0) {
    const pool = batchPool(set.forged, plan.forgeryWeight);
    return (step) => {
      const rng = new Rng(mixSeed(plan.seed, step, 0, 29));
      return Array.from({ length: plan.batchSize }, () => pool[rng.int(pool.length)]);
    };
  }
  const genuine: number[][] = set.writers.map(() => []);
  const forged: number[][] = set.writers.map(() => []);
  set.y.forEach((w, i) => (set.forged[i] ? forged : genuine)[w].push(i));
  const eligible = genuine.flatMap((g, w) => (g.length >= 2 ? [w] : []));
  if (eligible.length < 2) throw new UserError('--triplet-weight: the triplet term needs at least two training writers with two genuine signatures each');
  const k = plan.perWriter;
  const writersPerBatch = Math.min(eligible.length, Math.max(2, Math.floor(plan.batchSize / k)));
  return (step) => {
    const rng = new Rng(mixSeed(plan.seed, step, 0, 31));
    const out: number[] = [];
    for (const w of pickDistinct(eligible, writersPerBatch, rng)) {
      const f = forged[w];
      const g = genuine[w];
      const nGenuine = f.length > 0 ? k - 1 : k;
      // Without replacement while the writer has enough; cycling through a shuffle when it has fewer.
      const order = rng.shuffle([...g]);
      for (let j = 0; j < nGenuine; j++) out.push(order[j % order.length]);
      if (f.length > 0) out.push(f[rng.int(f.length)]);
    }
    return out;
  };
}

/** `count` distinct items of `from` (a partial Fisher–Yates shuffle). */
function pickDistinct(from: number[], count: number, rng: Rng): number[] {
  const a = [...from];
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(a.length - i);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, count);
}
