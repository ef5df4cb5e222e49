// ingest-report.json: what `sig ingest` found on every sheet, so a person can check each ID it wrote.
import { z } from 'zod';

/** One table row: the ID read from the printed column, the ID expected from the running order, and the one written. */
export const IngestRow = z.object({
  /** Row index on the sheet, 1-based from the top. */
  row: z.number().int().positive(),
  /** Digits read by OCR ('' when nothing could be read). */
  idRead: z.string(),
  /** OCR confidence in [0, 1]: the weakest digit's correlation above the floor times its lead over the runner-up. */
  confidence: z.number().min(0).max(1),
  /** ID the running order predicts (previous row's ID + 1; 1 for the first row of the first sheet). */
  expectedId: z.number().int().positive(),
  /** Folder the row's crops went to (null when they could not be written). */
  idWritten: z.number().int().positive().nullable(),
  /** 'ocr': the confident OCR read was used; 'running-order': OCR was not confident, the expected ID was used. */
  idSource: z.enum(['ocr', 'running-order']),
  /** Signature cells (1-based) in which no ink was found; the whole cell was written instead. */
  blankCells: z.array(z.number().int().positive()),
});
export type IngestRow = z.infer<typeof IngestRow>;

/** A row that needs a person's look. */
export const IngestProblem = z.object({
  row: z.number().int().positive().nullable(),
  kind: z.enum(['unreadable', 'low-confidence', 'disagrees', 'duplicate', 'blank-cell', 'no-grid']),
  message: z.string(),
});
export type IngestProblem = z.infer<typeof IngestProblem>;

export const IngestSheet = z.object({
  file: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  rowsFound: z.number().int().nonnegative(),
  lines: z.object({
    horizontal: z.number().int(),
    vertical: z.number().int(),
    /** Lines not seen in the photo (cut off at its edge) but placed from the table's pitch. */
    inferredHorizontal: z.number().int(),
    inferredVertical: z.number().int(),
  }),
  rows: z.array(IngestRow),
  problems: z.array(IngestProblem),
});
export type IngestSheet = z.infer<typeof IngestSheet>;

export const IngestReport = z.object({
  sheetsDir: z.string(),
  outDir: z.string(),
  /** OCR reads at or above this confidence are written as read; below it the running order decides. */
  minConfidence: z.number(),
  totals: z.object({
    sheets: z.number().int(),
    rows: z.number().int(),
    ids: z.number().int(),
    crops: z.number().int(),
    /** Rows whose OCR read equals the running order's ID. */
    ocrAgrees: z.number().int(),
    /** Rows written from a confident OCR read / from the running order. */
    fromOcr: z.number().int(),
    fromRunningOrder: z.number().int(),
    problems: z.number().int(),
  }),
  sheets: z.array(IngestSheet),
});
export type IngestReport = z.infer<typeof IngestReport>;
