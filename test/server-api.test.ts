import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClassifyResponse, GenerateResponse, VerifyResponse, prepare, type ModelEntry } from '@sig/shared';
import { decodeImage } from '@sig/shared/node/image-io.ts';
import { LABELS, makeTestModels } from './server/fixtures.ts';
import { postJson, postV2Binary, signatureImage, startTestServer, type TestServer } from './server/http.ts';

let models: string;
let entries: ModelEntry[];
let server: TestServer;
let png: Buffer;

beforeAll(async () => {
  const made = await makeTestModels();
  models = made.dir;
  entries = made.manifest.models;
  server = await startTestServer(models);
  png = await signatureImage();
});
afterAll(async () => {
  await server?.close();
  await rm(models, { recursive: true, force: true });
});

describe('server: lookup, authenticity, verify', () => {
  it('POST /v1/classify (JSON, base64) returns the top-k IDs, most likely first', async () => {
    const r = await postJson(`${server.url}/v1/classify`, { image: png.toString('base64'), topK: 3 });
    expect(r.status).toBe(200);
    const body = ClassifyResponse.parse(r.json);
    expect(body.model).toBe('classifier');
    expect(body.predictions).toHaveLength(3);
    for (const p of body.predictions) expect(LABELS).toContain(p.id);
    const probs = body.predictions.map((p) => p.probability);
    expect([...probs].sort((a, b) => b - a)).toEqual(probs);
  });

  it('the classify answer equals the raw model on the same preprocessed input (KServe v2 infer)', async () => {
    const r = await postJson(`${server.url}/v1/classify`, { image: png.toString('base64'), topK: 4 });
    const entry = entries.find((e) => e.name === 'classifier')!;
    const x = prepare(entry, await decodeImage(png));
    const v2 = await postJson(`${server.url}/v2/models/classifier/infer`, {
      id: 'req-1',
      inputs: [{ name: 'image', shape: [1, 16, 16, 1], datatype: 'FP32', data: Array.from(x.data) }],
    });
    expect(v2.status).toBe(200);
    expect(v2.json.id).toBe('req-1');
    expect(v2.json.outputs[0]).toMatchObject({ name: 'probabilities', shape: [1, 4], datatype: 'FP32' });
    const raw: number[] = v2.json.outputs[0].data;
    for (const p of r.json.predictions) expect(p.probability).toBeCloseTo(raw[LABELS.indexOf(p.id)], 6);
  });

  it('v2 infer with binary tensor data (input and output) gives the JSON route\'s answer', async () => {
    const entry = entries.find((e) => e.name === 'classifier')!;
    const a = prepare(entry, await decodeImage(png));
    const b = prepare(entry, await decodeImage(await signatureImage({ seed: 3 })));
    const x = new Float32Array([...a.data, ...b.data]);
    const json = await postJson(`${server.url}/v2/models/classifier/infer`, {
      inputs: [{ name: 'image', shape: [2, 16, 16, 1], datatype: 'FP32', data: Array.from(x) }],
    });
    const bin = await postV2Binary(
      `${server.url}/v2/models/classifier/infer`,
      { id: 'b', inputs: [{ name: 'image', shape: [2, 16, 16, 1], datatype: 'FP32', parameters: { binary_data_size: x.byteLength } }], parameters: { binary_data_output: true } },
      [x],
    );
    expect(bin.status).toBe(200);
    expect(bin.headers.get('content-type')).toBe('application/octet-stream');
    expect(bin.json).toMatchObject({ id: 'b', outputs: [{ name: 'probabilities', shape: [2, 4], datatype: 'FP32', parameters: { binary_data_size: 32 } }] });
    expect(bin.json.outputs[0].data).toBeUndefined();
    const probs = new Float32Array(bin.binary.slice().buffer);
    expect(Array.from(probs)).toEqual(json.json.outputs[0].data);
    expect(Math.abs(probs[0] - probs[4])).toBeGreaterThan(0); // two different rows, not one repeated
    // Binary in, JSON out (no binary output requested): the same numbers as JSON.
    const mixed = await postV2Binary(
      `${server.url}/v2/models/classifier/infer`,
      { inputs: [{ name: 'image', shape: [2, 16, 16, 1], datatype: 'FP32', parameters: { binary_data_size: x.byteLength } }] },
      [x],
    );
    expect(mixed.headers.get('content-type')).toMatch(/^application\/json/);
    expect(mixed.json.outputs[0].data).toEqual(json.json.outputs[0].data);
    expect((await (await fetch(`${server.url}/v2`)).json()).extensions).toContain('binary_tensor_data');
  });

  it('accepts the same image as a multipart upload and as a data: URL, with the same answer', async () => {
    const json = await postJson(`${server.url}/v1/classify`, { image: png.toString('base64'), topK: 2 });
    const form = new FormData();
    form.append('image', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'sig.png');
    form.append('topK', '2');
    const res = await fetch(`${server.url}/v1/classify`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(json.json);
    const dataUrl = await postJson(`${server.url}/v1/classify`, { image: `data:image/png;base64,${png.toString('base64')}`, topK: 2 });
    expect(dataUrl.json).toEqual(json.json);
  });

  it('decodes JPEG as well', async () => {
    const jpeg = await signatureImage({ format: 'jpeg' });
    const r = await postJson(`${server.url}/v1/classify`, { image: jpeg.toString('base64') });
    expect(r.status).toBe(200);
    expect(r.json.predictions).toHaveLength(4);
  });

  it('POST /v1/authenticity returns p(genuine), the verdict and the threshold', async () => {
    const r = await postJson(`${server.url}/v1/authenticity`, { image: png.toString('base64') });
    expect(r.status).toBe(200);
    expect(r.json.model).toBe('realfake');
    expect(r.json.threshold).toBe(0.5);
    expect(r.json.pGenuine).toBeGreaterThanOrEqual(0);
    expect(r.json.pGenuine).toBeLessThanOrEqual(1);
    expect(r.json.verdict).toBe(r.json.pGenuine >= 0.5 ? 'genuine' : 'fake');
  });

  it('POST /v1/verify accepts only the top-1 ID judged genuine, and says why otherwise', async () => {
    const top = (await postJson(`${server.url}/v1/classify`, { image: png.toString('base64'), topK: 4 })).json.predictions;
    const good = VerifyResponse.parse((await postJson(`${server.url}/v1/verify`, { image: png.toString('base64'), claimedId: top[0].id })).json);
    expect(good.identity).toMatchObject({ match: true, rank: 1 });
    expect(good.identity.probability).toBeCloseTo(top[0].probability, 6);
    expect(good.accepted).toBe(good.authenticity.verdict === 'genuine');
    const bad = VerifyResponse.parse((await postJson(`${server.url}/v1/verify`, { image: png.toString('base64'), claimedId: top[3].id })).json);
    expect(bad.accepted).toBe(false);
    expect(bad.identity).toMatchObject({ match: false, rank: 4 });
    expect(bad.reasons[0]).toMatch(/ranks 4/);
    const strict = VerifyResponse.parse((await postJson(`${server.url}/v1/verify`, { image: png.toString('base64'), claimedId: top[0].id, minIdentity: 1 })).json);
    expect(strict.accepted).toBe(false);
    expect(strict.reasons[0]).toMatch(/below minIdentity/);
  });
});

describe('server: generation', () => {
  it('POST /v1/generate returns count PNGs of the model size; the same seed gives the same bytes', async () => {
    const a = GenerateResponse.parse((await postJson(`${server.url}/v1/generate`, { id: '102', count: 3, seed: 7 })).json);
    expect(a.images).toHaveLength(3);
    const meta = await sharp(Buffer.from(a.images[0].png, 'base64')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 16, 16]);
    const b = GenerateResponse.parse((await postJson(`${server.url}/v1/generate`, { id: '102', count: 3, seed: 7 })).json);
    expect(b.images.map((i) => i.png)).toEqual(a.images.map((i) => i.png));
    const c = (await postJson(`${server.url}/v1/generate`, { id: '102', count: 3, seed: 8 })).json;
    expect(c.images[0].png).not.toBe(a.images[0].png);
    const other = (await postJson(`${server.url}/v1/generate`, { id: '104', count: 1, seed: 7 })).json;
    expect(other.images[0].png).not.toBe(a.images[0].png);
  });

  it('without a seed it draws one and returns it; that seed gives the same images again', async () => {
    const a = GenerateResponse.parse((await postJson(`${server.url}/v1/generate`, { id: '103', count: 2 })).json);
    const b = GenerateResponse.parse((await postJson(`${server.url}/v1/generate`, { id: '103', count: 2 })).json);
    expect(a.seed).not.toBe(b.seed); // two draws from 2^31 seeds
    expect(a.images[0].png).not.toBe(b.images[0].png);
    const again = GenerateResponse.parse((await postJson(`${server.url}/v1/generate`, { id: '103', count: 2, seed: a.seed })).json);
    expect(again.images.map((i) => i.png)).toEqual(a.images.map((i) => i.png));
  });

  it("truncation: latent values within ±t give other images, said in the response; 'none' = the model's default here (it has none)", async () => {
    const plain = GenerateResponse.parse((await postJson(`${server.url}/v1/generate`, { id: '102', count: 2, seed: 7 })).json);
    expect(plain.truncation).toBeNull();
    const t = GenerateResponse.parse((await postJson(`${server.url}/v1/generate`, { id: '102', count: 2, seed: 7, truncation: 0.5 })).json);
    expect(t.truncation).toBe(0.5);
    expect(t.images[0].png).not.toBe(plain.images[0].png);
    const none = GenerateResponse.parse((await postJson(`${server.url}/v1/generate`, { id: '102', count: 2, seed: 7, truncation: 'none' })).json);
    expect(none.truncation).toBeNull();
    expect(none.images.map((i) => i.png)).toEqual(plain.images.map((i) => i.png));
  });

  it('images within one response differ (each has its own latent vector)', async () => {
    const r = (await postJson(`${server.url}/v1/generate`, { id: '101', count: 2, seed: 1 })).json;
    expect(r.images[0].png).not.toBe(r.images[1].png);
  });
});

