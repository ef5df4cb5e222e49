// `sig gallery`: enrol a folder dataset, list, export, remove, import into another gallery, re-embed after a
// model version change; bad input is one line and a non-zero exit.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GalleryFileHeader, GalleryFileStudent, IdentifyResponse } from '@sig/shared';
import { makeGalleryModels } from './gallery/fixtures.ts';
import { expectOneLineError, sig } from './helpers/sig-cli.ts';
import { postJson, signatureImage, startTestServer } from './server/http.ts';

const THRESHOLDS = { far1: 0.995, far01: 0.998, eer: 0.99 };
let root: string;
let models: string;
let ds: string;
const seeds: Record<string, number[]> = { s1: [1, 2, 9], s2: [3, 11], s3: [5, 17] };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sig-gallery-cli-'));
  models = join(root, 'models');
  await makeGalleryModels({ thresholds: THRESHOLDS, dir: models });
  ds = join(root, 'dataset');
  for (const [id, list] of Object.entries(seeds)) {
    await mkdir(join(ds, id), { recursive: true });
    for (const [i, s] of list.entries()) await writeFile(join(ds, id, `${i + 1}.png`), await signatureImage({ seed: s }));
  }
}, 120_000);
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('sig gallery', () => {
  const at = (dir: string) => ['--models', models, '--data-dir', join(root, dir)];

  it('enrols a folder dataset (first N images each), lists, exports, removes, imports elsewhere', async () => {
    const enrol = await sig(['gallery', 'enrol', '--data', ds, '--references', '2', ...at('g1')]);
    expect(enrol.code, enrol.stderr).toBe(0);
    expect(enrol.stdout).toMatch(/enrolled 3 student\(s\), 6 reference\(s\)/);
    const list = await sig(['gallery', 'list', ...at('g1')]);
    expect(list.stdout.trim().split('\n')).toEqual(['s1\t2\t', 's2\t2\t', 's3\t2\t', '3 of 3 student(s)']);

    const file = join(root, 'gallery.jsonl');
    const exp = await sig(['gallery', 'export', file, ...at('g1')]);
    expect(exp.stdout).toMatch(/exported 3 student\(s\)/);
    // JSON Lines: a header, then one student per line.
    const [header, ...lines] = (await readFile(file, 'utf8')).trimEnd().split('\n');
    expect(GalleryFileHeader.parse(JSON.parse(header)).version).toBe(2);
    const students = lines.map((l) => GalleryFileStudent.parse(JSON.parse(l)));
    expect(students.map((s) => [s.id, s.signatures.length, s.signatures[0].embeddings.length])).toEqual([
      ['s1', 2, 1],
      ['s2', 2, 1],
      ['s3', 2, 1],
    ]);

    expect((await sig(['gallery', 'remove', 's2', ...at('g1')])).stdout).toMatch(/removed s2/);
    expect((await sig(['gallery', 'list', ...at('g1')])).stdout).toMatch(/2 of 2 student/);
    expectOneLineError(await sig(['gallery', 'remove', 's2', ...at('g1')]), /ID 's2' is not enrolled/);

    const imp = await sig(['gallery', 'import', file, ...at('g2')]);
    expect(imp.stdout).toMatch(/imported 3 student\(s\), 6 reference\(s\); 0 need re-embedding/);
    // The server reads the imported gallery: an enrolled signature (s1's second image) is identified.
    const server = await startTestServer(models, { galleryDataDir: join(root, 'g2') });
    try {
      const r = IdentifyResponse.parse((await postJson(`${server.url}/v1/identify`, { image: (await signatureImage({ seed: 2 })).toString('base64') })).json);
      expect(r.match?.id).toBe('s1');
      expect(r.gallery.references).toBe(6);
    } finally {
      await server.close();
    }
  }, 300_000);

  it('reembed: after a model version change the old vectors are replaced', async () => {
    const path = join(models, 'manifest.json');
    const manifest = JSON.parse(await readFile(path, 'utf8'));
    manifest.models[0].version = '9.9.9';
    await writeFile(path, JSON.stringify(manifest));
    const r = await sig(['gallery', 'reembed', ...at('g2')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/re-embedded 6 reference\(s\) with embedding; 0 left/);
    expect((await sig(['gallery', 'reembed', ...at('g2')])).stdout).toMatch(/re-embedded 0 reference/);
  }, 120_000);

  it('bad input: one line, non-zero exit', async () => {
    const notGallery = join(root, 'not-gallery.json');
    await writeFile(notGallery, '{"hello": 1}');
    expectOneLineError(await sig(['gallery', 'import', notGallery, ...at('g3')]), /not a gallery file: line 1 \(header\)/);
    // A bad third line: nothing of the file is imported (checked whole before the first write).
    const good = (await readFile(join(root, 'gallery.jsonl'), 'utf8')).split('\n');
    const broken = join(root, 'broken.jsonl');
    await writeFile(broken, [good[0], good[1], '{"id": 7}', good[2]].join('\n'));
    expectOneLineError(await sig(['gallery', 'import', broken, ...at('g3')]), /not a gallery file: line 3: id/);
    expect((await sig(['gallery', 'list', ...at('g3')])).stdout).toMatch(/0 of 0 student/);
    expectOneLineError(await sig(['gallery', 'import', join(root, 'missing.jsonl'), ...at('g3')]), /missing\.jsonl/);
    expectOneLineError(await sig(['gallery', 'enrol', '--data', join(root, 'nope'), ...at('g3')]), /nope/);
    expectOneLineError(await sig(['gallery', 'list', '--models', join(root, 'nomodels'), '--data-dir', join(root, 'g3')]), /manifest/);
  }, 120_000);
});
