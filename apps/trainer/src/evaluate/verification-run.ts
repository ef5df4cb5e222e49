// `sig eval verification`: an embedding (a run folder, through TF.js, or a models folder, through
// onnxruntime-node as served) on writers it never trained on, by the protocol of verification-protocol.ts;
// writes results.json (every number and the command line) and det.png.
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PreprocessConfig, UserError, type EmbeddingEntry, type EmbeddingThresholds } from '@sig/shared';
import { lineChartPng } from './plots.ts';
import { enrolment, runVerificationProtocol, type EmbeddedSet, type Enrol, type Scoring, type VerificationResults } from './verification-protocol.ts';
import { loadWriterSet, type WriterSet } from '../train/embedding-data.ts';
import { readRunInfo } from '../train/run-json.ts';
import { loadDatasetSpec } from '../data/index.ts';
import { fusedEnrolment } from './verifier-scores.ts';

/** Something that turns preprocessed images into unit vectors. */
export interface Embedder {
  source: string;
  preprocess: PreprocessConfig;
  thresholds?: EmbeddingThresholds;
  /** Training writers' datasets, when known (recorded, and checked against the evaluated data). */
  trainedOn?: string;
  embed(set: WriterSet): Promise<EmbeddedSet>;
}

/** Loads the embedding of a run folder (run.json) or of a models folder (manifest.json, entry `name` or the first embedding). */
export async function loadEmbedder(path: string, name?: string): Promise<Embedder> {
  const has = (f: string) => stat(join(path, f)).then(() => true, () => false);
  if (await has('run.json')) {
    const run = await readRunInfo(path, 'embedding');
    await import('../model/embedding-layers.ts');
    const { loadModel } = await import('../model/io.ts');
    const { embedSet } = await import('../train/embedding.ts');
    const model = await loadModel(join(path, 'model'));
    return { source: resolve(path), preprocess: run.preprocess, thresholds: run.thresholds, trainedOn: run.description, embed: (set) => embedSet(model, set) };
  }
  if (await has('manifest.json')) {
    const { readManifest } = await import('../export/manifest.ts');
    const entry = (await readManifest(path)).models.find((m): m is EmbeddingEntry => m.kind === 'embedding' && (name === undefined || m.name === name));
    if (!entry) throw new UserError(`${path}/manifest.json has no embedding${name ? ` named ${name}` : ''}`);
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(join(path, entry.file), { intraOpNumThreads: 1 });
    const input = entry.inputs[0].name;
    const output = entry.outputs[0].name;
    return {
      source: `${resolve(path)}/${entry.file}`,
      preprocess: entry.preprocess,
      thresholds: entry.thresholds,
      trainedOn: typeof entry.training.description === 'string' ? entry.training.description : undefined,
      async embed(set) {
        const dim = entry.embeddingDim ?? (entry.outputs[0].shape[1] as number);
        const vectors = new Float32Array(set.n * dim);
        const px = set.height * set.width;
        for (let s = 0; s < set.n; s += 64) {
          const n = Math.min(64, set.n - s);
          const r = await session.run({ [input]: new ort.Tensor('float32', set.x.subarray(s * px, (s + n) * px), [n, set.height, set.width, 1]) });
          vectors.set(r[output].data as Float32Array, s * dim);
        }
        return { dim, vectors, writer: set.y, forged: set.forged, writers: set.writers };
      },
    };
  }
  throw new UserError(`${path} is neither a run folder (run.json) nor a models folder (manifest.json)`);
}

export interface VerificationRunOptions {
  model: string;
  name?: string;
  data: string;
  references: number;
  impostorShare: number;
  seed: number;
  scoring?: Scoring;
  /** A pairwise verifier run folder whose score is added to the cosine (fusion), weighted by `verifierWeight`. */
  verifier?: string;
  verifierWeight?: number;
  out: string;
  command: string;
}