describe('server: protocol, metadata, documents', () => {
  it('serves the Open Inference Protocol health and metadata routes', async () => {
    expect(await (await fetch(`${server.url}/v2`)).json()).toMatchObject({ name: 'sig-inference-server' });
    expect((await fetch(`${server.url}/v2/health/live`)).status).toBe(200);
    expect((await fetch(`${server.url}/v2/health/ready`)).status).toBe(200);
    expect(await (await fetch(`${server.url}/v2/models/generator/ready`)).json()).toEqual({ name: 'generator', ready: true });
    const meta = await (await fetch(`${server.url}/v2/models/classifier`)).json();
    expect(meta).toMatchObject({ name: 'classifier', platform: 'onnxruntime_onnx', kind: 'classifier' });
    expect(meta.inputs).toEqual([{ name: 'image', datatype: 'FP32', shape: [-1, 16, 16, 1] }]);
    // The default ('auto') as this machine resolves it: cuda when installed, webgpu on a hardware adapter, cpu last.
    expect(meta.requestedProviders.at(-1)).toBe('cpu');
    expect(meta.requestedProviders).toContain(meta.executionProvider);
    if (meta.executionProvider !== meta.requestedProviders[0]) expect(meta.fallbackReason).toMatch(new RegExp(`^${meta.requestedProviders[0]}: `));
  });

  it('lists the models: GET /v2/models and POST /v2/repository/index (Triton)', async () => {
    const list = await (await fetch(`${server.url}/v2/models`)).json();
    expect(list.models.map((m: { name: string }) => m.name).sort()).toEqual(['classifier', 'generator', 'realfake']);
    for (const m of list.models) expect(m).toMatchObject({ demo: false, trainedOn: expect.stringMatching(/no-data/), executionProvider: expect.any(String) });
    const index = await (await fetch(`${server.url}/v2/repository/index`, { method: 'POST' })).json();
    expect(index.map((m: { name: string; state: string }) => `${m.name}:${m.state}`).sort()).toEqual(['classifier:READY', 'generator:READY', 'realfake:READY']);
  });

  it('a wrong method on a route is 405 with Allow; an unknown path stays 404', async () => {
    const get = await fetch(`${server.url}/v1/classify`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await get.json()).error).toMatch(/GET is not allowed/);
    const del = await fetch(`${server.url}/v2/models/classifier`, { method: 'DELETE' });
    expect([del.status, del.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    expect((await fetch(`${server.url}/v2/models/classifier/infer`, { method: 'PUT', body: '{}' })).headers.get('allow')).toBe('POST');
    expect((await fetch(`${server.url}/no/such/route`)).status).toBe(404);
  });

  it('every /v1 answer says which model answered and what it was trained on', async () => {
    const image = png.toString('base64');
    const bodies = [
      (await postJson(`${server.url}/v1/classify`, { image })).json,
      (await postJson(`${server.url}/v1/authenticity`, { image })).json,
      (await postJson(`${server.url}/v1/verify`, { image, claimedId: '101' })).json,
      (await postJson(`${server.url}/v1/generate`, { id: '101', seed: 1 })).json,
    ];
    expect(bodies.map((b) => b.answeredBy.map((a: { model: string }) => a.model))).toEqual([['classifier'], ['realfake'], ['classifier', 'realfake'], ['generator']]);
    for (const b of bodies) for (const a of b.answeredBy) expect(a).toMatchObject({ demo: false, trainedOn: expect.stringMatching(/no-data/) });
  });

  it('the OpenAPI text lists exactly the image formats the decoder accepts', async () => {
    const doc = await (await fetch(`${server.url}/openapi.json`)).json();
    const text: string = doc.components.schemas.ClassifyRequest.properties.image.description;
    for (const f of ['PNG', 'JPEG', 'TIFF', 'WebP']) expect(text).toContain(f);
    expect(text).not.toMatch(/GIF/);
    const gif = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
    expect((await postJson(`${server.url}/v1/classify`, { image: gif.toString('base64') })).status).toBe(400);
  });

  it('runs the generator through v2 infer', async () => {
    const r = await postJson(`${server.url}/v2/models/generator/infer`, {
      inputs: [
        { name: 'z', shape: [2, 8], datatype: 'FP32', data: [[0, 1, 0, 1, 0, 1, 0, 1], [1, 0, 1, 0, 1, 0, 1, 0]] },
        { name: 'label', shape: [2, 4], datatype: 'FP32', data: [1, 0, 0, 0, 0, 0, 1, 0] },
      ],
      outputs: [{ name: 'g_out' }],
    });
    expect(r.status).toBe(200);
    expect(r.json.outputs[0].shape).toEqual([2, 16, 16, 1]);
    expect(r.json.outputs[0].data).toHaveLength(512);
  });

  it('GET /openapi.json is an OpenAPI 3.1 document generated from the zod schemas', async () => {
    const doc = await (await fetch(`${server.url}/openapi.json`)).json();
    expect(doc.openapi).toBe('3.1.0');
    for (const p of ['/v1/classify', '/v1/authenticity', '/v1/verify', '/v1/generate', '/v2/models/{name}/infer', '/metrics']) expect(doc.paths).toHaveProperty([p]);
    expect(doc.components.schemas.ClassifyRequest.properties.topK).toMatchObject({ type: 'integer', minimum: 1, maximum: 100, default: 5 });
    expect(doc.components.schemas.GenerateRequest.properties.count.maximum).toBe(16);
    expect(Object.keys(doc.paths['/v1/classify'].post.requestBody.content)).toEqual(['application/json', 'multipart/form-data']);
  });

  it('GET /metrics exposes request counts, latency histograms, batch sizes and queue depth', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/sig_http_requests_total\{route="\/v1\/classify",method="POST",status="200"\} \d+/);
    expect(text).toMatch(/sig_http_request_duration_seconds_bucket\{le="0.05",route="\/v1\/classify"\}/);
    expect(text).toMatch(/sig_batch_size_count\{model="classifier"\} \d+/);
    expect(text).toMatch(/sig_queue_depth\{model="classifier"\} 0/);
    expect(text).toContain('sig_http_errors_total');
  });
});

