import type { Command } from 'commander';
import { setting } from '@sig/shared';
import { z } from 'zod';
import { addSettingOptions, settingsFromCommand } from '../cli-settings.ts';

/** `sig ingest`'s settings (the sheets folder is its argument). */
export const IngestSettings = z.object({
  out: setting(z.string().min(1), { flag: 'out', arg: 'datasetDir', help: 'output dataset folder (new, empty, or an earlier ingest output, which is replaced)' }),
  minConfidence: setting(z.number().min(0).max(1).default(0.25), {
    flag: 'min-confidence',
    arg: 'c',
    help: 'OCR confidence (0..1) at which a read ID is trusted over the running order',
  }),
  debug: setting(z.string().optional(), { flag: 'debug', arg: 'dir', help: 'also write each sheet with its detected grid drawn on it' }),
});

/** `sig ingest <sheetsDir> --out <datasetDir>`: photographed registration sheets → a folder dataset. */
export function register(program: Command): void {
  const cmd = program
    .command('ingest')
    .description('cut the signatures out of photographed registration sheets into <out>/<id>/<1..4>.png plus ingest-report.json')
    .argument('<sheetsDir>', 'folder of sheet photos (PNG, JPEG, TIFF, WebP), processed in natural order');
  addSettingOptions(cmd, IngestSettings).action(async (sheetsDir: string) => {
    const { out, minConfidence, debug } = settingsFromCommand(IngestSettings, cmd);
    const { ingestSheets } = await import('../ingest/ingest-sheets.ts');
    const report = await ingestSheets({
      sheetsDir,
      outDir: out,
      minConfidence,
      debugDir: debug,
      onSheet: (s, i, n) => {
        const flagged = s.problems.length > 0 ? `, ${s.problems.length} problem(s)` : '';
        const ids = s.rows.map((r) => r.idWritten).filter((v) => v !== null);
        const range = ids.length > 0 ? `IDs ${ids[0]}–${ids[ids.length - 1]}` : 'no IDs';
        console.log(`[${i + 1}/${n}] ${s.file}: ${s.rowsFound} rows, ${range}${flagged}`);
      },
    });
    const t = report.totals;
    console.log(
      `${t.ids} IDs, ${t.crops} crops from ${t.sheets} sheet${t.sheets === 1 ? '' : 's'} → ${report.outDir}; ` +
        `OCR agrees with the running order on ${t.ocrAgrees}/${t.rows} rows (${t.fromOcr} written from OCR, ` +
        `${t.fromRunningOrder} from the running order); ${t.problems} problem(s) in ingest-report.json`,
    );
  });
}
