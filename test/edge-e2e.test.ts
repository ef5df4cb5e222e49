// The browser bundle end to end in real headless Chromium: built with the project's own exported models,
// served from a static server and from the inference server's /edge; answers must equal the server's.
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticityResponse, ClassifyResponse, GenerateResponse } from '@sig/shared';
import { buildEdge, type BuildResult } from '../apps/edge/src/build/build.ts';
import { serveStatic, type StaticServer } from '../apps/edge/src/build/static-server.ts';
import type { AnalyzeResult } from '../apps/edge/src/page/signature-app.ts';
import { signaturePngs } from './edge/images.ts';
import { LABELS, makeTestModels } from './server/fixtures.ts';
import { postJson, startTestServer, type TestServer } from './server/http.ts';

const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    // A synthetic camera (moving test pattern) so the photograph path runs too.
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
  ],
};

/**
 * The same browser with WebGPU on SwiftShader, Chromium's own software Vulkan driver: the page then takes
 * onnxruntime-web's WebGPU provider (the software GPU is only for testing; a real one is chosen the same way).
 */
const CHROMIUM_WEBGPU = {
  ...CHROMIUM,
  args: [...CHROMIUM.args.filter((a) => a !== '--disable-gpu'), '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'],
};

let modelsDir: string;
let out: string;
let built: BuildResult;
let server: TestServer;
let browser: Browser;
let images: { name: string; png: Buffer }[];
/** The server's answers for each image. */
let expected: { classify: ClassifyResponse; auth: AuthenticityResponse }[];

beforeAll(async () => {
  const made = await makeTestModels();
  modelsDir = made.dir;
  out = await mkdtemp(join(tmpdir(), 'sig-edge-'));
  built = await buildEdge({ out, modelsDir });
  server = await startTestServer(modelsDir, { edgeDir: out });
  images = await signaturePngs(4);
  expected = [];
  for (const { png } of images) {
    const image = png.toString('base64');
    const c = await postJson(`${server.url}/v1/classify`, { image, topK: LABELS.length });
    const a = await postJson(`${server.url}/v1/authenticity`, { image });
    expect([c.status, a.status]).toEqual([200, 200]);
    expected.push({ classify: ClassifyResponse.parse(c.json), auth: AuthenticityResponse.parse(a.json) });
  }
  browser = await chromium.launch(CHROMIUM);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await rm(out, { recursive: true, force: true });
  await rm(modelsDir, { recursive: true, force: true });
});

/** A page with its console and every request URL recorded. */
async function openPage(context: BrowserContext, url: string): Promise<{ page: Page; requests: string[]; console: string[] }> {
  const page = await context.newPage();
  const requests: string[] = [];
  const console: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => console.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => console.push(`pageerror: ${e.message}`));
  await page.goto(url);
  await page.evaluate(() => window.sigEdge.ready);
  return { page, requests, console };
}

const analyze = (page: Page, png: Buffer): Promise<AnalyzeResult> =>
  page.evaluate(([b64, k]) => window.sigEdge.analyzeBytes(b64, k).then((r) => ({ ...r, modelInput: undefined })), [png.toString('base64'), LABELS.length] as const);

/** Same top-1 as the server and every probability within 1e-4; the same authenticity score. */
function expectSameAnswers(got: AnalyzeResult, want: (typeof expected)[number], name: string): void {
  expect(got.classifier?.top[0].id, name).toBe(want.classify.predictions[0].id);
  for (const p of want.classify.predictions) {
    const mine = got.classifier?.top.find((q) => q.id === p.id);
    expect(Math.abs((mine?.probability ?? Infinity) - p.probability), `${name} p(${p.id})`).toBeLessThanOrEqual(1e-4);
  }
  expect(got.authenticity?.verdict, name).toBe(want.auth.verdict);
  expect(Math.abs((got.authenticity?.pGenuine ?? Infinity) - want.auth.pGenuine), name).toBeLessThanOrEqual(1e-4);
}

