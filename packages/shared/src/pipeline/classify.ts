import type { FloatImage } from '../image/types.ts';
import type { ClassifierEntry, OutputScores } from '../schemas/manifest.ts';
import { imageFeed } from './feeds.ts';
import { floatData, type PipelineContext } from './session.ts';

/** One label (student ID) with its probability. */
export interface Prediction {
  label: string;
  probability: number;
}

/** The classifier's answer for one image. */
export interface ClassifyResult {
  /** The `topK` most likely labels, most likely first. */
  top: Prediction[];
  /** Probability of every label, in `entry.labels` order. */
  probabilities: Float32Array;
}

/** Probabilities from a classifier output row: as it is, or the softmax of logits (the manifest's `scores`). */
export function toProbabilities(row: Float32Array, scores: OutputScores): Float32Array {
  if (scores === 'probabilities') return row;
  let max = -Infinity;
  for (const v of row) max = Math.max(max, v);
  const out = new Float32Array(row.length);
  let total = 0;
  for (let i = 0; i < row.length; i++) total += out[i] = Math.exp(row[i] - max);
  for (let i = 0; i < row.length; i++) out[i] /= total;
  return out;
}

/** The `k` highest-probability labels, most likely first (ties keep label order). */
export function topK(probabilities: Float32Array, labels: readonly string[], k: number): Prediction[] {
  const order = Array.from(probabilities.keys()).sort((a, b) => probabilities[b] - probabilities[a] || a - b);
  return order.slice(0, Math.max(0, k)).map((i) => ({ label: labels[i] ?? String(i), probability: probabilities[i] }));
}

/** Registration-desk lookup: preprocessed signature images → top-k student IDs with probabilities. */
export async function classify(
  ctx: PipelineContext,
  entry: ClassifierEntry,
  images: readonly FloatImage[],
  opts: { topK?: number } = {},
): Promise<ClassifyResult[]> {
  const out = await ctx.session.run(imageFeed(entry, images, ctx.Tensor));
  const tensor = out[entry.outputs[0].name] ?? out[ctx.session.outputNames[0]];
  const data = floatData(tensor);
  const classes = data.length / images.length;
  if (classes !== entry.labels.length) {
    throw new Error(`${entry.name}: model outputs ${classes} classes, manifest lists ${entry.labels.length} labels`);
  }
  const k = Math.min(opts.topK ?? 5, classes);
  return images.map((_, i) => {
    const probabilities = toProbabilities(data.slice(i * classes, (i + 1) * classes), entry.scores);
    return { top: topK(probabilities, entry.labels, k), probabilities };
  });
}
