// The replica group behind the synchronised BatchNorm (train/sync-batch-norm.ts): sums in rank order, and a
// replica left waiting gets an error (another replica failed, or never came) instead of hanging the step. The
// BatchNorm itself is checked end to end in test/cgan-parallel.test.ts (1, 2 and 3 workers = the one-thread step).
import { describe, expect, it } from 'vitest';
import { ReplicaGroup, replicaGroupBuffer } from '../apps/trainer/src/train/sync-batch-norm.ts';

describe('ReplicaGroup', () => {
  it('a group of one sums to its own values, meeting after meeting', () => {
    const g = new ReplicaGroup(replicaGroupBuffer(1, 4), 0, 1, 4);
    expect(Array.from(g.allSum([1, 2, 3]))).toEqual([1, 2, 3]);
    expect(Array.from(g.allSum([0.5, -1]))).toEqual([0.5, -1]);
    expect(() => g.allSum([1, 2, 3, 4, 5])).toThrow(/5 values, room for 4/);
  });

  it('a replica whose partner never comes times out with a readable error', () => {
    const g = new ReplicaGroup(replicaGroupBuffer(2, 2), 0, 2, 2, 50);
    expect(() => g.allSum([1])).toThrow(/replica 0 waited 50 ms for the others/);
  });

  it('a replica waiting when another aborts gets the abort', () => {
    const buffer = replicaGroupBuffer(2, 2);
    new ReplicaGroup(buffer, 1, 2, 2).abort();
    expect(() => new ReplicaGroup(buffer, 0, 2, 2, 5_000).allSum([1])).toThrow(/another replica failed/);
  });
});
