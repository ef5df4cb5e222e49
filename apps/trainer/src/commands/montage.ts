import type { Command } from 'commander';
import { setting } from '@sig/shared';
import { z } from 'zod';
import { addSettingOptions, settingsFromCommand } from '../cli-settings.ts';

/** Rows drawn when --labels is not given: a sheet taller than this is no longer read by a person. */
const DEFAULT_MAX_LABELS = 200;

/** `sig montage`'s settings (the dataset folder is its argument). */
export const MontageSettings = z.object({
  out: setting(z.string().min(1), { flag: 'out', arg: 'png', help: 'output PNG file' }),
  perLabel: setting(z.number().int().min(1).default(8), { flag: 'per-label', arg: 'k', help: 'images per row' }),
  labels: setting(z.number().int().min(1).default(DEFAULT_MAX_LABELS), {
    flag: 'labels',
    arg: 'n',
    help: 'only the first N labels (natural order)',
    defaultText: `all, at most ${DEFAULT_MAX_LABELS}`,
  }),
});

/** `sig montage`: a contact sheet of a folder dataset, one row per label, for checking data by eye. */
export function register(program: Command): void {
  const cmd = program
    .command('montage')
    .description("render a grid of a dataset's images (one row per label, label at the left) to a PNG")
    .argument('<datasetDir>', 'folder dataset: <datasetDir>/<label>/<image>');
  addSettingOptions(cmd, MontageSettings).action(async (datasetDir: string) => {
    const { out, perLabel, labels } = settingsFromCommand(MontageSettings, cmd);
    const { writeFile, mkdir } = await import('node:fs/promises');
    const { dirname } = await import('node:path');
    const { loadFolderDataset } = await import('../data/folder-dataset.ts');
    const { renderMontage } = await import('../data/montage.ts');
    const index = await loadFolderDataset(datasetDir);
    const png = await renderMontage(index, { perLabel, labels });
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, png);
    const rows = Math.min(labels, index.labels.length);
    console.log(`wrote ${out}: ${rows} labels × up to ${perLabel} images (of ${index.labels.length} labels, ${index.items.length} images)`);
  });
}
