// The gallery on a PostgreSQL server: two server processes share it (enrol on one, identify on the other at
// once), PostgreSQL going away answers 503 + Retry-After on the gallery routes while the others keep working,
// and migrations run once for both.
import { rm } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdentifyResponse } from '@sig/shared';
import { makeGalleryModels } from './gallery/fixtures.ts';
import { postgresSkipReason, startPostgres, type TestPostgres } from './gallery/postgres.ts';
import { spawnServe, type ServeProcess } from './gallery/serve-process.ts';
import { postJson, signatureImage, startTestServer, type TestServer } from './server/http.ts';

const skip = postgresSkipReason();
const THRESHOLDS = { far1: 0.995, far01: 0.998, eer: 0.99 };
const TOKEN = 'pg-test-token';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

let models: string;
let db: TestPostgres;
let a: TestServer;
let b: ServeProcess;
const img: Record<number, string> = {};

describe.skipIf(skip !== undefined)(`gallery on PostgreSQL${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    ({ dir: models } = await makeGalleryModels({ thresholds: THRESHOLDS, realfake: true }));
    for (const s of [1, 2, 3, 17]) img[s] = (await signatureImage({ seed: s })).toString('base64');
    db = await startPostgres();
    // One server in this process, one as a separate `sig serve` process: separate indexes, one database.
    [a, b] = await Promise.all([
      startTestServer(models, { databaseUrl: db.url, adminToken: TOKEN, retryAfterSeconds: 2 }),
      spawnServe(['--models', models], { DATABASE_URL: db.url, SIG_ADMIN_TOKEN: TOKEN }),
    ]);
  }, 240_000);
  afterAll(async () => {
    await a?.close();
    b?.child.kill('SIGTERM');
    await b?.exited;
    await db?.destroy();
    await rm(models, { recursive: true, force: true });
  });

  it('migrations ran once for both servers', async () => {
    const client = new pg.Client(db.url);
    await client.connect();
    const rows = (await client.query('SELECT version FROM schema_migrations')).rows;
    await client.end();
    expect(rows.map((r) => Number(r.version))).toEqual([1]);
    expect(a.logs.join('\n')).toMatch(/gallery: postgres at postgres:\/\/sig@127\.0\.0\.1/);
  });

  it('enrol on one server, identify on the other at once; delete on the other, gone on the first', async () => {
    const put = await fetch(`${a.url}/v1/gallery/201`, { method: 'PUT', headers: auth, body: JSON.stringify({ images: [img[1], img[2]] }) });
    expect(put.status).toBe(200);
    const onB = IdentifyResponse.parse((await postJson(`${b.url}/v1/identify`, { image: img[2] })).json);
    expect(onB.match?.id).toBe('201');
    expect(onB.gallery.references).toBe(2);

    const put2 = await fetch(`${b.url}/v1/gallery/202`, { method: 'PUT', headers: auth, body: JSON.stringify({ images: [img[3]] }) });
    expect(put2.status).toBe(200);
    expect(IdentifyResponse.parse((await postJson(`${a.url}/v1/identify`, { image: img[3] })).json).match?.id).toBe('202');

    expect((await fetch(`${b.url}/v1/gallery/201`, { method: 'DELETE', headers: auth })).status).toBe(200);
    const onA = IdentifyResponse.parse((await postJson(`${a.url}/v1/identify`, { image: img[2] })).json);
    expect(onA.candidates.map((c) => c.id)).toEqual(['202']);
    expect(onA.match).toBeNull();
  });

  it('PostgreSQL unreachable: gallery routes answer 503 with Retry-After, the others keep working; back when it is', async () => {
    await db.stop();
    try {
      for (const r of [
        await postJson(`${a.url}/v1/identify`, { image: img[3] }),
        await fetch(`${a.url}/v1/gallery/203`, { method: 'PUT', headers: auth, body: JSON.stringify({ images: [img[17]] }) }).then(async (x) => ({ status: x.status, headers: x.headers, json: await x.json() })),
        await fetch(`${a.url}/v1/gallery`).then(async (x) => ({ status: x.status, headers: x.headers, json: await x.json() })),
      ]) {
        expect(r.status).toBe(503);
        expect(r.headers.get('retry-after')).toBe('2');
        expect(r.json.error).toMatch(/gallery database unreachable/);
      }
      const other = await postJson(`${a.url}/v1/authenticity`, { image: img[3] });
      expect(other.status).toBe(200);
      expect((await fetch(`${a.url}/v2/health/ready`)).status).toBe(200);
    } finally {
      await db.start();
    }
    const back = IdentifyResponse.parse((await postJson(`${a.url}/v1/identify`, { image: img[3] })).json);
    expect(back.match?.id).toBe('202');
  }, 60_000);
});
