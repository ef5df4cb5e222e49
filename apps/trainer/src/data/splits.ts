// Deterministic train/test splits over groups (original samples), never over files: augmented copies of one
// signature stay on one side, so evaluation never sees a copy of something it trained on.
import { Rng, UserError } from '@sig/shared';
import type { DatasetIndex, DatasetItem } from './folder-dataset.ts';

export interface Split {
  train: DatasetItem[];
  test: DatasetItem[];
}

export interface Fold extends Split {
  fold: number;
}

/** Each class's groups in dataset order (natural file order), with their items. */
function groupsByClass(index: DatasetIndex): DatasetItem[][][] {
  const classes: Map<string, DatasetItem[]>[] = index.labels.map(() => new Map());
  for (const it of index.items) {
    const m = classes[it.labelIndex];
    const g = m.get(it.group);
    if (g) g.push(it);
    else m.set(it.group, [it]);
  }
  return classes.map((m) => [...m.values()]);
}

/** Puts the chosen groups of every class on the test side, the rest on train, keeping dataset order. */
function assemble(index: DatasetIndex, testGroups: Set<string>): Split {
  const train: DatasetItem[] = [], test: DatasetItem[] = [];
  for (const it of index.items) (testGroups.has(it.group) ? test : train).push(it);
  return { train, test };
}

/**
 * k folds for per-class leave-one-out evaluation: fold f holds out one signature (group) of every class,
 * the (n − k + f)-th of its n, so `k = 1` holds out each class's last signature and `k = n` cycles through
 * all. Classes with a single signature stay in training in every fold.
 */
export function leaveOneOutFolds(index: DatasetIndex, k: number): Fold[] {
  if (!Number.isInteger(k) || k < 1) throw new UserError(`folds must be a positive integer, got ${k}`);
  const classes = groupsByClass(index);
  const folds: Fold[] = [];
  for (let f = 0; f < k; f++) {
    const held = new Set<string>();
    for (const groups of classes) {
      const n = groups.length;
      if (n < 2) continue;
      held.add(groups[(((n - k + f) % n) + n) % n][0].group);
    }
    folds.push({ fold: f, ...assemble(index, held) });
  }
  return folds;
}

/**
 * Holds out about `frac` of every class's signatures (groups), chosen by `seed`; every class keeps at least
 * one signature in training. Per-class counts are rounded stochastically, so small classes still contribute
 * their expected share in total.
 */
export function fractionSplit(index: DatasetIndex, frac: number, seed: number): Split {
  if (!(frac >= 0 && frac < 1)) throw new UserError(`held-out fraction must be in [0, 1), got ${frac}`);
  const rng = new Rng(seed);
  const held = new Set<string>();
  for (const groups of groupsByClass(index)) {
    const order = rng.shuffle(groups.map((_, i) => i));
    const n = Math.min(groups.length - 1, Math.floor(frac * groups.length + rng.next()));
    for (let i = 0; i < n; i++) held.add(groups[order[i]][0].group);
  }
  return assemble(index, held);
}
