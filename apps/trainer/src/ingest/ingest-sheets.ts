// `sig ingest`: photographed registration sheets → <out>/<id>/<1..4>.png + ingest-report.json.
// Sheets are processed in natural file order; each row's ID is the printed one when OCR reads it
// confidently, otherwise the running order's (previous ID + 1), and the report says which.
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { removeRuledLines, UserError } from '@sig/shared';
import { encodePng } from '@sig/shared/node/image-io.ts';
import { naturalSort } from '../data/natural-sort.ts';
import { cropGray, innerBox } from './cell-crop.ts';
import { readNumber } from './digit-ocr.ts';
import { digitTemplates } from './digit-templates.ts';
import { drawGridOverlay } from './grid-overlay.ts';
import { IngestReport, type IngestProblem, type IngestRow, type IngestSheet } from './ingest-report.ts';
import { detectGrid } from './sheet-grid.ts';
import { loadSheet } from './sheet-image.ts';
import { CELL_INSET, cropSignature } from './signature-crop.ts';
import { assignOwners, labelStrokes } from './stroke-ownership.ts';

/** Options for {@link ingestSheets}. */
export interface IngestOptions {
  sheetsDir: string;
  outDir: string;
  /** OCR reads at or above this confidence are trusted over the running order. */
  minConfidence?: number;
  /** Signature cells per row. */
  signatureColumns?: number;
  /** Folder for grid overlays (one PNG per sheet), for checking by eye. */
  debugDir?: string;
  /** Called after each sheet (progress). */
  onSheet?: (sheet: IngestSheet, index: number, total: number) => void;
}

/** Default OCR confidence above which a read ID is written as read. */
export const DEFAULT_MIN_CONFIDENCE = 0.25;

const IMAGE_EXT = /\.(jpe?g|png|tiff?|webp)$/i;

/** The sheet images in a folder, in natural order; a missing folder or one without images is a UserError. */
export async function listSheets(dir: string): Promise<string[]> {
  let names: string[];
  try {
    if (!(await stat(dir)).isDirectory()) throw new UserError(`sheets folder ${dir} is not a folder`);
    names = await readdir(dir);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`sheets folder ${dir} not found`);
  }
  const images = naturalSort(names.filter((n) => IMAGE_EXT.test(n) && !n.startsWith('.')));
  if (images.length === 0) throw new UserError(`no sheet images (PNG, JPEG, TIFF, WebP) in ${dir}`);
  return images.map((n) => join(dir, n));
}

/**
 * Creates the output folder, or empties a previous ingest's output (its ID folders and report) so no stale
 * IDs remain; any other non-empty folder is refused rather than mixed into.
 */
async function prepareOutDir(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    await mkdir(dir, { recursive: true });
    return;
  }
  if (names.length === 0) return;
  if (!names.includes('ingest-report.json'))
    throw new UserError(`output folder ${dir} is not empty and holds no earlier ingest; choose another --out`);
  for (const n of names) if (/^\d+$/.test(n) || n === 'ingest-report.json') await rm(join(dir, n), { recursive: true, force: true });
}

