// The gallery as Node hosts run it (server and CLI): the shared use cases over the SQL store, inputs are
// encoded image bytes, stored references are PNG.
import { DEFAULT_GALLERY_LIMITS, Gallery, type GalleryLimits, type ModelSource, type Preparer } from '@sig/shared';
import { decodeImage, encodePng } from '@sig/shared/node/image-io.ts';
import { SqlGalleryStore } from './sql-store.ts';
import type { DatabaseOptions } from './sql.ts';

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Upload bytes as PNG: PNGs are kept byte for byte, other formats are decoded and encoded as PNG. */
export async function asPng(bytes: Uint8Array, maxPixels?: number): Promise<Uint8Array> {
  if (PNG_MAGIC.every((b, i) => bytes[i] === b)) return bytes;
  return encodePng(await decodeImage(bytes, { maxPixels }));
}

export interface NodeGalleryOptions {
  models: ModelSource;
  prepare: Preparer<Uint8Array>;
  db: DatabaseOptions;
  limits?: GalleryLimits;
  maxPixels?: number;
  log?: (level: 'info' | 'warn' | 'error', msg: string) => void;
}

/** Opens the store (migrations run now) and the gallery over it. */
export async function openNodeGallery(opts: NodeGalleryOptions): Promise<{ gallery: Gallery<Uint8Array>; store: SqlGalleryStore; migrated: number[] }> {
  const { store, migrated } = await SqlGalleryStore.open(opts.db);
  const gallery = new Gallery<Uint8Array>({
    models: opts.models,
    prepare: opts.prepare,
    store,
    limits: opts.limits ?? DEFAULT_GALLERY_LIMITS,
    toPng: (bytes) => asPng(bytes, opts.maxPixels),
    fromPng: (png) => png,
    log: opts.log,
  });
  return { gallery, store, migrated };
}
