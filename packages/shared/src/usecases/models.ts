// What every use case needs from its host: the loaded models with a session each, and a way to turn an
// input (upload bytes on the server, a decoded image in the page) into preprocessed images. The server
// and the page supply these; model picking and preprocessing de-duplication are written here once.
import type { FloatImage, RawImage } from '../image/types.ts';
import { UserError } from '../errors.ts';
import type { PipelineContext } from '../pipeline/session.ts';
import { preprocess, preprocessSignature, type Box } from '../preprocess/index.ts';
import type { EntryOfKind, ModelEntry, ModelKind } from '../schemas/manifest.ts';
import type { PreprocessConfig } from '../schemas/preprocess.ts';

/** The loaded models and a session for each. */
export interface ModelSource {
  entries(): readonly ModelEntry[];
  context(entry: ModelEntry): PipelineContext | Promise<PipelineContext>;
}

/** One input → one preprocessed image per configuration, in order (decoding the input once). */
export type Preparer<I> = (input: I, configs: PreprocessConfig[]) => Promise<FloatImage[]>;

/** The named model, or the first loaded one of `kind`; a UserError (404 unknown, 400 wrong kind, 503 none) otherwise. */
export function pickModel<K extends ModelKind>(models: ModelSource, kind: K, name?: string): EntryOfKind<K> {
  const isKind = (e: ModelEntry): e is EntryOfKind<K> => e.kind === kind;
  const entries = models.entries();
  if (name !== undefined) {
    const m = entries.find((e) => e.name === name);
    if (!m) throw new UserError(`unknown model '${name}'`, 404);
    if (!isKind(m)) throw new UserError(`model '${name}' is a ${(m as ModelEntry).kind}, this route needs a ${kind}`, 400);
    return m;
  }
  const m = entries.find(isKind);
  if (!m) throw new UserError(`no ${kind} model is loaded on this server`, 503);
  return m;
}

/** Like {@link pickModel}, but undefined when no model of `kind` is loaded and none was named. */
export function findModel<K extends ModelKind>(models: ModelSource, kind: K, name?: string): EntryOfKind<K> | undefined {
  if (name === undefined && !models.entries().some((e) => e.kind === kind)) return undefined;
  return pickModel(models, kind, name);
}

const configKey = (c: PreprocessConfig): string => JSON.stringify(c, Object.keys(c).sort());

/** Preprocesses `input` once per distinct configuration among `entries`; returns one image per entry. */
export async function prepareFor<I>(preparer: Preparer<I>, input: I, entries: readonly ModelEntry[]): Promise<FloatImage[]> {
  const keys = entries.map((e) => configKey(e.preprocess));
  const unique = [...new Set(keys)];
  const images = await preparer(input, unique.map((k) => entries[keys.indexOf(k)].preprocess));
  return entries.map((e, i) => {
    const x = images[unique.indexOf(keys[i])];
    if (x.width !== e.preprocess.width || x.height !== e.preprocess.height) {
      throw new Error(`preprocess returned ${x.width}x${x.height}, ${e.name} takes ${e.preprocess.width}x${e.preprocess.height}`);
    }
    return x;
  });
}

/** The preparer for decoded images (page, CLI): the shared preprocessing on this thread. */
export const rawImagePreparer: Preparer<RawImage> = async (image, configs) =>
  configs.map((c) => preprocess(image, c));

/**
 * {@link rawImagePreparer} that also keeps where the signature was found (its ink box in the image's pixels,
 * from the first configuration prepared): the page draws it on the photo. One per image.
 */
export function boxingImagePreparer(): { prepare: Preparer<RawImage>; box(): Box | undefined } {
  let box: Box | undefined;
  return {
    prepare: async (image, configs) =>
      configs.map((c) => {
        const p = preprocessSignature(image, c);
        box ??= p.box ?? undefined;
        return p.input;
      }),
    box: () => box,
  };
}
