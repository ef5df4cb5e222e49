// Which pairs a step of the verifier trains on, a pure function of (seed, step) so a resumed run draws what an
// uninterrupted one would. A pair's writer w is drawn among the writers with skilled forgeries (share
// `forgeryWriterShare`, when there are any) or among all writers; one of w's genuine signatures is paired with
//   - another genuine signature of w (label 1, share `genuineShare`),
//   - one of w's skilled forgeries (label 0, share `forgedShare`, when w has any),
//   - a genuine signature of another writer (label 0, the rest: a random forgery),
// and the two sides are swapped half the time, so neither input is "the reference" in training.
import { Rng, UserError } from '@sig/shared';
import { mixSeed } from './image-set.ts';

export interface PairPlan {
  seed: number;
  batchSize: number;
  genuineShare: number;
  forgedShare: number;
  forgeryWriterShare: number;
}

/** A step's pairs: image indices of both sides and the labels (1 = same writer, genuine). */
export interface Pairs {
  a: number[];
  b: number[];
  label: Float32Array;
}

/** Returns `pairsAt(step)`. Needs at least 2 writers with a genuine signature each. */
export function pairSampler(set: { y: Int32Array; forged: Uint8Array; writers: string[] }, plan: PairPlan): (step: number) => Pairs {
  const genuine: number[][] = set.writers.map(() => []);
  const forged: number[][] = set.writers.map(() => []);
  for (let i = 0; i < set.y.length; i++) (set.forged[i] ? forged : genuine)[set.y[i]].push(i);
  const writers = genuine.flatMap((g, w) => (g.length > 0 ? [w] : []));
  if (writers.length < 2) throw new UserError('a verifier needs at least 2 writers with genuine signatures');
  const withForgeries = writers.filter((w) => forged[w].length > 0);
  const pick = (rng: Rng, list: number[]) => list[rng.int(list.length)];
  return (step) => {
    const rng = new Rng(mixSeed(plan.seed, step, 0, 37));
    const a: number[] = [], b: number[] = [];
    const label = new Float32Array(plan.batchSize);
    for (let k = 0; k < plan.batchSize; k++) {
      const w = withForgeries.length > 0 && rng.next() < plan.forgeryWriterShare ? pick(rng, withForgeries) : pick(rng, writers);
      const g = genuine[w];
      const at = rng.int(g.length);
      const i = g[at];
      const r = rng.next();
      let j: number;
      if (r < plan.genuineShare) {
        // another of w's signatures when it has one (the same image twice only for a writer with one)
        j = g.length > 1 ? g[(at + 1 + rng.int(g.length - 1)) % g.length] : i;
        label[k] = 1;
      } else if (r < plan.genuineShare + plan.forgedShare && forged[w].length > 0) {
        j = pick(rng, forged[w]);
      } else {
        let v = pick(rng, writers);
        while (v === w) v = pick(rng, writers);
        j = pick(rng, genuine[v]);
      }
      if (rng.next() < 0.5) [a[k], b[k]] = [j, i];
      else [a[k], b[k]] = [i, j];
    }
    return { a, b, label };
  };
}
