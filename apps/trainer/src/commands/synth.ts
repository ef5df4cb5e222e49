import type { Command } from 'commander';
import { setting } from '@sig/shared';
import { z } from 'zod';
import { addSettingOptions, settingsFromCommand } from '../cli-settings.ts';

/** `sig synth`'s settings: flags, help and defaults. */
export const SynthSettings = z.object({
  writers: setting(z.number().int().min(1).default(10), { flag: 'writers', arg: 'n', help: 'number of writers (classes)' }),
  perWriter: setting(z.number().int().min(1).default(100), { flag: 'per-writer', arg: 'm', help: 'signatures per writer' }),
  forgeries: setting(z.number().int().min(0).default(0), {
    flag: 'forgeries',
    arg: 'f',
    help: 'skilled forgeries per writer (another writer imitating it): <writer>/genuine/ and <writer>/forged/',
  }),
  seed: setting(z.number().int().min(-2147483648).default(1), { flag: 'seed', arg: 's', help: 'random seed' }),
  out: setting(z.string().min(1), { flag: 'out', arg: 'dir', help: 'output dataset folder' }),
});

/** `sig synth`: the embedded synthetic-signature dataset. */
export function register(program: Command): void {
  const cmd = program
    .command('synth')
    .description('draw synthetic handwritten signatures: <out>/<writer>/<i>.png plus <out>/synth.json (same seed, same bytes)');
  addSettingOptions(cmd, SynthSettings).action(async () => {
    const { writers, perWriter, forgeries, seed, out } = settingsFromCommand(SynthSettings, cmd);
    const { synthesizeDataset } = await import('../data/synth/synthesize.ts');
    const { SingleBar, Presets } = await import('cli-progress');
    const bar = process.stderr.isTTY ? new SingleBar({ format: 'synth [{bar}] {value}/{total} images | ETA {eta}s' }, Presets.shades_classic) : null;
    bar?.start(writers * (perWriter + forgeries), 0);
    const t0 = performance.now();
    await synthesizeDataset({ writers, perWriter, forgeries, seed, out, onImage: (done) => bar?.update(done) });
    bar?.stop();
    const s = (performance.now() - t0) / 1000;
    console.log(`wrote ${writers} writers × ${perWriter} signatures${forgeries ? ` + ${forgeries} forgeries` : ''} to ${out} in ${s.toFixed(1)} s (seed ${seed})`);
  });
}
