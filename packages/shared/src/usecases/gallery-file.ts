// The gallery file (sig gallery export/import, the page's export/import, readable by either): every student
// with reference PNGs and their embeddings, each tagged with the model that made it.
import { GalleryFile } from '../schemas/gallery.ts';
import { UserError } from '../errors.ts';
import { fromBase64, toBase64, vectorFromBase64, vectorToBase64 } from './base64.ts';
import type { ExportedStudent } from './gallery-store.ts';

/** Students (from a store's exportAll) → a gallery file. */
export async function toGalleryFile(students: AsyncIterable<ExportedStudent> | Iterable<ExportedStudent>): Promise<GalleryFile> {
  const out: GalleryFile['students'] = [];
  for await (const s of students) {
    out.push({
      id: s.id,
      name: s.name,
      signatures: s.signatures.map((g) => ({
        png: toBase64(g.png),
        embeddings: g.embeddings.map((e) => ({ ...e.tag, vector: vectorToBase64(e.vector) })),
      })),
    });
  }
  return { format: 'sig-gallery', version: 1, exportedAt: new Date().toISOString(), students: out };
}

/** A parsed gallery file (JSON value) → students to import; a UserError says what is wrong with it. */
export function fromGalleryFile(json: unknown): ExportedStudent[] {
  const r = GalleryFile.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new UserError(`not a gallery file: ${issue.path.join('.') || '(file)'}: ${issue.message}`);
  }
  return r.data.students.map((s) => ({
    id: s.id,
    name: s.name,
    signatures: s.signatures.map((g) => ({
      png: fromBase64(g.png),
      embeddings: g.embeddings.map(({ vector, ...tag }) => ({ tag, vector: vectorFromBase64(vector) })),
    })),
  }));
}
