// "No signature here": a blank image, several signatures and a whole form get 422 { error, reason } from
// classify, authenticity and verify, on the preprocessing workers and in the request thread alike, while a
// single signature is still answered.
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GrayImage } from '@sig/shared';
import { encodePng } from '@sig/shared/node/image-io.ts';
import { synthesizeOne } from '../apps/trainer/src/data/synth/synthesize.ts';
import { makeTestModels } from './server/fixtures.ts';
import { postJson, startTestServer, type TestServer } from './server/http.ts';

const SHEET = resolve('../shared/datasets/registration-sheets/image1.jpg');
const ROUTES: [string, Record<string, unknown>][] = [
  ['/v1/classify', {}],
  ['/v1/authenticity', {}],
  ['/v1/verify', { claimedId: '101' }],
];

/** Signatures of the synthetic writers pasted on white paper at the given places (k: writer). */
async function paper(width: number, height: number, signatures: { k: number; x: number; y: number }[]): Promise<string> {
  const img: GrayImage = { width, height, data: new Uint8ClampedArray(width * height).fill(245) };
  for (const { k, x, y } of signatures) {
    const s = synthesizeOne(4, k, 0);
    for (let sy = 0; sy < s.height && y + sy < height; sy++) {
      for (let sx = 0; sx < s.width && x + sx < width; sx++) {
        const i = (y + sy) * width + x + sx;
        img.data[i] = Math.min(img.data[i], s.data[sy * s.width + sx]);
      }
    }
  }
  return Buffer.from(await encodePng(img)).toString('base64');
}

let models: string;
const servers: { name: string; server: TestServer }[] = [];

beforeAll(async () => {
  models = (await makeTestModels()).dir;
  servers.push({ name: 'preprocessing workers', server: await startTestServer(models, { preprocessThreads: 1 }) });
  servers.push({ name: 'request thread', server: await startTestServer(models, { preprocessThreads: 0 }) });
});
afterAll(async () => {
  for (const s of servers) await s.server.close();
  await rm(models, { recursive: true, force: true });
});

describe('server: an image without one signature is 422 with the reason', () => {
  it('refuses blank, two-signature and whole-form images on every route, and answers one signature', async () => {
    const blankJpeg = (await sharp({ create: { width: 3000, height: 2000, channels: 3, background: '#f4f2ee' } }).jpeg().toBuffer()).toString('base64');
    const cases: [string, string, string][] = [
      ['a blank page', await paper(400, 240, []), 'no-ink'],
      ['a blank 6-Mpx photo (JPEG)', blankJpeg, 'no-ink'],
      ['two signatures side by side', await paper(1000, 200, [{ k: 0, x: 20, y: 20 }, { k: 1, x: 620, y: 20 }]), 'several-signatures'],
    ];
    if (existsSync(SHEET)) cases.push(['a whole registration sheet', readFileSync(SHEET).toString('base64'), 'whole-form']);
    const one = await paper(400, 240, [{ k: 2, x: 60, y: 40 }]);
    for (const { name, server } of servers) {
      for (const [what, image, reason] of cases) {
        for (const [route, fields] of ROUTES) {
          const r = await postJson(`${server.url}${route}`, { image, ...fields });
          expect(r.status, `${name}, ${what}, ${route}: ${JSON.stringify(r.json)}`).toBe(422);
          expect(r.json.reason).toBe(reason);
          expect(r.json.error).toMatch(/blank|signature|form/);
        }
      }
      for (const [route, fields] of ROUTES) {
        const r = await postJson(`${server.url}${route}`, { image: one, ...fields });
        expect(r.status, `${name}, one signature, ${route}: ${JSON.stringify(r.json)}`).toBe(200);
      }
    }
  });
});
