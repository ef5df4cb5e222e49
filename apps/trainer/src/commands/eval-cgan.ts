import type { Command } from 'commander';
import { CganEvalConfig, setting } from '@sig/shared';
import { z } from 'zod';
import { BackendSettings } from '../backend/backend-setting.ts';
import { commandGroup } from '../cli-group.ts';
import { addSettingOptions, settingsFromCommand } from '../cli-settings.ts';

/** What `sig eval cgan` reads and where it writes. */
export const EvalCganPaths = z.object({
  run: setting(z.string().min(1), { flag: 'run', arg: 'dir', help: 'CGAN run folder' }),
  classifier: setting(z.string().min(1), {
    flag: 'classifier',
    arg: 'dir',
    help: 'classifier trained on real data (labels and embedding): a run folder, or a `sig eval classifier` fold-N folder',
  }),
  data: setting(z.string().min(1), { flag: 'data', arg: 'dir', help: "dataset folder of real images (the CGAN run's held-out images are used when listed)" }),
  samples: setting(z.string().min(1).optional(), {
    flag: 'samples',
    arg: 'dir',
    help: "another generator's samples to measure in place of the run's generator: <dir>/<label>/*.png, per label --per-label + --tstr-per-label images (the first for agreement and distances, the rest for TSTR)",
  }),
  out: setting(z.string().min(1).optional(), { flag: 'out', arg: 'file', help: 'JSON file for the results', defaultText: '<run>/quality.json' }),
});

/** `sig eval cgan`: TSTR accuracy, label agreement, Fréchet distance and nearest-training-image distance of a CGAN run. */
export function register(program: Command): void {
  const cmd = commandGroup(program, 'eval', 'evaluate a trained model')
    .command('cgan')
    .description('measure a CGAN: train-on-generated/test-on-real accuracy, label agreement, Fréchet distance, nearest-training-image distance');
  for (const schema of [EvalCganPaths, CganEvalConfig, BackendSettings]) addSettingOptions(cmd, schema);
  cmd.action(async () => {
    const { evalCganRun } = await import('../evaluate/cgan-eval-run.ts');
    const paths = settingsFromCommand(EvalCganPaths, cmd);
    const { backend } = settingsFromCommand(BackendSettings, cmd);
    const r = await evalCganRun({ ...paths, backend, eval: settingsFromCommand(CganEvalConfig, cmd) });
    const from = paths.samples ? `, from ${paths.samples}` : r.snapshot !== null ? `, by the snapshot of step ${r.snapshot}` : '';
    console.log(`real images: ${r.realImages} (${r.realSource}); generated: ${r.generatedImages} (+${r.tstrTrainImages} for TSTR)${from}`);
    const trtr = Number.isNaN(r.trtrAccuracy)
      ? ''
      : `; the same recipe trained on the real training images (TRTR): ${r.trtrAccuracy.toFixed(4)}, on them at the generator's size: ${r.trtrAccuracyAtGeneratorSize.toFixed(4)}`;
    console.log(`(a) train-on-generated, test-on-real accuracy: ${r.tstrAccuracy.toFixed(4)}  (chance ${r.chance.toFixed(4)}${trtr})`);
    if (r.tstrJudgeRecipe !== null) {
      console.log(`    with the judge's own recipe (${r.tstrJudgeRecipeSteps} steps, as it trained on real): ${r.tstrJudgeRecipe.toFixed(4)}  (the judge on real: ${r.classifierRealAccuracy.toFixed(4)})`);
    }
    console.log(`(b) label agreement of generated samples:       ${r.labelAgreement.toFixed(4)}  (classifier on real: ${r.classifierRealAccuracy.toFixed(4)})`);
    console.log(`(c) Fréchet distance (embedding, d=${r.embeddingDim}):        ${r.frechetDistance.toFixed(4)}  (real vs other real images: ${r.frechetRealVsReal.toFixed(4)})`);
    console.log(`(d) nearest same-label training image, median: ${r.nearestTrainingGenerated.toFixed(4)}  (held-out real: ${r.nearestTrainingRealHeldOut.toFixed(4)}; ≪ = near-copies)`);
    if (!Number.isNaN(r.frechetAtGeneratorSize)) {
      const n = r.generatorSize;
      console.log(`    at the generator's ${n}×${n} (real images reduced to it, as FID does): Fréchet ${r.frechetAtGeneratorSize.toFixed(4)} (real vs other real: ${r.frechetRealVsRealAtGeneratorSize.toFixed(4)}); nearest ${r.nearestTrainingGeneratedAtGeneratorSize.toFixed(4)} (held-out real: ${r.nearestTrainingRealHeldOutAtGeneratorSize.toFixed(4)})`);
    }
    console.log(`(${r.seconds.toFixed(0)} s) → ${r.outFile}`);
  });
}
