// The page's use cases over the shared pipeline: the same preprocessing and pre/post-processing as the
// server (packages/shared), run on onnxruntime-web sessions.
import {
  authenticity,
  boxingImagePreparer,
  classify,
  findModel,
  floatToGray,
  generateFloat,
  prepareFor,
  type Box,
  type FloatImage,
  type GrayImage,
  type ModelEntry,
  type ModelSource,
  type RawImage,
  type Verdict,
} from '@sig/shared';
import type { EdgeRuntime } from './runtime.ts';

/** Lookup, authenticity and timings for one signature image. */
export interface AnalyzeResult {
  classifier?: { model: string; top: { id: string; probability: number }[]; probabilities: number[] };
  authenticity?: { model: string; pGenuine: number; verdict: Verdict; threshold: number };
  /** Where the signature was found in the image (its ink box, image pixels), drawn on the photo. */
  inkBox?: Box;
  /** The analysed image's size, to place `inkBox` on its preview. */
  imageSize: { width: number; height: number };
  /** The classifier's preprocessed input (what the model sees), for display. */
  modelInput?: GrayImage;
  /** Milliseconds; decodeMs is filled in by the caller that decoded the image. */
  timings: { decodeMs?: number; preprocessMs: number; inferenceMs: number; totalMs: number };
}

/** Generated samples for one ID. */
export interface GenerateResult {
  model: string;
  id: string;
  seed: number;
  images: GrayImage[];
  /** The generator's raw outputs in its range, for comparison with the server. */
  floats: FloatImage[];
}

export class SignatureApp {
  /** The runtime's models as the shared use cases see them (same picking rule as the server). */
  readonly models: ModelSource;

  constructor(readonly runtime: EdgeRuntime) {
    this.models = { entries: () => runtime.manifest.models, context: (e) => runtime.context(e) };
  }

  /** Student IDs the generator can draw. */
  generatorLabels(): string[] {
    return this.runtime.pick('generator')?.labels ?? [];
  }

  /** Top-k lookup and authenticity verdict for one decoded image (each when its model is present). */
  async analyze(image: RawImage, topK: number): Promise<AnalyzeResult> {
    const t0 = performance.now();
    const clf = findModel(this.models, 'classifier');
    const rf = findModel(this.models, 'realfake');
    // The shared preparation: models with identical preprocessing share one pass over the image, and an
    // image without one signature throws NoSignatureError here, before any model runs (the page shows why).
    const preparer = boxingImagePreparer();
    const entries: ModelEntry[] = [clf, rf].filter((e): e is NonNullable<typeof e> => e !== undefined);
    const inputs = await prepareFor(preparer.prepare, image, entries);
    const clfInput = clf && inputs[0];
    const rfInput = rf && inputs[entries.length - 1];
    const inkBox = preparer.box();
    const t1 = performance.now();
    const result: AnalyzeResult = { inkBox, imageSize: { width: image.width, height: image.height }, timings: { preprocessMs: t1 - t0, inferenceMs: 0, totalMs: 0 } };
    if (clf && clfInput) {
      const [r] = await classify(await this.runtime.context(clf), clf, [clfInput], { topK });
      result.classifier = {
        model: clf.name,
        top: r.top.map((p) => ({ id: p.label, probability: p.probability })),
        probabilities: Array.from(r.probabilities),
      };
      result.modelInput = floatToGray(clfInput, clf.preprocess.range);
    }
    if (rf && rfInput) {
      const [r] = await authenticity(await this.runtime.context(rf), rf, [rfInput]);
      result.authenticity = { model: rf.name, ...r };
    }
    const t2 = performance.now();
    result.timings.inferenceMs = t2 - t1;
    result.timings.totalMs = t2 - t0;
    return result;
  }

  /** `count` generated signatures of `id`, reproducible from `seed` (the same as the server's for that seed). */
  async generate(id: string, count: number, seed: number): Promise<GenerateResult> {
    const gen = this.runtime.pick('generator');
    if (!gen) throw new Error('no generator model in models/manifest.json');
    const floats = await generateFloat(await this.runtime.context(gen), gen, { label: id, count, seed });
    return { model: gen.name, id, seed, floats, images: floats.map((f) => floatToGray(f, gen.preprocess.range)) };
  }
}
