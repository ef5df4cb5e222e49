import type { FloatImage, GrayImage } from '../image/types.ts';
import { floatToGray } from '../preprocess/index.ts';
import { UserError } from '../errors.ts';
import { normalVector } from '../random.ts';
import type { GeneratorEntry, TensorSpec } from '../schemas/manifest.ts';
import { batchDims, rowSize } from './feeds.ts';
import { floatData, type OrtTensorLike, type PipelineContext, type TensorCtorLike } from './session.ts';

/** What to draw: `count` signatures of student `label`, reproducible from `seed`. */
export interface GenerateParams {
  label: string;
  count: number;
  seed: number;
  /** Latent values beyond ±truncation are drawn again; `null` = none; absent = the manifest entry's (if any). */
  truncation?: number | null;
}

/** The truncation a request draws with: its own, else the manifest entry's, else none (Infinity). */
export function effectiveTruncation(entry: GeneratorEntry, req: Pick<GenerateParams, 'truncation'>): number {
  const t = req.truncation === undefined ? entry.truncation : req.truncation;
  return t ?? Infinity;
}

/** The generator's two inputs, by the names its manifest entry records. */
function generatorInputs(entry: GeneratorEntry): { latent: TensorSpec; label: TensorSpec } {
  const find = (name: string): TensorSpec => {
    const spec = entry.inputs.find((s) => s.name === name);
    if (!spec) throw new Error(`${entry.name}: the manifest names input '${name}' but lists only ${entry.inputs.map((s) => s.name).join(', ')}`);
    return spec;
  };
  return { latent: find(entry.latentInput), label: find(entry.labelInput) };
}

/** The label feed: one-hot floats when the input is as wide as the label list, otherwise the label's index. */
function labelTensor(spec: TensorSpec, index: number, count: number, classes: number, Tensor: TensorCtorLike): OrtTensorLike {
  const dims = batchDims(spec, count);
  const width = rowSize(spec);
  if (spec.type === 'int64') return new Tensor('int64', new BigInt64Array(count).fill(BigInt(index)), dims);
  if (spec.type === 'int32') return new Tensor('int32', new Int32Array(count).fill(index), dims);
  const data = new Float32Array(count * width);
  for (let i = 0; i < count; i++) {
    if (width === classes && classes > 1) data[i * width + index] = 1;
    else data[i * width] = index;
  }
  return new Tensor('float32', data, dims);
}

/**
 * The latent vectors for a request: `count × latentDim` standard normals from the shared seeded Rng, each within
 * ±`truncation`, so one seed gives the same z (hence the same images) in Node and the browser; image i uses the
 * i-th row.
 */
export function latentVectors(latentDim: number, count: number, seed: number, truncation = Infinity): Float32Array {
  return normalVector(latentDim * count, seed, truncation);
}

/**
 * Conditional generation: `count` signatures for `label` as float images in the manifest's output range
 * (`entry.preprocess.range`, paper low, ink high). Unknown labels are a UserError (404).
 */
export async function generateFloat(ctx: PipelineContext, entry: GeneratorEntry, req: GenerateParams): Promise<FloatImage[]> {
  const index = entry.labels.indexOf(req.label);
  if (index < 0) throw new UserError(`unknown ID '${req.label}' for model ${entry.name}`, 404);
  if (!Number.isInteger(req.count) || req.count < 1) throw new UserError('count must be a positive integer');
  const { latent, label } = generatorInputs(entry);
  const latentDim = entry.latentDim;
  if (rowSize(latent) !== latentDim) throw new Error(`${entry.name}: input ${latent.name} holds ${rowSize(latent)} values per image, latentDim is ${latentDim}`);
  const feeds = {
    [latent.name]: new ctx.Tensor('float32', latentVectors(latentDim, req.count, req.seed, effectiveTruncation(entry, req)), batchDims(latent, req.count)),
    [label.name]: labelTensor(label, index, req.count, entry.labels.length, ctx.Tensor),
  };
  const out = await ctx.session.run(feeds);
  const data = floatData(out[entry.outputs[0].name] ?? out[ctx.session.outputNames[0]]);
  const { width, height } = entry.preprocess;
  const size = width * height;
  if (data.length !== size * req.count) {
    throw new Error(`${entry.name}: generator output has ${data.length / req.count} values per image, manifest says ${width}x${height}`);
  }
  return Array.from({ length: req.count }, (_, i) => ({ width, height, data: data.slice(i * size, (i + 1) * size) }));
}

/**
 * Conditional generation as 8-bit images (paper white, ink dark), ready to encode as PNG (Node) or draw on
 * a canvas (browser). Same model, label, count and seed → the same pixels.
 */
export async function generate(ctx: PipelineContext, entry: GeneratorEntry, req: GenerateParams): Promise<GrayImage[]> {
  const images = await generateFloat(ctx, entry, req);
  return images.map((img) => floatToGray(img, entry.preprocess.range));
}
