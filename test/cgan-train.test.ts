import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { CganConfig, Rng } from '@sig/shared';
import { createGan, loadCheckpoint, saveCheckpoint, trainAdversarial, type GanData, type GanState } from '../apps/trainer/src/train/adversarial.ts';

await tf.setBackend('cpu');
// the reference design (no auxiliary head, no average: D's loss is the adversarial BCE alone, which the first test bounds)
const cfg = CganConfig.parse({ numClasses: 2, latentDim: 4, imageSize: 16, seedSize: 8, genFilters: 8, discFilters: 4, discLayers: 2, auxWeight: 0, emaDecay: 0 });

function tinyData(): GanData {
  const rng = new Rng(9);
  const n = 8;
  const x = Float32Array.from({ length: n * 16 * 16 }, () => (rng.next() < 0.2 ? 1 : -1));
  return { x, labels: Int32Array.from({ length: n }, (_, i) => i % 2), n, size: 16 };
}

function weights(state: GanState): number[] {
  return [...state.generator.getWeights(), ...state.discriminator.getWeights()].flatMap((w) => Array.from(w.dataSync()));
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('adversarial training loop', () => {
  it('a few steps change both networks and keep losses finite', async () => {
    const state = createGan(cfg, 1);
    const g0 = Array.from(state.generator.getWeights()[0].dataSync());
    const d0 = Array.from(state.discriminator.getWeights()[0].dataSync());
    const history = await trainAdversarial(state, tinyData(), 3, 4);
    expect(history).toHaveLength(3);
    for (const h of history) {
      expect(Number.isFinite(h.dLoss) && Number.isFinite(h.gLoss)).toBe(true);
      // D(x) and D(G(z)) are the means of the outputs D's loss was computed from: BCE is convex, so the loss
      // (real target cfg.realLabel, generated 0) is at least the BCE of the means, and close to it while D's
      // outputs barely vary across a batch (a fresh D). Swapped or stale means break the bound or the gap.
      const bce = (p: number, t: number): number => -(t * Math.log(p) + (1 - t) * Math.log(1 - p));
      const ofMeans = bce(h.dReal, cfg.realLabel) + bce(h.dFake, 0);
      expect(h.dLoss).toBeGreaterThanOrEqual(ofMeans - 1e-4);
      expect(h.dLoss - ofMeans).toBeLessThan(0.05);
    }
    expect(Array.from(state.generator.getWeights()[0].dataSync())).not.toEqual(g0);
    expect(Array.from(state.discriminator.getWeights()[0].dataSync())).not.toEqual(d0);
  });

  it('is deterministic for a seed, and a resumed run equals an uninterrupted one', async () => {
    const data = tinyData();
    const a = createGan(cfg, 7);
    const b = createGan(cfg, 7);
    const histA = await trainAdversarial(a, data, 4, 4);
    // b: two steps, checkpoint, reload in a fresh state, two more steps.
    await trainAdversarial(b, data, 2, 4);
    const dir = await mkdtemp(join(tmpdir(), 'cgan-ckpt-'));
    dirs.push(dir);
    await saveCheckpoint(b, join(dir, 'checkpoint'));
    const resumed = await loadCheckpoint(join(dir, 'checkpoint'));
    expect(resumed.step).toBe(2);
    const histB = await trainAdversarial(resumed, data, 4, 4);
    // Exact up to float32 round-off: tfjs Adam restores β^t with pow() where training multiplied step by step.
    histB.forEach((h, i) => expect(h.dLoss).toBeCloseTo(histA[i + 2].dLoss, 5));
    const [wr, wa] = [weights(resumed), weights(a)];
    expect(Math.max(...wr.map((v, i) => Math.abs(v - wa[i])))).toBeLessThan(1e-5);
    // Same seed without interruption: bit-identical.
    const again = createGan(cfg, 7);
    await trainAdversarial(again, data, 4, 4);
    expect(weights(again)).toEqual(weights(a));

    const other = createGan(cfg, 8);
    await trainAdversarial(other, data, 4, 4);
    expect(weights(other)).not.toEqual(weights(a));
  });
});
