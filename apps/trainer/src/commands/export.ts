import type { Command } from 'commander';
import { LatentTruncation, setting, UserError } from '@sig/shared';
import { z } from 'zod';
import { BackendSettings } from '../backend/backend-setting.ts';
import { addSettingOptions, settingsFromCommand } from '../cli-settings.ts';

/** `sig export`'s settings. */
export const ExportSettings = z.object({
  run: setting(z.array(z.string().min(1)).min(1), { flag: 'run', arg: 'runDir...', help: 'run folder(s) written by sig train' }),
  out: setting(z.string().min(1).default('models'), { flag: 'out', arg: 'modelsDir', help: 'models folder (gets <name>.onnx and manifest.json)' }),
  fp16: setting(z.boolean().default(false), { flag: 'fp16', help: 'also write <name>.fp16.onnx (float16 weights, float32 compute)' }),
  int8: setting(z.boolean().default(false), { flag: 'int8', help: 'also write <name>.int8.onnx (int8 per-channel weights via DequantizeLinear)' }),
  name: setting(z.string().min(1).optional(), { flag: 'name', arg: 'name', help: 'manifest name for the model (one run only)' }),
  version: setting(z.string().min(1).optional(), { flag: 'version', arg: 'version', help: 'version recorded in the manifest', defaultText: 'the run date' }),
  realSamples: setting(z.number().int().min(0).default(16), { flag: 'real-samples', arg: 'n', help: 'real dataset images in the parity check' }),
  truncation: setting(LatentTruncation.optional(), {
    flag: 'truncation',
    arg: 't',
    help: "generator: served latent truncation (values beyond ±t drawn again), recorded in the manifest",
    defaultText: 'none',
  }),
  chooseTruncation: setting(z.boolean().default(false), {
    flag: 'choose-truncation',
    help:
      "generator: serve the least latent truncation (none, 2, 1.5, 1.25, 1, 0.75) that keeps ≥ 95 % of every ID's samples read as that ID " +
      'by the classifier in the models folder (sig eval generator, 120 per ID, seed 1), recorded in the manifest',
  }),
});

/** `sig export`: run folders → ONNX files and models/manifest.json, each checked against TF.js first. */
export function register(program: Command): void {
  const cmd = program
    .command('export')
    .description('export trained runs (classifier, cgan generator, realfake) to ONNX with a parity check, and update the manifest');
  addSettingOptions(cmd, ExportSettings);
  addSettingOptions(cmd, BackendSettings).action(async () => {
    const o = settingsFromCommand(ExportSettings, cmd);
    const { backend } = settingsFromCommand(BackendSettings, cmd);
    // TF.js side of the parity check: the fastest backend here (all are float32). The exporter reads weights
    // synchronously, which WebGPU cannot do in Node.
    if (backend === 'webgpu') throw new UserError('sig export: --backend webgpu cannot read weights synchronously; use auto, wasm or cpu');
    const { selectBackend } = await import('../backend/select.ts');
    await selectBackend(backend, { exclude: ['webgpu'] });
    if (o.chooseTruncation && o.truncation !== undefined) throw new UserError('--choose-truncation and --truncation: give one of them');
    const { exportRuns } = await import('../export/export-run.ts');
    const { readRunInfo } = await import('../train/run-json.ts');
    if (o.chooseTruncation) {
      // Checked before anything is written: a generator to judge, and a classifier to judge it with.
      const kinds = await Promise.all(o.run.map(async (d) => (await readRunInfo(d)).kind));
      if (!kinds.includes('cgan')) throw new UserError('--choose-truncation applies to a cgan run (the generator); none of the runs is one');
      const { readManifest } = await import('../export/manifest.ts');
      if (!kinds.includes('classifier') && !(await readManifest(o.out)).models.some((m) => m.kind === 'classifier')) {
        throw new UserError(`--choose-truncation needs a classifier to judge the samples: export one into ${o.out} first, or in the same command`);
      }
    }
    const precisions = [...(o.fp16 ? (['fp16'] as const) : []), ...(o.int8 ? (['int8'] as const) : [])];
    const done = await exportRuns(o.run, o.out, {
      precisions,
      name: o.name,
      version: o.version,
      realSamples: o.realSamples,
      truncation: o.truncation,
      log: (line) => console.log(line),
    });
    console.log(`wrote ${done.length} model(s) and ${o.out}/manifest.json`);
    if (o.chooseTruncation) {
      // A cgan run among --run was checked above, so at least one generator was exported.
      const generators = done.filter((d) => d.entry.kind === 'generator' && !d.entry.variantOf);
      const { chooseTruncation } = await import('../export/choose-truncation.ts');
      for (const g of generators) {
        console.log(`choosing ${g.entry.name}'s served truncation (/v1/generate, then /v1/classify with the classifier in ${o.out}):`);
        const c = await chooseTruncation(o.out, g.entry.name, (line) => console.log(line));
        console.log(
          c.met
            ? `${g.entry.name}: served with truncation ${c.truncation ?? 'none'} (every ID ≥ 95 %), recorded in ${o.out}/manifest.json`
            : `${g.entry.name}: no candidate keeps every ID ≥ 95 %; served with ${c.truncation ?? 'none'}, whose lowest ID is highest`,
        );
      }
    }
  });
}
