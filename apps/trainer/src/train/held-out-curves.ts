// What the writer-independent trainers (embedding, verifier) record about their held-out writers along
// training: one history point per evaluation, its progress line, and curves.png (loss; EER for all
// impostors, random and skilled forgeries).
import { writeFile } from 'node:fs/promises';
import { lineChartPng } from '../evaluate/plots.ts';
import type { Calibration } from '../evaluate/verification-protocol.ts';

export interface HeldOutHistoryPoint {
  step: number;
  lr: number;
  trainLoss: number;
  valEer?: number;
  valEerRandom?: number;
  valEerSkilled?: number | null;
}

/** The point's held-out fields from a calibration. */
export function heldOutFields(c: Calibration): Pick<HeldOutHistoryPoint, 'valEer' | 'valEerRandom' | 'valEerSkilled'> {
  return { valEer: c.eerValue, valEerRandom: c.eerRandom, valEerSkilled: c.eerSkilled };
}

/** The progress line of an evaluation. */
export function heldOutLine(step: number, c: Calibration): string {
  const pct = (v: number) => `${(v * 100).toFixed(2)} %`;
  return `step ${step}: held-out writers EER ${pct(c.eerValue)} (random ${pct(c.eerRandom)}, skilled ${c.eerSkilled === null ? '—' : pct(c.eerSkilled)})`;
}

/** Training loss and held-out EERs against the step. */
export async function writeHeldOutCurves(history: HeldOutHistoryPoint[], path: string): Promise<void> {
  const pts = (f: (p: HeldOutHistoryPoint) => number | null | undefined): [number, number][] =>
    history.filter((p) => typeof f(p) === 'number').map((p) => [p.step, f(p) as number]);
  const png = await lineChartPng([
    { title: 'loss', yLabel: 'loss', series: [{ name: 'train', points: pts((p) => p.trainLoss) }] },
    {
      title: 'held-out writers EER',
      yLabel: 'EER',
      yRange: [0, 0.5],
      series: [
        { name: 'all impostors', points: pts((p) => p.valEer) },
        { name: 'random', points: pts((p) => p.valEerRandom) },
        { name: 'skilled', points: pts((p) => p.valEerSkilled) },
      ],
    },
  ]);
  await writeFile(path, png);
}
