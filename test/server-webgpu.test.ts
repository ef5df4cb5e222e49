// The server on onnxruntime-node's WebGPU provider, on a software GPU (SwiftShader through Vulkan): the
// answers match the CPU provider's, and the server reports where each model runs. The servers are child
// processes, so that only they see the SwiftShader driver (VK_ICD_FILENAMES in their environment).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Manifest, V2ModelMetadata, prepare, type ModelEntry } from '@sig/shared';
import { decodeImage } from '@sig/shared/node/image-io.ts';
import { makeTestModels } from './server/fixtures.ts';
import { postJson, signatureImage } from './server/http.ts';
import { softwareGpuEnv, softwareGpuMissing } from './helpers/software-gpu.ts';

const missing = softwareGpuMissing();
const repoRoot = resolve(import.meta.dirname, '..');

interface Child {
  url: string;
  log: () => string;
  stop(): Promise<void>;
}

/** `sig serve` over `dir` with `flags`, on the software GPU; resolves once it listens. */
async function serve(dir: string, flags: string[]): Promise<Child> {
  const env = softwareGpuEnv();
  delete env.SIG_EXECUTION_PROVIDERS;
  const args = ['apps/trainer/bin/sig.js', 'serve', '--models', dir, '--port', '0', '--host', '127.0.0.1', '--preprocess-threads', '0', '--intra-op-threads', '1', ...flags];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const url = await new Promise<string>((ok, fail) => {
    child.stderr!.on('data', (d: Buffer) => {
      log += d;
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(log);
      if (m) ok(m[1]);
    });
    child.once('exit', (code) => fail(new Error(`sig serve exited (${code}): ${log}`)));
  });
  return {
    url,
    log: () => log,
    stop: () => new Promise<void>((done) => (child.exitCode !== null ? done() : (child.once('exit', () => done()), child.kill('SIGTERM')))),
  };
}

describe.skipIf(missing !== undefined)(`server on WebGPU (software GPU)${missing ? ` — skipped: ${missing}` : ''}`, () => {
  let dir: string;
  let entry: ModelEntry;
  let gpu: Child | undefined;
  let auto: Child | undefined;

  beforeAll(async () => {
    const made = await makeTestModels();
    dir = made.dir;
    // The classifier alone: the software GPU is slow, and one model proves the path. The server's default
    // inference threads (2): a GPU model gets one session on one of them.
    const manifest: Manifest = { ...made.manifest, models: made.manifest.models.filter((m) => m.kind === 'classifier') };
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
    entry = manifest.models[0];
    [gpu, auto] = await Promise.all([serve(dir, ['--providers', 'webgpu']), serve(dir, [])]);
  });
  afterAll(async () => {
    await Promise.all([gpu?.stop(), auto?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('--providers webgpu serves on WebGPU and matches the CPU provider within 1e-4', async () => {
    const images = await Promise.all([1, 3, 5].map((seed) => signatureImage({ seed })));
    const xs = await Promise.all(images.map(async (png) => prepare(entry, await decodeImage(png)).data));
    const x = new Float32Array(xs.flatMap((a) => [...a]));
    const shape = [xs.length, ...entry.inputs[0].shape.slice(1).map(Number)];
    const v2 = await postJson(`${gpu!.url}/v2/models/${entry.name}/infer`, { inputs: [{ name: entry.inputs[0].name, shape, datatype: 'FP32', data: Array.from(x) }] });
    expect(v2.status).toBe(200);
    const served: number[] = v2.json.outputs[0].data;

    const cpu = await ort.InferenceSession.create(await readFile(join(dir, entry.file)), { executionProviders: ['cpu'] });
    const want = (await cpu.run({ [entry.inputs[0].name]: new ort.Tensor('float32', x, shape) }))[entry.outputs[0].name].data as Float32Array;
    await cpu.release();
    expect(served).toHaveLength(want.length);
    const diff = Math.max(...served.map((v, i) => Math.abs(v - want[i])));
    expect(diff).toBeLessThan(1e-4);

    // /v1/classify on the same server, through decoding, preprocessing and the micro-batcher.
    const c = await postJson(`${gpu!.url}/v1/classify`, { image: images[0].toString('base64'), topK: entry.labels.length });
    expect(c.status).toBe(200);
    for (const p of c.json.predictions) expect(Math.abs(p.probability - want[entry.labels.indexOf(p.id)])).toBeLessThan(1e-4);
  }, 300_000); // the first runs compile the WebGPU shaders on the software GPU (~10 s alone, over a minute on a loaded machine)

  it('reports the provider and the adapter it runs on (log, /v2/models/{name}, /metrics)', async () => {
    const meta = V2ModelMetadata.parse(await (await fetch(`${gpu!.url}/v2/models/${entry.name}`)).json());
    expect(meta.executionProvider).toBe('webgpu');
    expect(meta.adapter).toMatch(/swiftshader.*software/i);
    const metrics = await (await fetch(`${gpu!.url}/metrics`)).text();
    expect(metrics).toContain(`sig_model_execution_provider{model="${entry.name}",provider="webgpu"} 1`);
    // One session on the GPU (not one per inference thread), batches of up to 32 images.
    expect(gpu!.log()).toMatch(new RegExp(`model ${entry.name} .* loaded on webgpu, adapter google swiftshader.*; batches of up to 32, 1 at a time`));
  });

  it('by default a software adapter is not taken: the model runs on the CPU provider, and the log says why', async () => {
    const meta = V2ModelMetadata.parse(await (await fetch(`${auto!.url}/v2/models/${entry.name}`)).json());
    expect(meta.executionProvider).toBe('cpu');
    expect(meta.requestedProviders).toEqual(['cpu']);
    expect(auto!.log()).toMatch(/execution providers: cpu \(skipped .*webgpu: the adapter is google swiftshader .*software/);
    expect(auto!.log()).toMatch(new RegExp(`model ${entry.name} .* loaded on cpu; batches of up to 8, \\d+ at a time`));
  });
});
