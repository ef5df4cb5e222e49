import type { Command } from 'commander';
import { backendOption } from '../backend/cli-option.ts';

/** `sig export`: run folders → ONNX files and models/manifest.json, each checked against TF.js first. */
export function register(program: Command): void {
  program
    .command('export')
    .description('export trained runs (classifier, cgan generator, realfake) to ONNX with a parity check, and update the manifest')
    .requiredOption('--run <runDir...>', 'run folder(s) written by sig train')
    .option('--out <modelsDir>', 'models folder (gets <name>.onnx and manifest.json)', 'models')
    .option('--fp16', 'also write <name>.fp16.onnx (float16 weights, float32 compute)')
    .option('--int8', 'also write <name>.int8.onnx (int8 per-channel weights via DequantizeLinear)')
    .option('--name <name>', 'manifest name for the model (one run only)')
    .option('--version <version>', 'version recorded in the manifest (default: the run date)')
    .option('--real-samples <n>', 'real dataset images in the parity check', '16')
    .addOption(backendOption())
    .action(async (opts: { run: string[]; out: string; fp16?: boolean; int8?: boolean; name?: string; version?: string; realSamples: string; backend: string }) => {
      const { cliNumber } = await import('../cli-number.ts');
      const realSamples = cliNumber('real-samples', opts.realSamples, 0);
      // TF.js side of the parity check: the fastest backend here (all are float32).
      // The exporter reads weights synchronously, which WebGPU cannot do in Node.
      if (opts.backend === 'webgpu') {
        const { UserError } = await import('@sig/shared');
        throw new UserError('sig export: --backend webgpu cannot read weights synchronously; use auto, wasm or cpu');
      }
      const { selectBackend } = await import('../backend/select.ts');
      await selectBackend(opts.backend, { exclude: ['webgpu'] });
      const { exportRuns } = await import('../export/export-run.ts');
      const precisions = [...(opts.fp16 ? (['fp16'] as const) : []), ...(opts.int8 ? (['int8'] as const) : [])];
      const done = await exportRuns(opts.run, opts.out, {
        precisions,
        name: opts.name,
        version: opts.version,
        realSamples,
        log: (line) => console.log(line),
      });
      console.log(`wrote ${done.length} model(s) and ${opts.out}/manifest.json`);
    });
}
