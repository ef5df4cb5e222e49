// Rough captures cut from the registration sheet photos (data/rough-capture.ts does the cutting): what a
// desk operator's phone or quick crop gives, for the capture benchmark's test images and, from other
// signatures and a separate random stream, for training-time augmentation (train/rough-copies.ts). Each
// capture is a JPEG (quality 55–90, drawn with the rest), so it is decoded exactly like an upload.
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import sharp from 'sharp';
import { inkBoundingBox, removeRuledLines, Rng } from '@sig/shared';
import { decodeImage } from '@sig/shared/node/image-io.ts';
import { roughCapture } from '../data/rough-capture.ts';
import { cropGray, innerBox } from './cell-crop.ts';
import type { IngestReport } from './ingest-report.ts';
import { listSheets } from './ingest-sheets.ts';
import { detectGrid } from './sheet-grid.ts';
import { loadSheet } from './sheet-image.ts';
import { CELL_INSET } from './signature-crop.ts';

/** One rough capture: whose signature (ID and 1-based signature number), which copy, and its JPEG bytes. */
export interface SheetRoughCapture {
  id: number;
  signature: number;
  copy: number;
  jpeg: Uint8Array;
}

/** Which captures to cut. */
export interface SheetRoughCaptureOptions {
  sheetsDir: string;
  /** The ingest report of the same sheets (it names each row's student). */
  report: IngestReport;
  /** 1-based signature numbers to cut (the row's cells after the ID column). */
  signatures: number[];
  /** Captures per signature (default 1). */
  copies?: number;
  seed: number;
  /**
   * Random stream: `test` is the capture benchmark's (one capture per signature, its draws unchanged since
   * the benchmark was first recorded), `train` a separate stream for augmentation, so no training capture
   * repeats a test capture's draws.
   */
  stream: 'test' | 'train';
  signatureColumns?: number;
}

/** The generator for one capture; the two streams share no seeds. */
function captureRng(o: SheetRoughCaptureOptions, id: number, signature: number, copy: number): Rng {
  if (o.stream === 'test') return new Rng((o.seed * 1_000_003) ^ Math.imul(id, 0x9e3779b1));
  const h = createHash('sha1').update(`train:${o.seed}:${id}:${signature}:${copy}`).digest();
  return new Rng(h.readInt32LE(0));
}

/** Cuts the requested rough captures sheet by sheet (rows in sheet order, then signature, then copy). */
export async function* sheetRoughCaptures(o: SheetRoughCaptureOptions): AsyncGenerator<SheetRoughCapture> {
  const columns = o.signatureColumns ?? 4;
  const copies = o.copies ?? 1;
  for (const file of await listSheets(o.sheetsDir)) {
    const sheetReport = o.report.sheets.find((s) => s.file === basename(file));
    if (!sheetReport) continue;
    const { gray, threshold } = await loadSheet(file);
    const grid = detectGrid(gray, { threshold, signatureColumns: columns });
    const clean = removeRuledLines(gray, { threshold });
    const photo = await decodeImage(file);
    for (const [r, cells] of grid.rows.entries()) {
      const id = sheetReport.rows[r]?.idWritten;
      if (id == null) continue;
      for (const signature of o.signatures) {
        const q = cells[signature];
        if (!q) continue;
        const cell = {
          x0: Math.min(q.topLeft.x, q.bottomLeft.x),
          x1: Math.max(q.topRight.x, q.bottomRight.x),
          y0: Math.min(q.topLeft.y, q.topRight.y),
          y1: Math.max(q.bottomLeft.y, q.bottomRight.y),
        };
        // The signature's own ink (ruled lines removed) bounds how far a clipping edge may cut.
        const inner = innerBox(q, CELL_INSET, gray.width, gray.height);
        const ink = inkBoundingBox(cropGray(clean, inner), threshold);
        const inkBounds = ink
          ? { x0: inner.x0 + ink.x, y0: inner.y0 + ink.y, x1: inner.x0 + ink.x + ink.width, y1: inner.y0 + ink.y + ink.height }
          : { x0: inner.x0, y0: inner.y0, x1: inner.x1, y1: inner.y1 };
        for (let copy = 1; copy <= copies; copy++) {
          const rng = captureRng(o, id, signature, copy);
          const { image } = roughCapture(photo, cell, inkBounds, rng);
          const quality = 55 + rng.int(36);
          const raw = { raw: { width: image.width, height: image.height, channels: image.channels as 1 | 3 | 4 } };
          const jpeg = new Uint8Array(await sharp(image.data, raw).jpeg({ quality }).toBuffer());
          yield { id, signature, copy, jpeg };
        }
      }
    }
  }
}
