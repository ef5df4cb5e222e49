import type { FloatImage } from '../image/types.ts';
import type { OutputScores, RealfakeEntry } from '../schemas/manifest.ts';
import { imageFeed } from './feeds.ts';
import { floatData, type PipelineContext } from './session.ts';

/** Verdict of the real/fake detector. */
export type Verdict = 'genuine' | 'fake';

/** The real/fake detector's answer for one image. */
export interface AuthenticityResult {
  /** Probability that the signature is genuine (not generated). */
  pGenuine: number;
  verdict: Verdict;
  /** `pGenuine >= threshold` is 'genuine'. */
  threshold: number;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * p(genuine) from one output row, read as the manifest says (`scores`): a single value is p(genuine) or its
 * logit; two values are [fake, genuine] probabilities or logits, ordered as the labels when they name
 * 'genuine' first.
 */
export function genuineProbability(row: Float32Array, labels: readonly string[], scores: OutputScores): number {
  if (row.length === 1) return scores === 'logits' ? sigmoid(row[0]) : row[0];
  if (row.length === 2) {
    const g = labels.indexOf('genuine') === 0 ? 0 : 1;
    if (scores === 'probabilities') return row[g];
    const m = Math.max(row[0], row[1]);
    const e0 = Math.exp(row[0] - m);
    const e1 = Math.exp(row[1] - m);
    return (g === 0 ? e0 : e1) / (e0 + e1);
  }
  throw new Error(`a real/fake output row has 1 or 2 values, got ${row.length}`);
}

/** Authenticity check: preprocessed signature images → p(genuine), verdict and the threshold used. */
export async function authenticity(
  ctx: PipelineContext,
  entry: RealfakeEntry,
  images: readonly FloatImage[],
  opts: { threshold?: number } = {},
): Promise<AuthenticityResult[]> {
  const threshold = opts.threshold ?? entry.threshold ?? 0.5;
  const out = await ctx.session.run(imageFeed(entry, images, ctx.Tensor));
  const data = floatData(out[entry.outputs[0].name] ?? out[ctx.session.outputNames[0]]);
  const width = data.length / images.length;
  return images.map((_, i) => {
    const pGenuine = genuineProbability(data.slice(i * width, (i + 1) * width), entry.labels, entry.scores);
    return { pGenuine, verdict: pGenuine >= threshold ? 'genuine' : 'fake', threshold };
  });
}
