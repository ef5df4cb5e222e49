// A contact sheet of a folder dataset: one row per label, the label written at the left, the first
// images of that label beside it, so a person can check ingestion or synthesis at a glance.
import sharp from 'sharp';
import { decodeImage } from '@sig/shared/node/image-io.ts';
import type { DatasetIndex } from './folder-dataset.ts';

export interface MontageOptions {
  /** Images per row (default 8). */
  perLabel?: number;
  /** Rows: the first N labels in natural order (default all). */
  labels?: number;
  /** Cell size in pixels; each image is fitted inside, keeping its aspect (default 180 × 72). */
  cellWidth?: number;
  cellHeight?: number;
}

const GAP = 6;
const LABEL_W = 70;
const TITLE_H = 28;

/** Renders the montage as PNG bytes. */
export async function renderMontage(index: DatasetIndex, opts: MontageOptions = {}): Promise<Uint8Array> {
  const perLabel = opts.perLabel ?? 8;
  const cw = opts.cellWidth ?? 180, ch = opts.cellHeight ?? 72;
  const labels = index.labels.slice(0, opts.labels ?? index.labels.length);
  const rows = labels.map((l) => index.items.filter((it) => it.label === l).slice(0, perLabel));
  const width = LABEL_W + perLabel * (cw + GAP) + GAP;
  const height = TITLE_H + rows.length * (ch + GAP) + GAP;

  // Decoded by the project's one decoder, so a damaged or foreign file is a readable error naming it.
  const tile = async (path: string): Promise<Buffer> => {
    const im = await decodeImage(path);
    return sharp(im.data, { raw: { width: im.width, height: im.height, channels: im.channels } })
      .flatten({ background: '#ffffff' })
      .resize(cw, ch, { fit: 'contain', background: '#ffffff' })
      .png()
      .toBuffer();
  };
  const tiles = await Promise.all(
    rows.flatMap((row, r) =>
      row.map(async (it, c) => ({
        input: await tile(it.path),
        left: LABEL_W + GAP + c * (cw + GAP),
        top: TITLE_H + GAP + r * (ch + GAP),
      })),
    ),
  );

  // Labels, cell outlines (to see each crop's extent) and a title, drawn as one SVG layer.
  const esc = (s: string): string => s.replace(/[&<>"]/g, (m) => `&#${m.charCodeAt(0)};`);
  const svg: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">`];
  svg.push(
    `<text x="${GAP}" y="19" font-family="DejaVu Sans, sans-serif" font-size="14" fill="#333">${esc(
      `${index.root} — ${index.labels.length} labels, ${index.items.length} images (showing ${labels.length} × ≤${perLabel})`,
    )}</text>`,
  );
  rows.forEach((row, r) => {
    const top = TITLE_H + GAP + r * (ch + GAP);
    svg.push(
      `<text x="${LABEL_W - 8}" y="${top + ch / 2 + 6}" text-anchor="end" font-family="DejaVu Sans, sans-serif" font-size="16" font-weight="bold" fill="#c00">${esc(labels[r])}</text>`,
    );
    row.forEach((_, c) => {
      svg.push(`<rect x="${LABEL_W + GAP + c * (cw + GAP) - 0.5}" y="${top - 0.5}" width="${cw + 1}" height="${ch + 1}" fill="none" stroke="#9ab" stroke-width="1"/>`);
    });
  });
  svg.push('</svg>');

  const png = await sharp({ create: { width, height, channels: 3, background: '#f4f4f4' } })
    .composite([...tiles, { input: Buffer.from(svg.join('')), left: 0, top: 0 }])
    .png()
    .toBuffer();
  return new Uint8Array(png);
}