describe('edge bundle in headless Chromium', () => {
  it('from the server /edge (COOP/COEP): multi-threaded, and its answers equal the server\'s', async () => {
    const context = await browser.newContext();
    try {
      const { page, requests, console } = await openPage(context, `${server.url}/edge/`);
      const body = await page.evaluate(() => ({ ...document.body.dataset }));
      expect(body.isolated, console.join('\n')).toBe('true');
      expect(body.provider).toBe('wasm'); // --disable-gpu: no WebGPU adapter
      expect(await page.locator('#runtime').textContent()).toContain('(wasm, no WebGPU');
      expect(Number(body.threads)).toBeGreaterThanOrEqual(2);
      expect(await page.locator('#runtime').textContent()).toContain('cross-origin isolated: multi-threaded');
      // The page says what each model was trained on, as the server's answers do (answeredBy).
      const about = await page.locator('#about li').allTextContents();
      const served = (await (await fetch(`${server.url}/v2/models`)).json()) as { models: { name: string; trainedOn: string }[] };
      for (const m of served.models.filter((x) => !x.name.includes('.'))) expect(about.join('\n')).toContain(`${m.name} `);
      for (const line of about) expect(line).toMatch(/: trained on .+/);

      // The first image goes through the real file picker; the others through the page's API.
      await page.setInputFiles('#file', { name: 'signature.png', mimeType: 'image/png', buffer: images[0].png });
      await page.waitForFunction(() => document.body.dataset.analyses === '1', undefined, { timeout: 60_000 });
      const first = (await page.evaluate(() => ({ ...window.sigEdge.last, modelInput: undefined }))) as AnalyzeResult;
      expectSameAnswers(first, expected[0], images[0].name);
      expect(await page.locator('#top tr').first().textContent()).toContain(expected[0].classify.predictions[0].id);
      expect(await page.locator('#verdict').textContent()).toContain('p(genuine)');
      for (let i = 1; i < images.length; i++) expectSameAnswers(await analyze(page, images[i].png), expected[i], images[i].name);

      // Generated samples: the same latent vectors from the shared seeded Rng, so the same pixels.
      const gen = GenerateResponse.parse((await postJson(`${server.url}/v1/generate`, { id: LABELS[2], count: 2, seed: 7 })).json);
      const mine = await page.evaluate(([id]) => window.sigEdge.generate(id, 2, 7).then((r) => r.images.map((g) => Array.from(g.data))), [LABELS[2]] as const);
      for (let i = 0; i < 2; i++) {
        const theirs = await sharp(Buffer.from(gen.images[i].png, 'base64')).raw().toBuffer();
        const channels = theirs.length / mine[i].length;
        let diff = 0;
        for (let j = 0; j < mine[i].length; j++) diff = Math.max(diff, Math.abs(mine[i][j] - theirs[j * channels]));
        expect(diff, `generated image ${i}`).toBeLessThanOrEqual(1);
      }
      await page.selectOption('#gen-id', LABELS[1]);
      await page.click('#gen-form button');
      await page.locator('#samples canvas').nth(3).waitFor({ timeout: 30_000 });
      expect(await page.locator('#samples canvas').count()).toBe(4);

      await mkdir('test-artifacts', { recursive: true });
      await page.screenshot({ path: 'test-artifacts/edge-page.png', fullPage: true });
      const origin = new URL(server.url).origin;
      expect(requests.filter((u) => !u.startsWith(origin) && !u.startsWith('blob:') && !u.startsWith('data:'))).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('from a plain static host: single thread, same answers, and offline after the first load', async () => {
    const host: StaticServer = await serveStatic(out, { isolate: false });
    const context = await browser.newContext({ permissions: ['camera'] });
    try {
      const { page, console } = await openPage(context, host.url);
      expect(await page.evaluate(() => document.body.dataset.threads), console.join('\n')).toBe('1');
      expect(await page.locator('#runtime').textContent()).toContain('not cross-origin isolated');
      expectSameAnswers(await analyze(page, images[1].png), expected[1], images[1].name);
      expect(await page.evaluate(() => window.sigEdge.offlineReady)).toBe(true);

      // The signature's ink box is drawn on the photo; a blank page is refused before any model, reason shown.
      await page.setInputFiles('#file', { name: 'signature.png', mimeType: 'image/png', buffer: images[1].png });
      await page.waitForFunction(() => !document.querySelector<HTMLElement>('#ink-box')!.hidden, undefined, { timeout: 30_000 });
      const box = await page.evaluate(() => window.sigEdge.last?.inkBox);
      expect(box!.width).toBeGreaterThan(10);
      expect(await page.locator('#ink-box').evaluate((el) => parseFloat((el as HTMLElement).style.width))).toBeGreaterThan(5);
      const blank = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#fbfbf8' } }).png().toBuffer();
      await page.setInputFiles('#file', { name: 'blank.png', mimeType: 'image/png', buffer: blank });
      await page.waitForFunction(() => /no ink found/.test(document.querySelector('#error')!.textContent ?? ''), undefined, { timeout: 30_000 });
      expect(await page.locator('#ink-box').isHidden()).toBe(true);

      // Photograph: camera on, take a photo, and the frame goes through the same lookup.
      const before = Number(await page.evaluate(() => document.body.dataset.analyses ?? '0'));
      await page.click('#camera-start');
      await page.waitForFunction(() => document.querySelector<HTMLVideoElement>('#video')!.videoWidth > 0, undefined, { timeout: 30_000 });
      await page.click('#camera-shot');
      await page.waitForFunction((n) => Number(document.body.dataset.analyses) === n + 1, before, { timeout: 30_000 });
      expect(await page.evaluate(() => window.sigEdge.last?.classifier?.top.length)).toBe(LABELS.length > 5 ? 5 : LABELS.length);
      expect(await page.locator('#camera').isHidden()).toBe(true);

      // Cut the network: the host is gone and the browser is offline; the page must still load and answer.
      await host.close();
      await context.setOffline(true);
      await page.reload();
      await page.evaluate(() => window.sigEdge.ready);
      expectSameAnswers(await analyze(page, images[2].png), expected[2], images[2].name);
      const gen = await page.evaluate(() => window.sigEdge.generate(document.querySelector<HTMLSelectElement>('#gen-id')!.value, 1, 3).then((r) => r.images.length));
      expect(gen).toBe(1);
    } finally {
      await context.close();
      await host.close().catch(() => undefined);
    }
  });

  it('a bundle built without models caches the models its host serves, and answers offline', async () => {
    const bare = await mkdtemp(join(tmpdir(), 'sig-edge-bare-'));
    const host = await serveStatic(bare, { isolate: false });
    const context = await browser.newContext();
    try {
      const b = await buildEdge({ out: bare, modelsDir: join(bare, 'no-models') });
      expect(b.models).toEqual([]);
      await cp(modelsDir, join(bare, 'models'), { recursive: true }); // the host adds models after the build
      const { page, console } = await openPage(context, host.url);
      expect(await page.evaluate(() => window.sigEdge.offlineReady), console.join('\n')).toBe(true);
      await host.close();
      await context.setOffline(true);
      await page.reload();
      await page.evaluate(() => window.sigEdge.ready);
      expectSameAnswers(await analyze(page, images[3].png), expected[3], images[3].name);
    } finally {
      await context.close();
      await host.close().catch(() => undefined);
      await rm(bare, { recursive: true, force: true });
    }
  });

  it('with WebGPU (SwiftShader): the page runs on onnxruntime-web\'s WebGPU provider, says so, and its answers equal the server\'s', async () => {
    const gpuBrowser = await chromium.launch(CHROMIUM_WEBGPU);
    try {
      const context = await gpuBrowser.newContext();
      const { page, requests, console } = await openPage(context, `${server.url}/edge/`);
      expect(await page.evaluate(() => document.body.dataset.provider), console.join('\n')).toBe('webgpu');
      for (let i = 0; i < 2; i++) expectSameAnswers(await analyze(page, images[i].png), expected[i], images[i].name);
      // Still WebGPU after the sessions exist (no fallback to wasm), and the page says which adapter answered.
      expect(await page.evaluate(() => document.body.dataset.provider), console.join('\n')).toBe('webgpu');
      expect(await page.locator('#runtime').textContent()).toMatch(/WebGPU on google swiftshader/);
      expect(requests.some((u) => u.endsWith('/ort/ort.webgpu.min.mjs'))).toBe(true);
    } finally {
      await gpuBrowser.close();
    }
  }, 300_000); // the software GPU and the 27 MB WebGPU build of onnxruntime-web compile slowly on 2 shared cores

  it('the bundle holds only its own files: page, service worker, onnxruntime-web wasm, models', () => {
    const paths = built.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['index.html', 'main.js', 'sw.js', 'style.css', 'ort/ort-wasm-simd-threaded.wasm', 'ort/ort.webgpu.min.mjs', 'models/manifest.json']));
    expect(paths.filter((p) => p.endsWith('.onnx'))).toHaveLength(3);
  });
});
