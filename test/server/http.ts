// Helpers for the server tests: start a server on 127.0.0.1:0 over the fixture models, make test images.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { ServerConfigInput } from '../../apps/inference-server/src/config.ts';
import { startServer, type RunningServer } from '../../apps/inference-server/src/server.ts';

export interface TestServer extends RunningServer {
  logs: string[];
}

/**
 * A server on a free loopback port (one intra-op thread: tests share the CPU). Unless the test names a gallery
 * folder or database, the gallery lives in a throwaway folder removed on close: test files run in parallel, and
 * none of them may open the repository's data/gallery.
 */
export async function startTestServer(modelsDir: string, overrides: ServerConfigInput = {}): Promise<TestServer> {
  const logs: string[] = [];
  const own = overrides.galleryDataDir === undefined && overrides.databaseUrl === undefined ? await mkdtemp(join(tmpdir(), 'test-gallery-')) : undefined;
  const s = await startServer(
    { modelsDir, host: '127.0.0.1', port: 0, intraOpThreads: 1, interOpThreads: 1, edgeDir: '/nonexistent-edge-dir', ...(own ? { galleryDataDir: own } : {}), ...overrides },
    { log: (level, msg) => logs.push(`${level} ${msg}`) },
  );
  const close = s.close.bind(s);
  return Object.assign(s, {
    logs,
    close: async () => {
      await close();
      if (own) await rm(own, { recursive: true, force: true });
    },
  });
}

/** A synthetic "signature": dark strokes on white paper, as PNG (or JPEG). */
export async function signatureImage(opts: { width?: number; height?: number; seed?: number; format?: 'png' | 'jpeg' } = {}): Promise<Buffer> {
  const w = opts.width ?? 120;
  const h = opts.height ?? 60;
  const seed = opts.seed ?? 1;
  const data = Buffer.alloc(w * h, 255);
  // One connected stroke: each column's pen band reaches the previous column's, as a pen drawing it would
  // (steep waves of high seeds would otherwise fall apart into separate dots, which the locator refuses).
  let prev = Math.round(h / 2 + (h / 4) * Math.sin((10 * (seed + 2)) / 15));
  for (let x = 10; x < w - 10; x++) {
    const y = Math.round(h / 2 + (h / 4) * Math.sin((x * (seed + 2)) / 15));
    for (let yy = Math.min(prev, y) - 2; yy <= Math.max(prev, y) + 2; yy++) data[yy * w + x] = 20;
    prev = y;
  }
  const img = sharp(data, { raw: { width: w, height: h, channels: 1 } });
  return opts.format === 'jpeg' ? img.jpeg().toBuffer() : img.png().toBuffer();
}

/** POST a JSON body; returns status, headers and parsed JSON. */
export async function postJson(url: string, body: unknown): Promise<{ status: number; headers: Headers; json: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, headers: res.headers, json: await res.json() };
}

/** POST raw bytes with a content type. */
export async function postRaw(url: string, body: BodyInit, contentType: string): Promise<{ status: number; headers: Headers; json: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = { notJson: text };
  }
  return { status: res.status, headers: res.headers, json };
}

/**
 * POST a v2 infer request with the binary tensor data extension: the JSON header, then `tensors`' bytes.
 * `headerLength` overrides the Inference-Header-Content-Length value (to test bad ones). Returns the JSON
 * part of the reply and the bytes after it.
 */
export async function postV2Binary(
  url: string,
  header: unknown,
  tensors: ArrayBufferView[],
  headerLength?: string,
): Promise<{ status: number; headers: Headers; json: any; binary: Uint8Array }> {
  const head = Buffer.from(JSON.stringify(header));
  const body = Buffer.concat([head, ...tensors.map((t) => new Uint8Array(t.buffer, t.byteOffset, t.byteLength))]);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': headerLength ?? String(head.length) },
    body,
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const n = Number(res.headers.get('inference-header-content-length') ?? bytes.length);
  return { status: res.status, headers: res.headers, json: JSON.parse(new TextDecoder().decode(bytes.subarray(0, n))), binary: bytes.subarray(n) };
}
