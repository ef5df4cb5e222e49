import { rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestModels } from './server/fixtures.ts';
import { postJson, postRaw, postV2Binary, signatureImage, startTestServer, type TestServer } from './server/http.ts';

// Every kind of bad input gets a 4xx with a JSON { error } body — never a 5xx, never a crash.

let models: string;
let server: TestServer;
let png: Buffer;
const LIMITS = { bodyLimitBytes: 100_000, maxPixels: 50_000 };

beforeAll(async () => {
  models = (await makeTestModels()).dir;
  server = await startTestServer(models, LIMITS);
  png = await signatureImage();
});
afterAll(async () => {
  await server?.close();
  await rm(models, { recursive: true, force: true });
});

type Case = [name: string, status: number, send: () => Promise<{ status: number; json: any }>, error?: RegExp];

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const url = (path: string) => `${server.url}${path}`;
/** A v2 binary request header for the 16×16 classifier input declaring `bytes` of FP32 data. */
const binImage = (bytes: number) => ({ inputs: [{ name: 'image', shape: [1, 16, 16, 1], datatype: 'FP32', parameters: { binary_data_size: bytes } }] });

/** POST `text` as JSON in chunks with no Content-Length (Transfer-Encoding: chunked). */
function postChunked(path: string, text: string): Promise<{ status: number; json: any }> {
  const bytes = new TextEncoder().encode(text);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 8192) controller.enqueue(bytes.subarray(i, i + 8192));
      controller.close();
    },
  });
  const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit;
  return fetch(url(path), init).then(async (r) => ({ status: r.status, json: await r.json() }));
}

function multipart(parts: Record<string, string | Blob>): Promise<{ status: number; json: any }> {
  const form = new FormData();
  for (const [k, v] of Object.entries(parts)) form.append(k, v);
  return fetch(url('/v1/classify'), { method: 'POST', body: form }).then(async (r) => ({ status: r.status, json: await r.json() }));
}

