// TF.js layer initialisers draw from an unseeded global generator unless given a seed; a run is only
// reproducible with `--seed` if every layer gets its own seed, derived here from the run's seed.
import * as tfl from '@tensorflow/tfjs-layers';
import { Rng } from '@sig/shared';

/** Returns a factory of Glorot-uniform kernel initialisers, each with the next seed drawn from `seed`. */
export function seededGlorot(seed: number): () => ReturnType<typeof tfl.initializers.glorotUniform> {
  const rng = new Rng(seed);
  return () => tfl.initializers.glorotUniform({ seed: rng.int(2 ** 31) });
}
