// Crash safety of the embedded gallery: `sig serve` killed with SIGKILL in the middle of a stream of
// enrolments loses no acknowledged enrolment and leaves no half-written one (restart and count).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GalleryList, IdentifyResponse } from '@sig/shared';
import { makeGalleryModels } from './gallery/fixtures.ts';
import { spawnServe } from './gallery/serve-process.ts';
import { postJson, signatureImage, startTestServer } from './server/http.ts';

const THRESHOLDS = { far1: 0.995, far01: 0.998, eer: 0.99 };
const PER_STUDENT = 3;

let models: string;
let data: string;

beforeAll(async () => {
  ({ dir: models } = await makeGalleryModels({ thresholds: THRESHOLDS }));
  data = await mkdtemp(join(tmpdir(), 'sig-gallery-kill-'));
}, 120_000);
afterAll(async () => {
  await rm(models, { recursive: true, force: true });
  await rm(data, { recursive: true, force: true });
});

describe('gallery: SIGKILL during enrolments', () => {
  it('keeps every acknowledged enrolment, whole, and no partial one', async () => {
    const images = await Promise.all([1, 2, 3, 5, 17].map(async (s) => (await signatureImage({ seed: s })).toString('base64')));
    const server = await spawnServe(['--models', models, '--data-dir', data]);
    const acked = new Set<string>();
    let sent = 0;
    let killed = false;
    // Four clients enrol students s0, s1, ... (three references each) until the server dies under them.
    const client = async (): Promise<void> => {
      while (!killed) {
        const id = `s${sent++}`;
        const body = JSON.stringify({ images: [0, 1, 2].map((k) => images[(sent + k) % images.length]) });
        try {
          const r = await fetch(`${server.url}/v1/gallery/${id}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body });
          if (r.status === 200) acked.add(id);
          else throw new Error(`PUT ${id}: ${r.status} ${await r.text()}`);
        } catch (err) {
          if (!killed) throw err;
        }
      }
    };
    const clients = Array.from({ length: 4 }, client);
    while (acked.size < 12) await new Promise((r) => setTimeout(r, 20));
    killed = true;
    server.child.kill('SIGKILL');
    await server.exited;
    await Promise.all(clients);
    expect(sent).toBeGreaterThan(acked.size); // some were in flight when it died

    const again = await startTestServer(models, { galleryDataDir: data });
    try {
      const list = GalleryList.parse(await fetch(`${again.url}/v1/gallery?limit=1000`).then((r) => r.json()));
      const ids = new Set(list.students.map((s) => s.id));
      for (const id of acked) expect(ids.has(id), `acknowledged ${id} lost`).toBe(true);
      // All or nothing: every student there has exactly the references it was enrolled with.
      for (const s of list.students) expect(s.references, `${s.id} half-written`).toBe(PER_STUDENT);
      const id = IdentifyResponse.parse((await postJson(`${again.url}/v1/identify`, { image: images[1] })).json);
      expect(id.gallery).toEqual({ students: list.total, references: list.total * PER_STUDENT, unindexed: 0 });
      console.log(`SIGKILL: ${acked.size} acknowledged, ${sent} sent, ${list.total} present after restart`);
    } finally {
      await again.close();
    }
  }, 240_000);
});
