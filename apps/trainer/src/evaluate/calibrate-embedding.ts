// `sig calibrate`: re-measures an embedding's thresholds on development writers (never test writers) with
// the protocol's calibration, and writes them where the model is read from: run.json of a run folder (so a
// later `sig export` carries them) or the model's manifest entry in a models folder (what the server reads).
// Training calibrates on its --holdout writers already; this is for a model calibrated before a threshold
// existed, or on a better development set.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError, type EmbeddingEntry } from '@sig/shared';
import { calibrateThresholds, calibrationFields, type Calibration, type Scoring } from './verification-protocol.ts';
import { loadEmbedder } from './verification-run.ts';
import { loadWriterSet } from '../train/embedding-data.ts';
import { loadDatasetSpec } from '../data/index.ts';

export interface CalibrateOptions {
  model: string;
  name?: string;
  data: string;
  references: number;
  scoring: Scoring;
}

/** Calibrates and writes the thresholds back; returns the calibration and the file written. */
export async function calibrateEmbedding(o: CalibrateOptions): Promise<{ calibration: Calibration; wrote: string }> {
  const embedder = await loadEmbedder(o.model, o.name);
  const index = await loadDatasetSpec(o.data);
  const set = await loadWriterSet([{ tag: 'dev', index, labels: index.labels }], embedder.preprocess);
  const embedded = await embedder.embed(set);
  let calibration: Calibration;
  try {
    calibration = calibrateThresholds(embedded, o.references, o.scoring);
  } catch (e) {
    throw e instanceof UserError ? new UserError(`${o.data}: ${e.message}`) : e;
  }
  const fields = calibrationFields(calibration, o.data);
  const runFile = join(o.model, 'run.json');
  if (await stat(runFile).then(() => true, () => false)) {
    const { readRunInfo, writeRunJson } = await import('../train/run-json.ts');
    const run = await readRunInfo(o.model);
    await writeRunJson(o.model, { ...run, ...fields });
    return { calibration, wrote: runFile };
  }
  const { readManifest, updateManifest, MANIFEST_FILE } = await import('../export/manifest.ts');
  const entry = (await readManifest(o.model)).models.find((m): m is EmbeddingEntry => m.kind === 'embedding' && (o.name === undefined || m.name === o.name))!;
  await updateManifest(o.model, [{ ...entry, ...fields }]);
  return { calibration, wrote: join(o.model, MANIFEST_FILE) };
}
