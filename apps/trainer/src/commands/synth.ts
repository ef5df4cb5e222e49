import type { Command } from 'commander';
import { cliNumber } from '../cli-number.ts';

/** `sig synth`: the embedded synthetic-signature dataset. */
export function register(program: Command): void {
  program
    .command('synth')
    .description('draw synthetic handwritten signatures: <out>/<writer>/<i>.png plus <out>/synth.json (same seed, same bytes)')
    .option('--writers <n>', 'number of writers (classes)', '10')
    .option('--per-writer <m>', 'signatures per writer', '100')
    .option('--forgeries <f>', 'skilled forgeries per writer (another writer imitating it): <writer>/genuine/ and <writer>/forged/', '0')
    .option('--seed <s>', 'random seed', '1')
    .requiredOption('--out <dir>', 'output dataset folder')
    .action(async (opts: { writers: string; perWriter: string; forgeries: string; seed: string; out: string }) => {
      const writers = cliNumber('writers', opts.writers, 1);
      const perWriter = cliNumber('per-writer', opts.perWriter, 1);
      const forgeries = cliNumber('forgeries', opts.forgeries, 0);
      const seed = cliNumber('seed', opts.seed, -2147483648);
      const { synthesizeDataset } = await import('../data/synth/synthesize.ts');
      const { SingleBar, Presets } = await import('cli-progress');
      const bar = process.stderr.isTTY ? new SingleBar({ format: 'synth [{bar}] {value}/{total} images | ETA {eta}s' }, Presets.shades_classic) : null;
      bar?.start(writers * (perWriter + forgeries), 0);
      const t0 = performance.now();
      await synthesizeDataset({ writers, perWriter, forgeries, seed, out: opts.out, onImage: (done) => bar?.update(done) });
      bar?.stop();
      const s = (performance.now() - t0) / 1000;
      console.log(`wrote ${writers} writers × ${perWriter} signatures${forgeries ? ` + ${forgeries} forgeries` : ''} to ${opts.out} in ${s.toFixed(1)} s (seed ${seed})`);
    });
}