describe('server: /edge', () => {
  it('is a 404 JSON when the browser bundle is not built', async () => {
    const r = await fetch(`${server.url}/edge/`);
    expect(r.status).toBe(404);
    expect((await r.json()).error).toMatch(/not built/);
  });

  it('serves the built bundle with cross-origin isolation headers and wasm/mjs MIME types', async () => {
    const edge = await mkdtemp(join(tmpdir(), 'sig-edge-'));
    await writeFile(join(edge, 'index.html'), '<!doctype html><title>edge</title>');
    await writeFile(join(edge, 'ort.wasm'), new Uint8Array([0, 97, 115, 109]));
    await writeFile(join(edge, 'app.mjs'), 'export {};');
    const s = await startTestServer(models, { edgeDir: edge });
    try {
      const index = await fetch(`${s.url}/edge/`);
      expect(index.status).toBe(200);
      expect(index.headers.get('content-type')).toMatch(/^text\/html/);
      expect(index.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(index.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      expect((await fetch(`${s.url}/edge/ort.wasm`)).headers.get('content-type')).toBe('application/wasm');
      expect((await fetch(`${s.url}/edge/app.mjs`)).headers.get('content-type')).toMatch(/^text\/javascript/);
      expect((await fetch(`${s.url}/edge/missing.js`)).status).toBe(404);
      // A bundle built without models gets the server's loaded models.
      const manifest = await (await fetch(`${s.url}/edge/models/manifest.json`)).json();
      expect(manifest.models.map((m: ModelEntry) => m.name).sort()).toEqual(['classifier', 'generator', 'realfake']);
      const onnx = await fetch(`${s.url}/edge/models/classifier.onnx`);
      expect([onnx.status, onnx.headers.get('content-type')]).toEqual([200, 'application/octet-stream']);
      expect((await onnx.arrayBuffer()).byteLength).toBe(manifest.models.find((m: ModelEntry) => m.name === 'classifier').bytes);
      expect((await fetch(`${s.url}/edge/models/other.onnx`)).status).toBe(404);
      expect((await fetch(`${s.url}/edge/..%2f..%2fetc%2fpasswd`)).status).toBe(404);
    } finally {
      await s.close();
      await rm(edge, { recursive: true, force: true });
    }
  });
});
