// One signature out of its table cell: cut inside the cell's lines from the sheet whose ruling the shared
// line remover already erased (on the whole sheet, where a ruled line is far longer than any pen stroke),
// clear ruling slivers left at the cut's edges, crop to the ink with a margin and lift the paper to white.
// Native resolution, paper white, ink dark.
import { growBox, inkBoundingBox, type GrayImage } from '@sig/shared';
import { cropGray, innerBox } from './cell-crop.ts';
import { components } from './components.ts';
import type { CellQuad } from './sheet-grid.ts';
import { ownStrokes, type SheetInk } from './stroke-ownership.ts';

/** Pixels kept clear of a cell's lines (the ruling is 1–2 px wide; the fitted line may be off by ~1 px). */
export const CELL_INSET = 3;

/** A cropped signature, or the whole cell interior with `blank` set when no ink was found. */
export interface SignatureCrop {
  image: GrayImage;
  blank: boolean;
}

/** The sheet's strokes and which cell owns each (see stroke-ownership.ts). */
export interface StrokeContext {
  ink: SheetInk;
  owner: Int32Array;
  /** This cell's index in the list of boxes the owners were assigned over. */
  cellIndex: number;
}

/**
 * Crops the signature in cell `q` of `sheet` (flattened, ruling removed); `threshold` separates ink from
 * paper. With `strokes`, the cell's own strokes are followed outside it and strokes owned by other cells
 * are removed.
 */
export function cropSignature(sheet: GrayImage, q: CellQuad, threshold: number, strokes?: StrokeContext, marginFrac = 0.05): SignatureCrop {
  const box = innerBox(q, CELL_INSET, sheet.width, sheet.height);
  let clean = cropGray(sheet, box);
  removeEdgeRuling(clean, threshold);
  if (strokes) {
    const reach = { x: Math.round(0.3 * (box.x1 - box.x0)), y: Math.round(0.6 * (box.y1 - box.y0)) };
    clean = ownStrokes(sheet, strokes.ink, strokes.owner, strokes.cellIndex, box, clean, reach);
  }
  const ink = inkBoundingBox(clean, threshold);
  if (!ink) return { image: paperToWhite(clean, threshold), blank: true };
  const m = Math.max(4, Math.round(marginFrac * Math.max(ink.width, ink.height)));
  const g = growBox(ink, m);
  const x0 = Math.max(0, g.x);
  const y0 = Math.max(0, g.y);
  const x1 = Math.min(clean.width, g.x + g.width);
  const y1 = Math.min(clean.height, g.y + g.height);
  return { image: paperToWhite(cropGray(clean, { x0, y0, x1, y1 }), threshold), blank: false };
}

/**
 * Levels so the paper is 255: the flattened sheet leaves paper a little below white (its background
 * estimate is a local maximum). The paper level is the crop's median of non-ink pixels; ink keeps its grey.
 */
function paperToWhite(img: GrayImage, t: number): GrayImage {
  const hist = new Uint32Array(256);
  let n = 0;
  for (const v of img.data) if (v > t) (hist[v]++, n++);
  let paper = 255;
  for (let v = 0, acc = 0; v < 256; v++) if ((acc += hist[v]) * 2 >= n) {
    paper = v;
    break;
  }
  if (n === 0 || paper >= 254) return img;
  const out = new Uint8ClampedArray(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = (img.data[i] * 255) / paper;
  return { width: img.width, height: img.height, data: out };
}

/** How close to a cell edge (px) a thin ink piece parallel to it counts as leftover ruling. */
const EDGE_BAND = 10;
/** Thickest leftover ruling (px) across its length. */
const MAX_RULING_THICKNESS = 5;

/**
 * Sets to paper the leftover ruling the sheet-wide remover missed where the paper curls: connected ink
 * pieces that lie within EDGE_BAND of a cell edge, run parallel to it and are at most a few pixels thick.
 * Pen strokes are thicker across, leave the band or run across the edge, so they stay.
 */
function removeEdgeRuling(img: GrayImage, t: number): void {
  const { width: w, height: h, data } = img;
  const mask = new Uint8Array(w * h);
  for (let i = 0; i < mask.length; i++) mask[i] = data[i] <= t ? 1 : 0;
  const { boxes, labels } = components(mask, w, h);
  const drop = boxes.map((c) => {
    const bw = c.x1 - c.x0;
    const bh = c.y1 - c.y0;
    const horizontal = bh <= MAX_RULING_THICKNESS && bw >= 2 * bh && (c.y0 < EDGE_BAND || c.y1 > h - EDGE_BAND);
    const vertical = bw <= MAX_RULING_THICKNESS && bh >= 2 * bw && (c.x0 < EDGE_BAND || c.x1 > w - EDGE_BAND);
    return horizontal || vertical;
  });
  for (let i = 0; i < labels.length; i++) if (labels[i] >= 0 && drop[labels[i]]) data[i] = 255;
}
