// The manifest's models on plain onnxruntime-node sessions in this process, checked like the server checks
// them (schema, sha256): what the CLI and the benchmarks run the gallery use cases on, without a server.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { Manifest, UserError, type ModelEntry, type ModelKind, type ModelSource, type PipelineContext, type TensorCtorLike } from '@sig/shared';

/** A ModelSource over `<dir>/manifest.json` (only the entries of `kinds`), with sessions created on first use. */
export async function localModels(dir: string, kinds: ModelKind[], opts: { intraOpThreads?: number } = {}): Promise<ModelSource & { close(): Promise<void> }> {
  let manifest: Manifest;
  try {
    manifest = Manifest.parse(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')));
  } catch (err) {
    throw new UserError(`cannot read a model manifest at ${join(dir, 'manifest.json')}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  const entries = manifest.models.filter((m) => kinds.includes(m.kind));
  const sessions = new Map<string, Promise<ort.InferenceSession>>();
  const open = async (entry: ModelEntry): Promise<ort.InferenceSession> => {
    const bytes = await readFile(join(dir, entry.file));
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (sha !== entry.sha256) throw new UserError(`${join(dir, entry.file)}: sha256 mismatch with the manifest; export it again`);
    return ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], intraOpNumThreads: opts.intraOpThreads ?? 1 });
  };
  return {
    entries: () => entries,
    async context(entry): Promise<PipelineContext> {
      let s = sessions.get(entry.name);
      if (!s) sessions.set(entry.name, (s = open(entry)));
      return { session: await s, Tensor: ort.Tensor as unknown as TensorCtorLike };
    },
    async close() {
      for (const s of sessions.values()) await (await s.catch(() => undefined))?.release();
    },
  };
}
