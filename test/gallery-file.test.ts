// The gallery file: JSON Lines written and read a student at a time, in any chunking; version 1 still read;
// errors name the line and the field.
import { describe, expect, it } from 'vitest';
import { UserError } from '@sig/shared';
import { galleryFileLines, readGalleryFile } from '../packages/shared/src/usecases/gallery-file.ts';
import type { ExportedStudent } from '../packages/shared/src/usecases/gallery-store.ts';

const tag = { model: 'embedding', version: '1.0.0', sha256: 'ab'.repeat(32), preprocess: 'p1' };
const students: ExportedStudent[] = Array.from({ length: 5 }, (_, i) => ({
  id: `s${i}`,
  name: i === 1 ? 'Ada Lovelace — ü' : null,
  signatures: Array.from({ length: 1 + (i % 3) }, (_, j) => ({
    png: Uint8Array.from({ length: 40 + j }, (_, k) => (k * 31 + i) & 255),
    embeddings: [{ tag, vector: Float32Array.from({ length: 8 }, (_, k) => Math.sin(i + j + k)) }],
  })),
}));

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** `text` as UTF-8 bytes cut into pieces of `size` (cuts fall inside lines and inside multi-byte characters). */
function* bytesIn(text: string, size: number): Generator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

const readErr = (text: string) => collect(readGalleryFile([text])).then(() => null, (e: unknown) => e);

describe('gallery file', () => {
  it('round-trips students a line at a time, whatever the chunking', async () => {
    const lines = await collect(galleryFileLines(students));
    expect(lines).toHaveLength(1 + students.length);
    expect(lines.every((l) => l.endsWith('\n') && l.indexOf('\n') === l.length - 1)).toBe(true);
    expect(JSON.parse(lines[0])).toMatchObject({ format: 'sig-gallery', version: 2 });
    const text = lines.join('');
    for (const size of [1, 3, 7, 64, 1 << 20]) {
      const back = await collect(readGalleryFile(bytesIn(text, size)));
      expect(back).toEqual(students);
    }
    expect(await collect(readGalleryFile([text.replaceAll('\n', '\r\n')]))).toEqual(students);
  });

  it('reads version 1 (one JSON document), compact or pretty-printed', async () => {
    const lines = (await collect(galleryFileLines(students))).map((l) => JSON.parse(l));
    const v1 = { format: 'sig-gallery', version: 1, exportedAt: lines[0].exportedAt, students: lines.slice(1) };
    expect(await collect(readGalleryFile([JSON.stringify(v1)]))).toEqual(students);
    expect(await collect(readGalleryFile([JSON.stringify(v1, null, 2)]))).toEqual(students);
  });

  it('says which line and field is wrong', async () => {
    const [header, first] = await collect(galleryFileLines(students));
    const cases: [string, RegExp][] = [
      ['', /it is empty/],
      ['{"hello": 1}\n', /line 1 \(header\): format/],
      [`${header}${first}not json\n`, /line 3 is not JSON/],
      [`${header}${first}{"id": 7, "name": null, "signatures": []}\n`, /line 3: id/],
      [`${header}{"id": "x", "name": null, "signatures": [{"png": "AA==", "embeddings": [{}]}]}\n`, /line 2: signatures\.0\.embeddings\.0\.model/],
      ['{"format": "sig-gallery", "version": 1, "exportedAt": "x", "students": []}\n{}\n', /line 2: more after/],
      ['{\n"format": "sig-gallery",\n', /not JSON/],
    ];
    for (const [text, want] of cases) {
      const err = await readErr(text);
      expect(err, text).toBeInstanceOf(UserError);
      expect((err as Error).message).toMatch(/^not a gallery file: /);
      expect((err as Error).message).toMatch(want);
    }
  });
});
