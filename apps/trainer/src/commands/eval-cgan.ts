import type { Command } from 'commander';
import { CganEvalConfig } from '@sig/shared';
import { backendOption } from '../backend/cli-option.ts';
import { commandGroup } from '../cli-group.ts';
import { addSettingOptions, settingsFromCommand } from '../cli-settings.ts';

/** `sig eval cgan`: TSTR accuracy, label agreement, Fréchet distance and nearest-training-image distance of a CGAN run. */
export function register(program: Command): void {
  const cmd = commandGroup(program, 'eval', 'evaluate a trained model')
    .command('cgan')
    .description('measure a CGAN: train-on-generated/test-on-real accuracy, label agreement, Fréchet distance, nearest-training-image distance')
    .requiredOption('--run <dir>', 'CGAN run folder')
    .requiredOption('--classifier <dir>', 'classifier trained on real data (labels and embedding): a run folder, or a `sig eval classifier` fold-N folder')
    .requiredOption('--data <dir>', "dataset folder of real images (the CGAN run's held-out images are used when listed)");
  addSettingOptions(cmd, CganEvalConfig)
    .option('--out <file>', 'JSON file for the results (default: <run>/quality.json)')
    .addOption(backendOption())
    .action(async (opts: { run: string; classifier: string; data: string; out?: string; backend: string }) => {
      const { evalCganRun } = await import('../evaluate/cgan-eval-run.ts');
      const r = await evalCganRun({ ...opts, eval: settingsFromCommand(CganEvalConfig, cmd) });
      console.log(`real images: ${r.realImages} (${r.realSource}); generated: ${r.generatedImages} (+${r.tstrTrainImages} for TSTR)`);
      console.log(`(a) train-on-generated, test-on-real accuracy: ${r.tstrAccuracy.toFixed(4)}  (chance ${r.chance.toFixed(4)})`);
      console.log(`(b) label agreement of generated samples:       ${r.labelAgreement.toFixed(4)}  (classifier on real: ${r.classifierRealAccuracy.toFixed(4)})`);
      console.log(`(c) Fréchet distance (embedding, d=${r.embeddingDim}):        ${r.frechetDistance.toFixed(4)}  (real vs other real images: ${r.frechetRealVsReal.toFixed(4)})`);
      console.log(`(d) nearest same-label training image, median: ${r.nearestTrainingGenerated.toFixed(4)}  (held-out real: ${r.nearestTrainingRealHeldOut.toFixed(4)}; ≪ = near-copies)`);
      console.log(`(${r.seconds.toFixed(0)} s) → ${r.outFile}`);
    });
}
