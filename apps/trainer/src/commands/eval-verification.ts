import type { Command } from 'commander';
import { EmbeddingScoring, setting } from '@sig/shared';
import { z } from 'zod';
import { commandGroup } from '../cli-group.ts';
import { addSettingOptions, settingsFromCommand } from '../cli-settings.ts';

/** `sig eval verification`'s settings. */
export const EvalVerificationSettings = z.object({
  model: setting(z.string().min(1), { flag: 'model', arg: 'dir', help: 'embedding run folder (run.json) or models folder (manifest.json)' }),
  name: setting(z.string().min(1).optional(), { flag: 'name', arg: 'name', help: 'manifest name of the embedding (models folder)', defaultText: 'the first embedding' }),
  data: setting(z.string().min(1), {
    flag: 'data',
    arg: 'dataset',
    help: 'writers the model never trained on: <dir> or <dir>@<writers>, e.g. ../shared/datasets/signature-forgeries@51-69',
  }),
  references: setting(z.number().int().min(1).default(3), { flag: 'references', arg: 'n', help: 'genuine signatures each writer enrols' }),
  impostorShare: setting(z.number().min(0).max(0.9).default(0.3), { flag: 'impostor-share', arg: 'f', help: 'share of writers left unenrolled in the open-set test' }),
  scoring: setting(EmbeddingScoring.default('max'), { flag: 'scoring', arg: 'how', help: 'max: best single reference (what the gallery does); template: their normalised mean' }),
  seed: setting(z.number().int().default(1), { flag: 'seed', arg: 'n', help: 'seed of the open-set writer draw' }),
  verifier: setting(z.string().min(1).optional(), {
    flag: 'verifier',
    arg: 'dir',
    help: 'a pairwise verifier run folder (sig train verifier): score = cosine + weight × its mean same-writer probability (no calibrated thresholds then)',
  }),
  verifierWeight: setting(z.number().min(0).default(1), { flag: 'verifier-weight', arg: 'w', help: 'weight of the verifier’s probability in the fused score (choose it on development writers, docs/evaluation-verification.md)' }),
  out: setting(z.string().min(1).optional(), { flag: 'out', arg: 'dir', help: 'folder for results.json and det.png', defaultText: 'runs/eval-verification-<time>' }),
});

/** `sig eval verification`: an embedding on writers it never trained on (identification, open set, 1:1). */
export function register(program: Command): void {
  const cmd = commandGroup(program, 'eval', 'evaluate a model honestly on held-out data')
    .command('verification')
    .description('enrol N genuine signatures per writer; report 1:N top-1/top-5, open-set detection at FAR 1 %, 1:1 EER for random and skilled forgeries; writes results.json and det.png');
  addSettingOptions(cmd, EvalVerificationSettings).action(async () => {
    const o = settingsFromCommand(EvalVerificationSettings, cmd);
    const { references, impostorShare, seed, scoring } = o;
    const out = o.out ?? `runs/eval-verification-${new Date().toISOString().replace(/[^0-9]/g, '').slice(0, 14)}`;
    const { selectBackend } = await import('../backend/select.ts');
    await selectBackend('auto');
    const { evaluateVerification } = await import('../evaluate/verification-run.ts');
    const command = ['sig', ...process.argv.slice(2)].join(' ');
    const r = await evaluateVerification({ model: o.model, name: o.name, data: o.data, references, impostorShare, seed, scoring, verifier: o.verifier, verifierWeight: o.verifierWeight, out, command });
    const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(2)} %`);
    const os = r.openSet.atCalibratedOpen1;
    const of = r.openSet.atCalibratedFar1;
    console.log(
      `${r.writers} writers, ${references} references: top-1 ${r.identification.top1.toFixed(4)} top-5 ${r.identification.top5.toFixed(4)} (${r.identification.queries} queries); ` +
        `EER random ${pct(r.verification.eerRandom)} skilled ${pct(r.verification.eerSkilled)}; ` +
        (os ? `open set at the calibrated open1 threshold: DIR ${os.dir.toFixed(4)} (impostor acceptance ${pct(os.far)}); ` : '') +
        (of ? `at the 1:1 FAR-1% threshold: DIR ${of.dir.toFixed(4)} (impostor acceptance ${pct(of.far)}); ` : '') +
        `oracle FAR-1% DIR ${r.openSet.oracleFar1.dir.toFixed(4)} → ${out}/results.json (${r.seconds.toFixed(1)} s)`,
    );
  });
}
