// Every `sig` command takes its options from settings schemas (packages/shared/src/settings): flags, help and
// defaults are read from the schema, and a bad value is one readable line with a non-zero exit.
import { readdirSync, readFileSync } from 'node:fs';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { readSettings, settingFields } from '@sig/shared';
import { CalibrateSettings } from '../apps/trainer/src/commands/calibrate.ts';
import { EvalClassifierSettings } from '../apps/trainer/src/commands/eval-classifier.ts';
import { EvalRealFakeSettings } from '../apps/trainer/src/commands/eval-realfake.ts';
import { EvalVerificationSettings } from '../apps/trainer/src/commands/eval-verification.ts';
import { ExportSettings } from '../apps/trainer/src/commands/export.ts';
import { GalleryListSettings, GalleryWhere } from '../apps/trainer/src/commands/gallery.ts';
import { IngestSettings } from '../apps/trainer/src/commands/ingest.ts';
import { MontageSettings } from '../apps/trainer/src/commands/montage.ts';
import { SynthSettings } from '../apps/trainer/src/commands/synth.ts';
import { expectOneLineError, sig } from './helpers/sig-cli.ts';

const commandsDir = new URL('../apps/trainer/src/commands/', import.meta.url);

/** The `sig` program with every command registered, as cli.ts builds it (without running anything). */
async function program(): Promise<Command> {
  const p = new Command('sig').exitOverride();
  for (const file of readdirSync(commandsDir).filter((f) => f.endsWith('.ts')).sort()) {
    const mod = (await import(new URL(file, commandsDir).href)) as { register(p: Command): void };
    mod.register(p);
  }
  return p;
}

function find(p: Command, path: string[]): Command {
  let c = p;
  for (const name of path) c = c.commands.find((x) => x.name() === name) as Command;
  return c;
}

describe('command settings: one schema per command', () => {
  it('no command declares an option by hand', () => {
    for (const file of readdirSync(commandsDir).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(new URL(file, commandsDir), 'utf8');
      expect(text, file).not.toMatch(/\.(option|requiredOption|addOption)\(/);
    }
  });

  it('parses the documented defaults', () => {
    expect(readSettings(SynthSettings, { flags: { out: 'd' } })).toEqual({ writers: 10, perWriter: 100, forgeries: 0, seed: 1, out: 'd' });
    expect(readSettings(IngestSettings, { flags: { out: 'd' } })).toEqual({ out: 'd', minConfidence: 0.25 });
    expect(readSettings(MontageSettings, { flags: { out: 'm.png' } })).toEqual({ out: 'm.png', perLabel: 8, labels: 200 });
    expect(readSettings(ExportSettings, { flags: { run: ['r'] } })).toEqual({ run: ['r'], out: 'models', fp16: false, int8: false, realSamples: 16, chooseTruncation: false });
    expect(readSettings(EvalClassifierSettings, { flags: { data: 'd' } })).toEqual({ data: 'd', folds: 1, ensemble: 1, tta: 0 });
    expect(readSettings(EvalClassifierSettings, { flags: { data: 'd', only: '1, 3' } }).only).toEqual([1, 3]);
    expect(readSettings(EvalRealFakeSettings, { flags: { real: ['d'] } })).toEqual({ real: ['d'], models: 'models', perLabel: 50, seedBase: 1_000_000 });
    expect(readSettings(EvalVerificationSettings, { flags: { model: 'm', data: 'd' } })).toEqual({ model: 'm', data: 'd', references: 3, impostorShare: 0.3, seed: 1, scoring: 'max', verifierWeight: 1 });
    expect(readSettings(CalibrateSettings, { flags: { model: 'm', data: 'd' } })).toEqual({ model: 'm', data: 'd', references: 3, scoring: 'max' });
    expect(readSettings(GalleryListSettings, {})).toEqual({ limit: 1000, offset: 0 });
    // The gallery commands find the gallery where `sig serve` does: same flags, variables and defaults.
    expect(readSettings(GalleryWhere, { env: { SIG_DATA_DIR: 'g', DATABASE_URL: '' } })).toEqual({ galleryDataDir: 'g', modelsDir: 'models' });
  });

  it('registers each schema field as its flag, help showing the default, required ones mandatory', async () => {
    const p = await program();
    const synth = find(p, ['synth']);
    for (const f of settingFields(SynthSettings)) expect(synth.options.map((o) => o.long)).toContain(`--${f.meta.flag}`);
    expect(synth.options.find((o) => o.long === '--out')?.mandatory).toBe(true);
    expect(synth.helpInformation()).toMatch(/--per-writer <m>\s+signatures per writer \(default 100\)/);
    expect(find(p, ['export']).helpInformation()).toMatch(/--run <runDir\.\.\.>/);
    expect(find(p, ['eval', 'classifier']).helpInformation()).toMatch(/--tta <n>\s+test-time augmentation[^]*default 0\)/);
    expect(find(p, ['train', 'embedding']).helpInformation()).toMatch(/--no-augment\s+turn off on-the-fly augmentation/);
    const galleryHelp = find(p, ['gallery', 'list']).helpInformation().replace(/\s+/g, ' ');
    expect(galleryHelp).toMatch(/--data-dir <dir> [^]*env SIG_DATA_DIR; default data\/gallery/);
  });

  it.each([
    [['synth', '--out', 'x', '--writers', '1.5'], /^sig: --writers must be an integer ≥ 1 \(got '1\.5'\)$/],
    [['ingest', 'no-sheets', '--out', 'x', '--min-confidence', '2'], /^sig: --min-confidence must be a number in \[0, 1\] \(got '2'\)$/],
    [['montage', 'no-data', '--out', 'x.png', '--per-label', '0'], /^sig: --per-label must be an integer ≥ 1/],
    [['export', '--run', 'r', '--real-samples', 'many'], /^sig: --real-samples must be an integer ≥ 0 \(got 'many'\)$/],
    [['eval', 'classifier', '--data', 'd', '--tta', '-1'], /^sig: --tta must be an integer ≥ 0 \(got '-1'\)$/],
    [['eval', 'classifier', '--data', 'd', '--folds', '2', '--only', '3'], /^sig: --only must list folds from 1 to 2/],
    [['train', 'embedding', '--data', 'd', '--out', 'o', '--objective', 'triplet'], /^sig: --objective: /],
    [['train', 'classifier', '--data', 'd', '--out', 'o', '--backend', 'gpu'], /^sig: --backend: /],
    [['gallery', 'list', '--limit', '0'], /^sig: --limit must be an integer in \[1, 1000\] \(got '0'\)$/],
  ])('sig %j: one readable line, exit ≠ 0', async (args, re) => {
    expectOneLineError(await sig(args), re);
  });

  it('a missing required option exits ≠ 0 naming it', async () => {
    const r = await sig(['synth']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/required option '--out <dir>' not specified/);
  });
});
