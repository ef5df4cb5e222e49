// `sig export --choose-truncation`: after a generator is exported, measure it as served (POST /v1/generate, then
// POST /v1/classify with the classifier in the same models folder, `sig eval generator`'s measure) from the least
// truncated setting down, and record in the manifest the first that keeps every ID at the target. A generator
// whose faint writers' samples are sometimes read as another ID is then served so that each ID's samples are its
// own, without a user having to know the flag value.
import { UserError, type GeneratorEntry, type ModelEntry } from '@sig/shared';
import { describeAgreement, generatorAgreement, leastTruncatedMeeting, startEvaluationServer, type RequestTruncation, type TruncationAgreement } from '../evaluate/served-agreement.ts';
import { readManifest, updateManifest } from './manifest.ts';

/** Tried in this order; the first that keeps every ID at the target is served. */
export const TRUNCATION_CANDIDATES: readonly RequestTruncation[] = ['none', 2, 1.5, 1.25, 1, 0.75];
export const CHOOSE_TARGET = 0.95;
export const CHOOSE_PER_ID = 120;
export const CHOOSE_SEED = 1;

/** The models folder's classifier that will judge `generator`, or a UserError saying what is missing. */
export function judgeFor(models: ModelEntry[], generator: Pick<GeneratorEntry, 'name' | 'labels'>, modelsDir: string): ModelEntry {
  const judge = models.find((m) => m.kind === 'classifier' && !m.variantOf && m.name === 'classifier') ?? models.find((m) => m.kind === 'classifier' && !m.variantOf);
  if (!judge) throw new UserError(`--choose-truncation needs a classifier in ${modelsDir} (export one first, or in the same command) to judge ${generator.name}'s samples`);
  const missing = generator.labels.filter((l) => !judge.labels.includes(l));
  if (missing.length > 0) throw new UserError(`--choose-truncation: the classifier in ${modelsDir} has no ID ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''} of ${generator.name}`);
  return judge;
}

/**
 * Which candidate to serve: the first (least truncated) with every ID at the target; when none reaches it, the
 * one whose lowest ID is highest (ties: the larger overall share).
 */
export function pickTruncation(runs: TruncationAgreement[]): TruncationAgreement {
  return leastTruncatedMeeting(runs) ?? [...runs].sort((a, b) => b.lowest.share - a.lowest.share || b.agreement - a.agreement)[0]!;
}

/** The choice and every measurement made for it. */
export interface TruncationChoice {
  truncation: number | null;
  met: boolean;
  runs: TruncationAgreement[];
}

/**
 * Measures `generatorName` in `modelsDir` (already exported there) at the candidates, least truncated first,
 * stopping at the first that keeps every ID at the target, and writes the choice into its manifest entry and
 * its variants' (no `truncation` when the choice is none).
 */
export async function chooseTruncation(modelsDir: string, generatorName: string, log: (line: string) => void = () => {}): Promise<TruncationChoice> {
  const manifest = await readManifest(modelsDir);
  const generator = manifest.models.find((m): m is GeneratorEntry => m.kind === 'generator' && m.name === generatorName);
  if (!generator) throw new UserError(`${modelsDir}/manifest.json has no generator named ${generatorName}`);
  judgeFor(manifest.models, generator, modelsDir);
  const server = await startEvaluationServer(modelsDir);
  const runs: TruncationAgreement[] = [];
  try {
    for (const candidate of TRUNCATION_CANDIDATES) {
      const r = await generatorAgreement(server.url, candidate, { ids: generator.labels, perId: CHOOSE_PER_ID, seed: CHOOSE_SEED, target: CHOOSE_TARGET });
      runs.push(r);
      log(`  ${describeAgreement(r, CHOOSE_TARGET)}`);
      if (r.below.length === 0) break;
    }
  } finally {
    await server.close();
  }
  const chosen = pickTruncation(runs);
  const patched = (await readManifest(modelsDir)).models
    .filter((m) => m.name === generatorName || m.variantOf === generatorName)
    .map((m) => {
      const { truncation: _, ...rest } = m as GeneratorEntry;
      return (chosen.truncation === null ? rest : { ...rest, truncation: chosen.truncation }) as ModelEntry;
    });
  await updateManifest(modelsDir, patched);
  return { truncation: chosen.truncation, met: chosen.below.length === 0, runs };
}
