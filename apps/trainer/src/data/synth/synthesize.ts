// `sig synth`: a folder dataset of synthetic writers, `<out>/<writer>/<i>.png` plus `<out>/synth.json`; with
// forgeries, `<out>/<writer>/genuine/<i>.png` and `<out>/<writer>/forged/<j>.png` (another writer imitating it).
// Writer k's design depends only on the seed and k, and sample i only on those and i, so a smaller run is
// a prefix of a larger one and the same seed always gives the same bytes.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Rng, UserError, type GrayImage } from '@sig/shared';
import { encodePng } from '@sig/shared/node/image-io.ts';
import { drawWriter, type WriterStyle } from './writer.ts';
import { renderSample } from './render.ts';
import { renderForgery } from './forgery.ts';

export interface SynthOptions {
  writers: number;
  perWriter: number;
  seed: number;
  out: string;
  /** Skilled forgeries per writer (0: none, and the plain `<writer>/<i>.png` layout). */
  forgeries?: number;
  /** Called after each written image (for a progress bar). */
  onImage?: (done: number, total: number) => void;
}

/** What `<out>/synth.json` records. */
export interface SynthRecord {
  generator: 'sig synth';
  version: 1;
  seed: number;
  writers: number;
  perWriter: number;
  forgeries?: number;
  styles: (WriterStyle & { label: string })[];
}

/** The independent random streams of writer `k` (0-based): one for its design, one per sample. */
export function writerStreams(seed: number, k: number): { design: Rng; samples: Rng } {
  const root = new Rng(seed ^ Math.imul(k + 1, 0x9e3779b1));
  return { design: root.fork(), samples: root.fork() };
}

/**
 * Forgery `j` (0-based) of writer `k` among `writers`: by writer (k + 1 + draw) mod writers (any other writer,
 * or a writer just past the set when there is only one), seeded from (seed, k, j) alone.
 */
export function synthesizeForgery(seed: number, writers: number, k: number, j: number, design = drawWriter(writerStreams(seed, k).design)): GrayImage {
  const rng = new Rng(seed ^ Math.imul(k + 1, 0x27d4eb2f) ^ Math.imul(j + 1, 0x165667b1));
  const forger = writers > 1 ? (k + 1 + rng.int(writers - 1)) % writers : k + 1;
  return renderForgery(design, drawWriter(writerStreams(seed, forger).design).style, rng);
}

/** Renders sample `i` (0-based) of writer `k` (0-based) in memory. */
export function synthesizeOne(seed: number, k: number, i: number): GrayImage {
  const { design, samples } = writerStreams(seed, k);
  const d = drawWriter(design);
  return renderSample(d, new Rng(Math.floor(samples.next() * 4294967296) ^ Math.imul(i + 1, 0x85ebca6b)));
}

/** Writes the dataset and returns its record. */
export async function synthesizeDataset(opts: SynthOptions): Promise<SynthRecord> {
  const { writers, perWriter, seed, out } = opts;
  if (!Number.isInteger(writers) || writers < 1) throw new UserError(`--writers must be a positive integer, got ${writers}`);
  if (!Number.isInteger(perWriter) || perWriter < 1) throw new UserError(`--per-writer must be a positive integer, got ${perWriter}`);
  if (!Number.isInteger(seed)) throw new UserError(`--seed must be an integer, got ${seed}`);
  const forgeries = opts.forgeries ?? 0;
  if (!Number.isInteger(forgeries) || forgeries < 0) throw new UserError(`--forgeries must be a non-negative integer, got ${forgeries}`);
  await mkdir(out, { recursive: true });
  const record: SynthRecord = { generator: 'sig synth', version: 1, seed, writers, perWriter, ...(forgeries ? { forgeries } : {}), styles: [] };
  const total = writers * (perWriter + forgeries);
  let done = 0;
  for (let k = 0; k < writers; k++) {
    const label = String(k + 1);
    const { design, samples } = writerStreams(seed, k);
    const d = drawWriter(design);
    record.styles.push({ label, ...d.style });
    const dir = forgeries ? join(out, label, 'genuine') : join(out, label);
    await mkdir(dir, { recursive: true });
    const sampleBase = Math.floor(samples.next() * 4294967296);
    // Render on this thread while sharp encodes the previous images on its own threads.
    const pending: Promise<void>[] = [];
    const write = (img: GrayImage, file: string) =>
      pending.push(encodePng(img).then((png) => writeFile(file, png)).then(() => opts.onImage?.(++done, total)));
    for (let i = 0; i < perWriter; i++) write(renderSample(d, new Rng(sampleBase ^ Math.imul(i + 1, 0x85ebca6b))), join(dir, `${i + 1}.png`));
    if (forgeries) {
      const fdir = join(out, label, 'forged');
      await mkdir(fdir, { recursive: true });
      for (let j = 0; j < forgeries; j++) write(synthesizeForgery(seed, writers, k, j, d), join(fdir, `${j + 1}.png`));
    }
    await Promise.all(pending);
  }
  await writeFile(join(out, 'synth.json'), `${JSON.stringify(record, null, 2)}\n`);
  return record;
}
