// The README's newcomer path with the models that ship in models/: enrol the three example signatures, and
// the fourth (another signature of 101) is identified as 101. Needs the shipped embedding model (issue 17).
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IdentifyResponse } from '@sig/shared';
import { postJson, startTestServer } from './server/http.ts';

const root = resolve(import.meta.dirname, '..');
const manifest = join(root, 'models', 'manifest.json');
const hasEmbedding = existsSync(manifest) && /"kind":\s*"embedding"/.test(readFileSync(manifest, 'utf8'));

describe.skipIf(!hasEmbedding)(`README gallery walkthrough${hasEmbedding ? '' : ' (skipped: models/manifest.json has no embedding model yet)'}`, () => {
  it('enrols examples/gallery/enrol-*.png and identifies identify-me.png as 101', async () => {
    const data = await mkdtemp(join(tmpdir(), 'sig-gallery-readme-'));
    const server = await startTestServer(join(root, 'models'), { galleryDataDir: data });
    try {
      const b64 = async (f: string) => (await readFile(join(root, 'examples', 'gallery', f))).toString('base64');
      for (const id of ['101', '102', '103']) {
        const r = await fetch(`${server.url}/v1/gallery/${id}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ images: [await b64(`enrol-${id}.png`)] }) });
        expect(r.status).toBe(200);
      }
      const r = IdentifyResponse.parse((await postJson(`${server.url}/v1/identify`, { image: await b64('identify-me.png') })).json);
      expect(r.match?.id).toBe('101');
    } finally {
      await server.close();
      await rm(data, { recursive: true, force: true });
    }
  }, 120_000);
});
