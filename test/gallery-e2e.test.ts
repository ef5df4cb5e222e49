// The page's gallery in headless Chromium: enrol three students into IndexedDB, reload the page offline,
// identify (an enrolled signature and a stranger), verify; its exported gallery file is read by the Node
// gallery (the server's and CLI's) and gives the same answer there.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GalleryFileHeader, IdentifyResponse, rawImagePreparer } from '@sig/shared';
import { decodeImage } from '@sig/shared/node/image-io.ts';
import { localModels, openNodeGallery } from '../apps/inference-server/src/gallery/index.ts';
import { buildEdge } from '../apps/edge/src/build/build.ts';
import { serveStatic, type StaticServer } from '../apps/edge/src/build/static-server.ts';
import { makeGalleryModels } from './gallery/fixtures.ts';
import { signatureImage } from './server/http.ts';

const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
};
const THRESHOLDS = { far1: 0.995, far01: 0.998, eer: 0.99 };

let root: string;
let models: string;
let out: string;
let browser: Browser;
let host: StaticServer;
const img: Record<number, string> = {};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sig-gallery-e2e-'));
  models = join(root, 'models');
  await makeGalleryModels({ thresholds: THRESHOLDS, realfake: true, dir: models });
  out = join(root, 'edge');
  await buildEdge({ out, modelsDir: models });
  for (const s of [1, 2, 3, 5, 17]) img[s] = (await signatureImage({ seed: s })).toString('base64');
  host = await serveStatic(out, { isolate: false });
  browser = await chromium.launch(CHROMIUM);
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await host?.close().catch(() => undefined);
  await rm(root, { recursive: true, force: true });
});

describe('gallery in the browser', () => {
  it('enrols into IndexedDB, identifies and verifies offline after a reload, exports a file the Node gallery reads', async () => {
    const context = await browser.newContext();
    const logs: string[] = [];
    try {
      const page = await context.newPage();
      page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
      page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
      await page.goto(host.url);
      await page.evaluate(() => window.sigEdge.ready);
      expect(await page.evaluate(() => window.sigEdge.offlineReady), logs.join('\n')).toBe(true);
      const enrolled = await page.evaluate(async (imgs) => {
        const blob = (b64: string) => new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: 'image/png' });
        const g = (await window.sigEdge.gallery)!;
        await g.enrol('301', [blob(imgs[1]), blob(imgs[2])], 'Ada');
        await g.enrol('302', [blob(imgs[3])]);
        await g.enrol('303', [blob(imgs[5])]);
        return g.list();
      }, img);
      expect(enrolled.students.map((s) => [s.id, s.references])).toEqual([['301', 2], ['302', 1], ['303', 1]]);
      expect(await page.locator('#gallery-list li').count()).toBe(3);

      // Offline: the host is unreachable and the browser has no network; the page and its gallery still work.
      await host.close();
      await context.setOffline(true);
      await page.reload();
      await page.evaluate(() => window.sigEdge.ready);
      const answers = await page.evaluate(async (imgs) => {
        const blob = (b64: string) => new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: 'image/png' });
        const g = (await window.sigEdge.gallery)!;
        return {
          hit: await g.identify(blob(imgs[2])),
          stranger: await g.identify(blob(imgs[17])),
          verify: await g.verify(blob(imgs[1]), '301'),
          file: await (await g.exportFile()).text(),
        };
      }, img);
      expect(answers.hit.match?.id, logs.join('\n')).toBe('301');
      expect(answers.hit.match!.similarity).toBeCloseTo(1, 4);
      expect(answers.hit.gallery).toEqual({ students: 3, references: 4, unindexed: 0 });
      expect(answers.stranger.match).toBeNull();
      expect(await page.locator('#identify').textContent()).toMatch(/^Not enrolled/);
      expect(answers.verify.score).toBeCloseTo(1, 4);
      expect(answers.verify.references).toBe(2);
      expect(answers.verify.authenticity).not.toBeNull();

      // The page's gallery file in the Node gallery: same students, same answer without re-embedding.
      const [header, ...lines] = answers.file.trimEnd().split('\n');
      expect(GalleryFileHeader.parse(JSON.parse(header)).version).toBe(2);
      expect(lines.map((l) => JSON.parse(l).id)).toEqual(['301', '302', '303']);
      const source = await localModels(models, ['embedding']);
      const { gallery, store } = await openNodeGallery({
        models: source,
        prepare: async (bytes, configs) => rawImagePreparer(await decodeImage(bytes), configs),
        db: { dataDir: join(root, 'node-gallery') },
      });
      try {
        expect(await gallery.importFile(() => [answers.file])).toEqual({ students: 3, references: 4 });
        const r = IdentifyResponse.parse(await gallery.identify(Buffer.from(img[2], 'base64'), {}));
        expect(r.gallery.unindexed).toBe(0);
        expect(r.match?.id).toBe('301');
        // Browser (onnxruntime-web) and Node (onnxruntime-node) embeddings of the same image agree.
        expect(r.candidates.map((c) => c.id)).toEqual(answers.hit.candidates.map((c) => c.id));
        for (const [i, c] of r.candidates.entries()) expect(c.similarity).toBeCloseTo(answers.hit.candidates[i].similarity, 3);
      } finally {
        await store.close();
        await source.close();
      }
    } finally {
      await context.close();
    }
  }, 300_000);
});
