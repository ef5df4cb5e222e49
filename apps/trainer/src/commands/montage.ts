import type { Command } from 'commander';
import { cliNumber } from '../cli-number.ts';

/** Rows drawn when --labels is not given: a sheet taller than this is no longer read by a person. */
const DEFAULT_MAX_LABELS = 200;

/** `sig montage`: a contact sheet of a folder dataset, one row per label, for checking data by eye. */
export function register(program: Command): void {
  program
    .command('montage')
    .description('render a grid of a dataset\'s images (one row per label, label at the left) to a PNG')
    .argument('<datasetDir>', 'folder dataset: <datasetDir>/<label>/<image>')
    .requiredOption('--out <png>', 'output PNG file')
    .option('--per-label <k>', 'images per row', '8')
    .option('--labels <n>', `only the first N labels (natural order); default all, at most ${DEFAULT_MAX_LABELS}`)
    .action(async (datasetDir: string, opts: { out: string; perLabel: string; labels?: string }) => {
      const perLabel = cliNumber('per-label', opts.perLabel, 1);
      const labels = opts.labels === undefined ? DEFAULT_MAX_LABELS : cliNumber('labels', opts.labels, 1);
      const { writeFile, mkdir } = await import('node:fs/promises');
      const { dirname } = await import('node:path');
      const { loadFolderDataset } = await import('../data/folder-dataset.ts');
      const { renderMontage } = await import('../data/montage.ts');
      const index = await loadFolderDataset(datasetDir);
      const png = await renderMontage(index, { perLabel, labels });
      await mkdir(dirname(opts.out), { recursive: true });
      await writeFile(opts.out, png);
      const rows = Math.min(labels, index.labels.length);
      console.log(`wrote ${opts.out}: ${rows} labels × up to ${perLabel} images (of ${index.labels.length} labels, ${index.items.length} images)`);
    });
}