const cases: Case[] = [
  ['non-image bytes', 400, () => postJson(url('/v1/classify'), { image: b64(new TextEncoder().encode('hello, I am not an image at all')) })],
  ['a truncated PNG', 400, () => postJson(url('/v1/classify'), { image: b64(png.subarray(0, png.length >> 1)) })],
  ['a truncated JPEG', 400, async () => postJson(url('/v1/authenticity'), { image: b64((await signatureImage({ format: 'jpeg' })).subarray(0, 200)) })],
  ['an image over the pixel limit', 413, async () => postJson(url('/v1/classify'), { image: b64(await signatureImage({ width: 400, height: 300 })) }), /pixel/],
  ['a body over the size limit', 413, () => postJson(url('/v1/classify'), { image: 'A'.repeat(150_000) }), /limit/],
  ['a chunked body over the size limit', 413, () => postChunked('/v1/classify', JSON.stringify({ image: 'A'.repeat(150_000) })), /limit/],
  ['a multipart body over the size limit', 413, () => multipart({ image: new Blob([new Uint8Array(150_000)]) }), /limit/],
  ['a wrong content type', 415, () => postRaw(url('/v1/classify'), new Uint8Array(png), 'image/png'), /content type/],
  ['no content type', 415, () => fetch(url('/v1/verify'), { method: 'POST', body: new Uint8Array([1, 2, 3]) }).then(async (r) => ({ status: r.status, json: await r.json() }))],
  ['invalid JSON', 400, () => postRaw(url('/v1/classify'), '{"image": "abc', 'application/json'), /invalid JSON/],
  ['JSON that is not an object', 400, () => postRaw(url('/v1/classify'), '[1,2,3]', 'application/json')],
  ['a missing image field', 400, () => postJson(url('/v1/classify'), { topK: 3 }), /image/],
  ['an image that is not base64', 400, () => postJson(url('/v1/classify'), { image: '%%%not base64%%%' }), /base64/],
  ['an empty image', 400, () => postJson(url('/v1/classify'), { image: '' })],
  ['topK out of range', 400, () => postJson(url('/v1/classify'), { image: b64(png), topK: 0 }), /topK/],
  ['topK of the wrong type', 400, () => postJson(url('/v1/classify'), { image: b64(png), topK: 'five' }), /topK/],
  ['an unknown model', 404, () => postJson(url('/v1/classify'), { image: b64(png), model: 'nope' }), /unknown model/],
  ['a model of the wrong kind', 400, () => postJson(url('/v1/classify'), { image: b64(png), model: 'generator' }), /generator/],
  ['an unknown claimed ID', 404, () => postJson(url('/v1/verify'), { image: b64(png), claimedId: '999' }), /unknown ID/],
  ['verify without a claimed ID', 400, () => postJson(url('/v1/verify'), { image: b64(png) }), /claimedId/],
  ['generate for an unknown ID', 404, () => postJson(url('/v1/generate'), { id: '999', count: 1, seed: 1 }), /unknown ID/],
  ['generate count 0', 400, () => postJson(url('/v1/generate'), { id: '101', count: 0, seed: 1 }), /count/],
  ['generate count 17', 400, () => postJson(url('/v1/generate'), { id: '101', count: 17, seed: 1 }), /count/],
  ['generate a fractional seed', 400, () => postJson(url('/v1/generate'), { id: '101', seed: 1.5 }), /seed/],
  ['generate with truncation 0.1', 400, () => postJson(url('/v1/generate'), { id: '101', seed: 1, truncation: 0.1 }), /truncation/],
  ['generate with truncation "all"', 400, () => postJson(url('/v1/generate'), { id: '101', seed: 1, truncation: 'all' }), /truncation/],
  ['generate with multipart', 415, () => fetch(url('/v1/generate'), { method: 'POST', body: new FormData() }).then(async (r) => ({ status: r.status, json: await r.json() }))],
  ['multipart without an image part', 400, () => multipart({ topK: '3' }), /image/],
  ['multipart topK that is not a number', 400, () => multipart({ image: new Blob([new Uint8Array(png)]), topK: 'many' }), /topK/],
  ['multipart with a non-image file', 400, () => multipart({ image: new Blob([new TextEncoder().encode('plain text')]) })],
  ['a malformed multipart body', 400, () => postRaw(url('/v1/classify'), '--x\r\nnonsense', 'multipart/form-data; boundary=zzz')],
  ['v2 infer on an unknown model', 404, () => postJson(url('/v2/models/nope/infer'), { inputs: [] })],
  ['v2 model metadata of an unknown model', 404, () => fetch(url('/v2/models/nope')).then(async (r) => ({ status: r.status, json: await r.json() }))],
  ['v2 infer with no inputs', 400, () => postJson(url('/v2/models/classifier/infer'), { inputs: [] })],
  ['v2 infer with a wrong shape', 400, () => postJson(url('/v2/models/classifier/infer'), { inputs: [{ name: 'image', shape: [1, 8, 8, 1], datatype: 'FP32', data: new Array(64).fill(0) }] }), /shape/],
  ['v2 infer with a wrong datatype', 400, () => postJson(url('/v2/models/classifier/infer'), { inputs: [{ name: 'image', shape: [1, 16, 16, 1], datatype: 'INT32', data: new Array(256).fill(0) }] }), /datatype/],
  ['v2 infer with too few values', 400, () => postJson(url('/v2/models/classifier/infer'), { inputs: [{ name: 'image', shape: [1, 16, 16, 1], datatype: 'FP32', data: [1, 2, 3] }] }), /values/],
  ['v2 infer with non-numbers', 400, () => postJson(url('/v2/models/realfake/infer'), { inputs: [{ name: 'image', shape: [1, 16, 16, 1], datatype: 'FP32', data: new Array(256).fill(true) }] })],
  ['v2 infer with a missing input', 400, () => postJson(url('/v2/models/generator/infer'), { inputs: [{ name: 'z', shape: [1, 8], datatype: 'FP32', data: new Array(8).fill(0) }] }), /label/],
  ['v2 infer with an unknown output', 400, () => postJson(url('/v2/models/realfake/infer'), { inputs: [{ name: 'image', shape: [1, 16, 16, 1], datatype: 'FP32', data: new Array(256).fill(0) }], outputs: [{ name: 'nope' }] }), /output/],
  ['v2 binary: header length past the body', 400, () => postV2Binary(url('/v2/models/classifier/infer'), { inputs: [] }, [], '99999'), /Inference-Header-Content-Length/i],
  ['v2 binary: header length not a number', 400, () => postV2Binary(url('/v2/models/classifier/infer'), { inputs: [] }, [], 'ten'), /Inference-Header-Content-Length/i],
  ['v2 binary: header that is not JSON', 400, () => postV2Binary(url('/v2/models/classifier/infer'), 'x', [new Uint8Array([1, 2])], '5'), /invalid JSON/],
  ['v2 binary: too few bytes for the shape', 400, () => postV2Binary(url('/v2/models/classifier/infer'), binImage(64), [new Float32Array(16)]), /bytes/],
  ['v2 binary: size past the end of the body', 400, () => postV2Binary(url('/v2/models/classifier/infer'), binImage(1024), [new Float32Array(16)]), /past the end/],
  ['v2 binary: bytes left after the last input', 400, () => postV2Binary(url('/v2/models/classifier/infer'), binImage(1024), [new Float32Array(257)]), /after the last/],
  ['v2 binary: NaN in the data', 400, () => postV2Binary(url('/v2/models/classifier/infer'), binImage(1024), [new Float32Array(256).fill(NaN)]), /finite/],
  ['v2 binary: binary_data_size without the header', 400, () => postJson(url('/v2/models/classifier/infer'), binImage(1024)), /header/],
  ['v2: the same input twice', 400, () => postJson(url('/v2/models/classifier/infer'), { inputs: [0, 1].map(() => ({ name: 'image', shape: [1, 16, 16, 1], datatype: 'FP32', data: new Array(256).fill(0) })) }), /more than once/],
  ['v2: both data and binary_data_size', 400, () => postJson(url('/v2/models/classifier/infer'), { inputs: [{ ...binImage(1024).inputs[0], data: [1] }] }), /binary_data_size/],
  ['an unknown route', 404, () => fetch(url('/v1/nothing-here')).then(async (r) => ({ status: r.status, json: await r.json() }))],
  ['GET on a POST route (405, Allow: POST)', 405, () => fetch(url('/v1/classify')).then(async (r) => ({ status: r.status, json: await r.json() }))],
];