/** Ingests every sheet in opts.sheetsDir; writes crops and the report to opts.outDir and returns the report. */
export async function ingestSheets(opts: IngestOptions): Promise<IngestReport> {
  const minConfidence = opts.minConfidence ?? DEFAULT_MIN_CONFIDENCE;
  const sigCols = opts.signatureColumns ?? 4;
  const files = await listSheets(opts.sheetsDir);
  const templates = await digitTemplates();
  await prepareOutDir(opts.outDir);
  if (opts.debugDir) await mkdir(opts.debugDir, { recursive: true });

  const written = new Set<number>();
  const sheets: IngestSheet[] = [];
  let next = 1;
  for (const [index, file] of files.entries()) {
    const { gray, threshold } = await loadSheet(file);
    const grid = detectGrid(gray, { threshold, signatureColumns: sigCols });
    // Ruling is erased on the whole sheet, where a line is far longer than any pen stroke.
    const clean = removeRuledLines(gray, { threshold });
    // Every pen stroke belongs to the cell holding most of it (signatures may hang into a neighbour cell).
    const cellBoxes = grid.rows.flat().map((q) => innerBox(q, CELL_INSET, gray.width, gray.height));
    const strokes = labelStrokes(clean, threshold, grid);
    const owner = assignOwners(strokes, cellBoxes);
    const rows: IngestRow[] = [];
    const problems: IngestProblem[] = [];
    if (grid.rows.length === 0)
      problems.push({ row: null, kind: 'no-grid', message: `no table found (${grid.horizontal.length} row lines, ${grid.vertical.length} column lines)` });
    const labels: string[] = [];
    for (const [r, cells] of grid.rows.entries()) {
      const row = r + 1;
      const read = readNumber(cropGray(gray, innerBox(cells[0], 4, gray.width, gray.height)), templates);
      const readId = /^[1-9]\d*$/.test(read.text) ? Number(read.text) : null;
      const confident = readId !== null && read.confidence >= minConfidence;
      let id: number | null = confident ? readId : next;
      const source: IngestRow['idSource'] = confident ? 'ocr' : 'running-order';
      if (readId === null) problems.push({ row, kind: 'unreadable', message: `no ID could be read; wrote the running order's ${next}` });
      else if (!confident)
        problems.push({ row, kind: 'low-confidence', message: `read ${read.text} with confidence ${read.confidence.toFixed(2)} < ${minConfidence}; wrote the running order's ${next}` });
      if (readId !== null && readId !== next)
        problems.push({ row, kind: 'disagrees', message: `read ${read.text} (confidence ${read.confidence.toFixed(2)}) but the running order expects ${next}` });
      if (id !== null && written.has(id)) {
        problems.push({ row, kind: 'duplicate', message: `ID ${id} was already written by an earlier row; this row's crops were not written` });
        id = null;
      }
      const blankCells: number[] = [];
      if (id !== null) {
        const dir = join(opts.outDir, String(id));
        await mkdir(dir, { recursive: true });
        for (let c = 1; c <= sigCols; c++) {
          const crop = cropSignature(clean, cells[c], threshold, { ink: strokes, owner, cellIndex: r * (sigCols + 1) + c });
          if (crop.blank) blankCells.push(c);
          await writeFile(join(dir, `${c}.png`), await encodePng(crop.image));
        }
        written.add(id);
        if (blankCells.length > 0) problems.push({ row, kind: 'blank-cell', message: `no ink in signature cell(s) ${blankCells.join(', ')}` });
      }
      rows.push({ row, idRead: read.text, confidence: round(read.confidence), expectedId: next, idWritten: id, idSource: source, blankCells });
      labels.push(String(id ?? '?'));
      next = (id ?? next) + 1;
    }
    const sheet: IngestSheet = {
      file: basename(file),
      width: gray.width,
      height: gray.height,
      rowsFound: grid.rows.length,
      lines: {
        horizontal: grid.horizontal.length,
        vertical: grid.vertical.length,
        inferredHorizontal: grid.inferred.horizontal,
        inferredVertical: grid.inferred.vertical,
      },
      rows,
      problems,
    };
    sheets.push(sheet);
    if (opts.debugDir) {
      const overlay = drawGridOverlay(gray, grid, labels);
      await writeFile(join(opts.debugDir, `${basename(file).replace(/\.[^.]+$/, '')}-grid.png`), await encodePng(overlay));
    }
    opts.onSheet?.(sheet, index, files.length);
  }

  const allRows = sheets.flatMap((s) => s.rows);
  const report = IngestReport.parse({
    sheetsDir: resolve(opts.sheetsDir),
    outDir: resolve(opts.outDir),
    minConfidence,
    totals: {
      sheets: sheets.length,
      rows: allRows.length,
      ids: written.size,
      crops: written.size * sigCols,
      ocrAgrees: allRows.filter((r) => r.idRead === String(r.expectedId)).length,
      fromOcr: allRows.filter((r) => r.idSource === 'ocr').length,
      fromRunningOrder: allRows.filter((r) => r.idSource === 'running-order').length,
      problems: sheets.reduce((n, s) => n + s.problems.length, 0),
    },
    sheets,
  });
  await writeFile(join(opts.outDir, 'ingest-report.json'), JSON.stringify(report, null, 2) + '\n');
  return report;
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
