import type { Command } from 'commander';
import { commandGroup } from '../cli-group.ts';

/** `sig eval verification`: an embedding on writers it never trained on (identification, open set, 1:1). */
export function register(program: Command): void {
  commandGroup(program, 'eval', 'evaluate a model honestly on held-out data')
    .command('verification')
    .description('enrol N genuine signatures per writer; report 1:N top-1/top-5, open-set detection at FAR 1 %, 1:1 EER for random and skilled forgeries; writes results.json and det.png')
    .requiredOption('--model <dir>', 'embedding run folder (run.json) or models folder (manifest.json)')
    .option('--name <name>', 'manifest name of the embedding (models folder; default: the first embedding)')
    .requiredOption('--data <dataset>', 'writers the model never trained on: <dir> or <dir>@<writers>, e.g. ../shared/datasets/signature-forgeries@51-69')
    .option('--references <n>', 'genuine signatures each writer enrols', '3')
    .option('--impostor-share <f>', 'share of writers left unenrolled in the open-set test', '0.3')
    .option('--seed <n>', 'seed of the open-set writer draw', '1')
    .option('--out <dir>', 'folder for results.json and det.png (default: runs/eval-verification-<time>)')
    .action(async (o: { model: string; name?: string; data: string; references: string; impostorShare: string; seed: string; out?: string }) => {
      const { cliNumber } = await import('../cli-number.ts');
      const references = cliNumber('references', o.references, 1);
      const impostorShare = cliNumber('impostor-share', o.impostorShare, 0, false, 0.9);
      const seed = cliNumber('seed', o.seed);
      const out = o.out ?? `runs/eval-verification-${new Date().toISOString().replace(/[^0-9]/g, '').slice(0, 14)}`;
      const { selectBackend } = await import('../backend/select.ts');
      await selectBackend('auto');
      const { evaluateVerification } = await import('../evaluate/verification-run.ts');
      const command = ['sig', ...process.argv.slice(2)].join(' ');
      const r = await evaluateVerification({ model: o.model, name: o.name, data: o.data, references, impostorShare, seed, out, command });
      const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(2)} %`);
      const os = r.openSet.atCalibratedFar1;
      console.log(
        `${r.writers} writers, ${references} references: top-1 ${r.identification.top1.toFixed(4)} top-5 ${r.identification.top5.toFixed(4)} (${r.identification.queries} queries); ` +
          `EER random ${pct(r.verification.eerRandom)} skilled ${pct(r.verification.eerSkilled)}; ` +
          (os ? `open set at the calibrated FAR-1% threshold: DIR ${os.dir.toFixed(4)} (impostor acceptance ${pct(os.far)}); ` : '') +
          `oracle FAR-1% DIR ${r.openSet.oracleFar1.dir.toFixed(4)} → ${out}/results.json (${r.seconds.toFixed(1)} s)`,
      );
    });
}
