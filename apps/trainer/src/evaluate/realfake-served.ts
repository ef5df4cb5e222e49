// The real/fake detector and the generator as the server runs them: exported ONNX models from a models folder,
// onnxruntime-node, the shared pipeline (`generate`, `authenticity`) and the same decode → preprocess call. Used to
// train the detector on the committed generator's own samples and to measure the committed pair.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { Manifest, UserError, authenticity, generate, type EntryOfKind, type ModelKind } from '@sig/shared';
import { encodePng } from '@sig/shared/node/image-io.ts';
import { imageBytesToInput } from './gan-detector-inputs.ts';

/** An exported model with its onnxruntime-node session. */
export interface ServedModel<K extends ModelKind = ModelKind> {
  entry: EntryOfKind<K>;
  session: ort.InferenceSession;
}

/** The manifest entry of `kind` named `name` (default: the fp32 entry named after the kind) in `<modelsDir>/manifest.json`. */
export async function servedEntry<K extends ModelKind>(modelsDir: string, kind: K, name?: string): Promise<EntryOfKind<K>> {
  let text: string;
  try {
    text = await readFile(join(modelsDir, 'manifest.json'), 'utf8');
  } catch {
    throw new UserError(`${modelsDir} has no manifest.json`);
  }
  const manifest = Manifest.parse(JSON.parse(text));
  const entry = manifest.models.find((m): m is EntryOfKind<K> => m.kind === kind && (name ? m.name === name : !m.variantOf));
  if (!entry) throw new UserError(`${modelsDir}/manifest.json has no ${name ?? kind} model`);
  return entry;
}

/** The model of `kind` named `name` (default: the fp32 entry named after the kind) from `<modelsDir>/manifest.json`, with its session. */
export async function loadServedModel<K extends ModelKind>(modelsDir: string, kind: K, name?: string): Promise<ServedModel<K>> {
  const entry = await servedEntry(modelsDir, kind, name);
  ort.env.logLevel = 'fatal';
  const session = await ort.InferenceSession.create(join(modelsDir, entry.file), { executionProviders: ['cpu'] });
  return { entry, session };
}

/**
 * `perLabel` PNGs per label from the generator, exactly the bytes `POST /v1/generate` returns for seeds
 * `seedBase`, `seedBase + 1`, ... (one seed per label and request of `count` images) and `truncation` (absent:
 * the manifest's default, as a request without one; null: none).
 */
export async function servedGeneratorPngs(
  gen: ServedModel<'generator'>,
  opts: { perLabel: number; seedBase: number; count?: number; truncation?: number | null },
): Promise<Uint8Array[]> {
  const count = Math.min(16, opts.count ?? 8);
  const out: Uint8Array[] = [];
  let seed = opts.seedBase;
  for (const label of gen.entry.labels) {
    for (let done = 0; done < opts.perLabel; done += count) {
      const n = Math.min(count, opts.perLabel - done);
      const imgs = await generate({ session: gen.session, Tensor: ort.Tensor }, gen.entry, { label, count: n, seed: seed++, truncation: opts.truncation });
      for (const img of imgs) out.push(await encodePng(img));
    }
  }
  return out;
}

/** p(genuine) of each image (bytes as uploaded), through the detector's manifest preprocessing. */
export async function servedGenuineProbabilities(det: ServedModel<'realfake'>, images: Uint8Array[], batch = 64): Promise<{ pGenuine: number[]; threshold: number }> {
  const p: number[] = [];
  let threshold = 0.5;
  for (let i = 0; i < images.length; i += batch) {
    const xs = await Promise.all(images.slice(i, i + batch).map((b) => imageBytesToInput(b, det.entry.preprocess)));
    const r = await authenticity({ session: det.session, Tensor: ort.Tensor }, det.entry, xs);
    for (const x of r) p.push(x.pGenuine);
    threshold = r[0]?.threshold ?? threshold;
  }
  return { pGenuine: p, threshold };
}
