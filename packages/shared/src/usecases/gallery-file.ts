// The gallery file (sig gallery export/import, the page's export/import, readable by either): every student
// with reference PNGs and their embeddings, each tagged with the model that made it. Version 2 is JSON
// Lines (a header, then a student per line), written and read a student at a time, so its size is bounded
// by the disk, not by the largest string a JavaScript engine can hold. Version 1 (one JSON document) is
// still read.
import { GalleryFileHeader, GalleryFileStudent, GalleryFileV1 } from '../schemas/gallery.ts';
import { UserError } from '../errors.ts';
import { fromBase64, toBase64, vectorFromBase64, vectorToBase64 } from './base64.ts';
import type { ExportedStudent } from './gallery-store.ts';

/** Students (from a store's exportAll) → the lines of a gallery file, each ending in a newline. */
export async function* galleryFileLines(students: AsyncIterable<ExportedStudent> | Iterable<ExportedStudent>): AsyncGenerator<string> {
  const header: GalleryFileHeader = { format: 'sig-gallery', version: 2, exportedAt: new Date().toISOString() };
  yield `${JSON.stringify(header)}\n`;
  for await (const s of students) {
    const line: GalleryFileStudent = {
      id: s.id,
      name: s.name,
      signatures: s.signatures.map((g) => ({
        png: toBase64(g.png),
        embeddings: g.embeddings.map((e) => ({ ...e.tag, vector: vectorToBase64(e.vector) })),
      })),
    };
    yield `${JSON.stringify(line)}\n`;
  }
}

/** Text or bytes (UTF-8) in any chunking → lines, without their line ends. */
async function* linesOf(chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of chunks) {
    rest += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = rest.indexOf('\n')) >= 0) {
      yield rest.slice(0, nl).replace(/\r$/, '');
      rest = rest.slice(nl + 1);
    }
  }
  rest += decoder.decode();
  if (rest.length > 0) yield rest.replace(/\r$/, '');
}

function fromFileStudent(s: GalleryFileStudent): ExportedStudent {
  return {
    id: s.id,
    name: s.name,
    signatures: s.signatures.map((g) => ({
      png: fromBase64(g.png),
      embeddings: g.embeddings.map(({ vector, ...tag }) => ({ tag, vector: vectorFromBase64(vector) })),
    })),
  };
}

function invalid(where: string, issue: { path: PropertyKey[]; message: string }): UserError {
  return new UserError(`not a gallery file: ${where}${issue.path.map(String).join('.') || '(value)'}: ${issue.message}`);
}

/**
 * A gallery file's text or bytes → its students, one at a time; a UserError names the line and field that
 * is wrong. Version 1 files (one JSON document) are read whole.
 */
export async function* readGalleryFile(chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>): AsyncGenerator<ExportedStudent> {
  let lineNo = 0;
  let v1: string | undefined;
  let whole = false; // a version 1 document on the first line was the whole file
  for await (const line of linesOf(chunks)) {
    lineNo++;
    if (v1 !== undefined) {
      v1 += `\n${line}`;
      continue;
    }
    if (line.trim() === '') continue;
    if (whole) throw new UserError(`not a gallery file: line ${lineNo}: more after the version 1 document`);
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      if (lineNo === 1 && line.trimStart().startsWith('{')) {
        v1 = line; // a pretty-printed version 1 document: gather it whole
        continue;
      }
      throw new UserError(`not a gallery file: line ${lineNo} is not JSON`);
    }
    if (lineNo === 1) {
      if ((value as { version?: unknown } | null)?.version === 1) {
        yield* readV1(value);
        whole = true;
        continue;
      }
      const h = GalleryFileHeader.safeParse(value);
      if (!h.success) throw invalid('line 1 (header): ', h.error.issues[0]);
      continue;
    }
    const s = GalleryFileStudent.safeParse(value);
    if (!s.success) throw invalid(`line ${lineNo}: `, s.error.issues[0]);
    yield fromFileStudent(s.data);
  }
  if (lineNo === 0) throw new UserError('not a gallery file: it is empty');
  if (v1 !== undefined) {
    let value: unknown;
    try {
      value = JSON.parse(v1);
    } catch {
      throw new UserError('not a gallery file: not JSON');
    }
    yield* readV1(value);
  }
}

function* readV1(value: unknown): Generator<ExportedStudent> {
  const r = GalleryFileV1.safeParse(value);
  if (!r.success) throw invalid('', r.error.issues[0]);
  for (const s of r.data.students) yield fromFileStudent(s);
}
