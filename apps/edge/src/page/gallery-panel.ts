// The page's enrolment gallery: the shared use cases (packages/shared/src/usecases/gallery.ts) over
// onnxruntime-web sessions and IndexedDB. Enrol, identify, verify and import/export work offline.
import {
  DEFAULT_GALLERY_LIMITS,
  Gallery,
  rawImagePreparer,
  type EnrolResponse,
  type GalleryList,
  type GalleryVerifyResponse,
  type IdentifyResponse,
} from '@sig/shared';
import { decodeBlob } from './decode.ts';
import { IdbGalleryStore } from './gallery-idb.ts';
import type { EdgeRuntime } from './runtime.ts';
import { byId } from './view.ts';

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** An image file as PNG bytes: PNGs as they are, anything else re-encoded by a canvas. */
async function pngBytes(blob: Blob): Promise<Uint8Array> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  if (PNG_MAGIC.every((b, i) => bytes[i] === b)) return bytes;
  const img = await decodeBlob(blob);
  const canvas = new OffscreenCanvas(img.width, img.height);
  canvas.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(img.data), img.width, img.height), 0, 0);
  return new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
}

/** What the page exposes on `window.sigEdge.gallery` (tests drive the real page code through it). */
export interface GalleryApi {
  enrol(id: string, images: Blob[], name?: string): Promise<EnrolResponse>;
  identify(image: Blob): Promise<IdentifyResponse>;
  verify(image: Blob, claimedId: string): Promise<GalleryVerifyResponse>;
  list(): Promise<GalleryList>;
  remove(id: string): Promise<void>;
  /** The gallery file (what the export button downloads). */
  exportFile(): Promise<Blob>;
  /** Reads a gallery file (from this page, another browser or `sig gallery export`). */
  importFile(file: Blob): Promise<{ students: number; references: number }>;
}

/** A blob's bytes, a chunk at a time (ReadableStream's own async iteration is not in every browser yet). */
async function* blobChunks(blob: Blob): AsyncGenerator<Uint8Array> {
  const reader = blob.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    yield value;
  }
}

/** The gallery on this page, or undefined when the manifest has no embedding model. */
export async function attachGallery(runtime: EdgeRuntime, showError: (e: unknown) => void): Promise<GalleryApi | undefined> {
  const section = byId('gallery');
  if (!runtime.pick('embedding')) {
    section.hidden = true;
    return undefined;
  }
  const store = await IdbGalleryStore.open();
  const gallery = new Gallery<Blob>({
    models: { entries: () => runtime.manifest.models, context: (e) => runtime.context(e) },
    prepare: async (blob, configs) => rawImagePreparer(await decodeBlob(blob), configs),
    store,
    limits: DEFAULT_GALLERY_LIMITS,
    toPng: pngBytes,
    fromPng: (png) => new Blob([png as Uint8Array<ArrayBuffer>], { type: 'image/png' }),
  });

  const refresh = async () => {
    const page = await gallery.list({ offset: 0, limit: 1000 });
    byId('gallery-list').replaceChildren(
      ...page.students.map((s) => Object.assign(document.createElement('li'), { textContent: `${s.id}${s.name ? ` (${s.name})` : ''}: ${s.references} reference(s)` })),
    );
    byId('gallery-count').textContent = `${page.total} enrolled in this browser`;
  };
  const api: GalleryApi = {
    async enrol(id, images, name) {
      const r = await gallery.enrol(id, images, { name, replace: true });
      await refresh();
      return r;
    },
    async identify(image) {
      const r = await gallery.identify(image, {});
      byId('identify').textContent = r.match
        ? `Enrolled: ${r.match.id} (similarity ${r.match.similarity.toFixed(3)} ≥ ${r.threshold.value.toFixed(3)} at FAR ${r.threshold.far})`
        : `Not enrolled${r.candidates[0] ? ` (closest ${r.candidates[0].id}, ${r.candidates[0].similarity.toFixed(3)} < ${r.threshold.value.toFixed(3)})` : ''}`;
      return r;
    },
    verify: (image, claimedId) => gallery.verify(image, { claimedId }),
    list: () => gallery.list({ offset: 0, limit: 1000 }),
    async remove(id) {
      await gallery.remove(id);
      await refresh();
    },
    async exportFile() {
      const lines: string[] = [];
      for await (const line of gallery.exportFile()) lines.push(line);
      return new Blob(lines, { type: 'application/x-ndjson' });
    },
    async importFile(file) {
      const r = await gallery.importFile(() => blobChunks(file));
      const s = await gallery.status();
      // A file made with another model version: embed its references with this page's model.
      if (s.unindexed > 0) await gallery.reembed();
      await refresh();
      return r;
    },
  };

  byId('enrol-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const files = [...(byId<HTMLInputElement>('enrol-files').files ?? [])];
    const id = byId<HTMLInputElement>('enrol-id').value.trim();
    const name = byId<HTMLInputElement>('enrol-name').value.trim() || undefined;
    api.enrol(id, files, name).catch(showError);
  });
  byId('gallery-export').addEventListener('click', async () => {
    try {
      const file = await api.exportFile();
      const a = Object.assign(document.createElement('a'), {
        href: URL.createObjectURL(file),
        download: 'gallery.jsonl',
      });
      a.click();
      URL.revokeObjectURL(a.href);
    } catch (err) {
      showError(err);
    }
  });
  const importInput = byId<HTMLInputElement>('gallery-import');
  importInput.addEventListener('change', async () => {
    const f = importInput.files?.[0];
    if (f) api.importFile(f).catch(showError);
  });
  await refresh();
  return api;
}
