// The gallery's model tag: embeddings are compared only with embeddings of the same tag, and a tag that changed
// sends the stored references to re-embedding (`sig gallery reembed`, the server's start; test/gallery-cli.test.ts).
// The tag carries the preprocessing code's revision, so a preprocessing change reaches stored galleries too.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { Manifest, PREPROCESS_REVISION } from '@sig/shared';
import { modelTag, tagKey } from '../packages/shared/src/usecases/gallery-store.ts';

describe('gallery model tag', () => {
  it('holds the manifest preprocessing and the preprocessing revision; a tag stored before the revision is another tag', async () => {
    const manifest = Manifest.parse(JSON.parse(await readFile('models/manifest.json', 'utf8')));
    const entry = manifest.models.find((m) => m.kind === 'embedding')!;
    const tag = modelTag(entry);
    expect(JSON.parse(tag.preprocess)).toEqual({ ...entry.preprocess, revision: PREPROCESS_REVISION });
    expect(tagKey(modelTag(entry))).toBe(tagKey(tag));
    // What a gallery stored before revisions existed: the same fields, the preprocessing alone.
    const keys = Object.keys(entry.preprocess).sort() as (keyof typeof entry.preprocess)[];
    const before = { ...tag, preprocess: JSON.stringify(Object.fromEntries(keys.map((k) => [k, entry.preprocess[k]]))) };
    expect(tagKey(before)).not.toBe(tagKey(tag));
  });
});