describe('server: bad input is a 4xx JSON error', () => {
  it.each(cases)('%s → %i', async (_name, status, send, error) => {
    const r = await send();
    expect(r.status).toBe(status);
    expect(typeof r.json.error).toBe('string');
    if (error) expect(r.json.error).toMatch(error);
  });

  it('odd but valid images (blank page, 1×1 pixel, RGBA) never cause a 5xx', async () => {
    const sharp = (await import('sharp')).default;
    const images = [
      await sharp({ create: { width: 64, height: 32, channels: 3, background: '#ffffff' } }).png().toBuffer(),
      await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000000' } }).png().toBuffer(),
      await sharp({ create: { width: 40, height: 20, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0.5 } } }).png().toBuffer(),
    ];
    for (const img of images) {
      for (const route of ['/v1/classify', '/v1/authenticity']) {
        const r = await postJson(url(route), { image: b64(img) });
        expect(r.status, `${route}: ${JSON.stringify(r.json)}`).toBeLessThan(500);
      }
    }
  });

  it('reads a body sent in chunks, without a Content-Length, like any other', async () => {
    const r = await postChunked('/v1/classify', JSON.stringify({ image: b64(png), topK: 2 }));
    expect(r.status).toBe(200);
    expect(r.json.predictions).toHaveLength(2);
  });

  it('a body cut short (the client closes before its Content-Length) is dropped without harm', async () => {
    const { port } = new URL(server.url);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write('POST /v1/classify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"image": "');
        setTimeout(() => socket.destroy(), 50);
      });
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    await new Promise((r) => setTimeout(r, 50));
    expect((await postJson(url('/v1/classify'), { image: b64(png) })).status).toBe(200);
  });

  it('is still healthy afterwards and counted no 5xx', async () => {
    expect((await fetch(url('/v2/health/live'))).status).toBe(200);
    expect((await postJson(url('/v1/classify'), { image: b64(png) })).status).toBe(200);
    const metrics = await (await fetch(url('/metrics'))).text();
    expect(metrics).not.toMatch(/status="5\d\d"/);
    expect(server.logs.filter((l) => l.startsWith('error'))).toEqual([]);
  });
});