/** The score of a verifier run folder on the images of `index` (loaded at its own input size), as an enrolment. */
async function verifierScores(path: string, index: Awaited<ReturnType<typeof loadDatasetSpec>>, n: number): Promise<{ source: string; trainedOn?: string; enrol: Enrol }> {
    const run = await readRunInfo(path).catch((e: unknown) => {
    throw new UserError(`--verifier ${path}: not a verifier run folder (${(e as Error).message})`);
  });
  if (run.kind !== 'verifier') throw new UserError(`--verifier ${path}: not a verifier run folder (its run.json says ${run.kind})`);
  await import('../model/verifier-layers.ts');
  const { loadModel } = await import('../model/io.ts');
  const { pairHead, verifierEnrolment, verifierFeatures } = await import('./verifier-scores.ts');
  const model = await loadModel(join(path, 'model'));
  const set = await loadWriterSet([{ tag: 'eval', index, labels: index.labels }], run.preprocess);
  if (set.n !== n) throw new Error(`the verifier read ${set.n} images where the embedding read ${n}`);
  return { source: resolve(path), trainedOn: run.description, enrol: verifierEnrolment(await verifierFeatures(model, set), pairHead(model)) };
}

/** Evaluates and writes `out`/results.json and `out`/det.png; returns the results. */
export async function evaluateVerification(o: VerificationRunOptions): Promise<VerificationResults & { seconds: number }> {
  const t0 = performance.now();
  const embedder = await loadEmbedder(o.model, o.name);
  const index = await loadDatasetSpec(o.data);
  const set = await loadWriterSet([{ tag: 'eval', index, labels: index.labels }], embedder.preprocess);
  set.writers = index.labels; // plain folder names in results
  const embedded = await embedder.embed(set);
  // With a verifier the score is cosine + weight × verifier probability: the embedding's calibrated thresholds
  // are for the cosine alone, so only threshold-free numbers (EERs, top-k, the oracle open set) are reported.
  const verifier = o.verifier ? await verifierScores(o.verifier, index, set.n) : undefined;
  const weight = o.verifierWeight ?? 1;
  const enrol: Enrol | undefined = verifier ? fusedEnrolment((rows) => enrolment(embedded, rows, o.scoring ?? 'max'), verifier.enrol, weight) : undefined;
  const thresholds = verifier ? undefined : embedder.thresholds;
  let results: VerificationResults;
  try {
    results = runVerificationProtocol(embedded, { references: o.references, impostorShare: o.impostorShare, seed: o.seed, scoring: o.scoring, thresholds, enrol });
  } catch (e) {
    throw e instanceof UserError ? new UserError(`${o.data}: ${e.message}`) : e;
  }
  const seconds = (performance.now() - t0) / 1000;
  await mkdir(o.out, { recursive: true });
  const record = {
    command: o.command,
    model: embedder.source,
    trainedOn: embedder.trainedOn,
    data: o.data,
    images: { genuine: index.items.length, forged: index.forgeries.length },
    ...(verifier ? { verifier: { source: verifier.source, trainedOn: verifier.trainedOn, weight, score: 'cosine + weight × mean same-writer probability over the references' } } : {}),
    thresholdsFrom: thresholds ? 'the model (calibrated on development writers)' : verifier ? 'none (fused score: no calibrated thresholds)' : 'none',
    createdAt: new Date().toISOString(),
    seconds,
    ...results,
  };
  await writeFile(join(o.out, 'results.json'), `${JSON.stringify(record, null, 2)}\n`);
  const det = results.verification.det;
  const toPts = (c: { far: number; frr: number }[]): [number, number][] => c.filter((p) => p.far > 0 && p.frr > 0).map((p) => [Math.log10(p.far), Math.log10(p.frr)]);
  const png = await lineChartPng(
    [
      {
        title: `DET (log10 FAR vs log10 FRR), ${results.writers} writers, ${o.references} references`,
        yLabel: 'log10 FRR',
        series: [{ name: 'random forgeries', points: toPts(det.random) }, ...(det.skilled ? [{ name: 'skilled forgeries', points: toPts(det.skilled) }] : [])],
      },
    ],
    'log10 FAR',
  );
  await writeFile(join(o.out, 'det.png'), png);
  return { ...results, seconds };
}
