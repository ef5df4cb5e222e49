// `npm run bench:serve`: HTTP throughput of `sig serve` on loopback (autocannon) against the raw
// onnxruntime-node session.run throughput of the same model, measured in the same run on the same machine.
// Raw is the best of the configurations the server itself could choose (one session × every core's intra-op
// threads, or one single-thread session per core side by side; each at its best batch), per provider, so
// the ratio means the same on every machine and provider. Prints req/s, p50/p99 latency and the ratio (last line).
//
//   npm run bench:serve -- [--model default|reference] [--models dir] [--seconds 10] [--connections auto]
//                          [--width 1] [--rounds 1] [--serve-args="<sig serve flags>|<other flags>"]
//                          [--route classify|infer] [--provider cpu|webgpu|cuda]
//
// --route classify (the default): POST /v1/classify with a signature PNG as base64 JSON; the server decodes
// and preprocesses every upload. --route infer: POST /v2/models/classifier/infer with the preprocessed
// 64×128 tensor as binary tensor data (the Open Inference Protocol extension), binary output: the same work
// as raw session.run, so the ratio is the server's own overhead (a client that preprocesses, e.g. the
// browser with the shared preprocessing, sends this).
//
// A third line, the same work in one process without HTTP (decode → preprocess → session.run at the best
// batch size), separates the server's own overhead from the per-image preprocessing cost.
// Bare servers (node:http alone, and Hono on @hono/node-server) loaded with the same requests at the rate the
// server reached give the floor: the CPU per request that any Node (or Hono) HTTP server, and the load
// generator, pay before doing anything.
//
// Which classifier: --models <dir> uses that folder's; --model default (the default) the committed one in
// models/ (width 0.25, 10 classes: inference is cheap, so the per-request decode and preprocessing weigh
// most); --model reference exports the reference architecture (width --width, default 1, 64×128, 184
// classes, untrained: the speed does not depend on the weights) to a temp folder, where inference dominates.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon, { type Options as LoadOptions } from 'autocannon';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { Manifest, classify, prepare, type ClassifierEntry } from '@sig/shared';
import { parseConfig } from '../apps/inference-server/src/config.ts';
import { defaultMaxBatch } from '../apps/inference-server/src/models/execution-providers.ts';
import { decodeUpload } from '../apps/inference-server/src/preprocess/png-decode.ts';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'default' },
    models: { type: 'string' },
    seconds: { type: 'string', default: '10' },
    /**
     * Concurrent requests; 'auto' = max(32, 4 × the server's max batch, its default or --max-batch in
     * --serve-args): enough for the server's two inference threads to each run a full batch while the next
     * two fill.
     */
    connections: { type: 'string', default: 'auto' },
    classes: { type: 'string', default: '184' },
    width: { type: 'string', default: '1' },
    /**
     * Extra `sig serve` flags, e.g. --serve-args="--max-wait-ms 10 --preprocess-threads 2". Several
     * configurations separated by '|' are measured in turn, each round ('' = the defaults).
     */
    'serve-args': { type: 'string', default: '' },
    /** Rounds over the configurations, each with its own raw session.run measurement right before it. */
    rounds: { type: 'string', default: '1' },
    route: { type: 'string', default: 'classify' },
    /** Execution provider of both sides: raw session.run and the server (`--providers`). */
    provider: { type: 'string', default: 'cpu' },
  },
});
if (args.route !== 'classify' && args.route !== 'infer') throw new Error(`--route is classify or infer, not '${args.route}'`);
const seconds = Number(args.seconds);
const provider = args.provider!;
if (!['cpu', 'webgpu', 'cuda'].includes(provider)) throw new Error(`--provider is cpu, webgpu or cuda, not '${provider}'`);

/** A folder with a classifier: --models, else models/ for --model default, else a freshly exported reference classifier. */
async function classifierFolder(): Promise<{ dir: string; entry: ClassifierEntry; origin: string }> {
  if (args.model !== 'default' && args.model !== 'reference') throw new Error(`--model is default or reference, not '${args.model}'`);
  const dir = args.models ?? (args.model === 'default' ? 'models' : null);
  if (dir) {
    if (!existsSync(join(dir, 'manifest.json'))) throw new Error(`${dir}/manifest.json not found (npm run train:default writes models/)`);
    const manifest = Manifest.parse(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')));
    const entry = manifest.models.find((m) => m.kind === 'classifier');
    if (!entry) throw new Error(`${dir}/manifest.json has no classifier`);
    return { dir, entry, origin: `${dir}/${entry.file}` };
  }
  await import('@tensorflow/tfjs-backend-cpu');
  const tf = await import('@tensorflow/tfjs-core');
  await tf.setBackend('cpu');
  const { buildClassifier } = await import('../apps/trainer/src/model/classifier.ts');
  const { buildOnnxGraph, exportLayersModel, tensorSpecs } = await import('../apps/trainer/src/export/onnx/export-layers-model.ts');
  const classes = Number(args.classes);
  const width = Number(args.width);
  const model = buildClassifier({ classes, inputHeight: 64, inputWidth: 128, widthMultiplier: width });
  const bytes = await exportLayersModel(model);
  const graph = buildOnnxGraph(model);
  const out = await mkdtemp(join(tmpdir(), 'sig-bench-serve-'));
  process.on('exit', () => rmSync(out, { recursive: true, force: true }));
  const entry: ClassifierEntry = {
    name: 'classifier',
    kind: 'classifier',
    scores: 'probabilities',
    version: 'bench',
    file: 'classifier.onnx',
    sha256: createHash('sha256').update(bytes).digest('hex'),
    bytes: bytes.length,
    opset: 17,
    precision: 'fp32',
    inputs: tensorSpecs(graph.inputs),
    outputs: tensorSpecs(graph.outputs),
    labels: Array.from({ length: classes }, (_, i) => String(i + 1)),
    preprocess: { height: 64, width: 128, range: 'zero-one', binarize: false, removeLines: true, margin: 0.05 },
    training: { dataset: 'none (untrained, benchmark only)', classes, samples: 0 },
    metrics: {},
    createdAt: new Date().toISOString(),
  };
  await writeFile(join(out, entry.file), bytes);
  await writeFile(join(out, 'manifest.json'), JSON.stringify({ schemaVersion: 1, models: [entry] }));
  return { dir: out, entry, origin: `reference classifier, width ${width}, 64×128, ${classes} classes, untrained (temp export)` };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** One way the server could run the model: `sessions` sessions side by side (one worker thread each), `intraOp` threads in each. */
interface RawConfig {
  sessions: number;
  intraOp: number;
  batch: number;
}
const describeRaw = (c: RawConfig) => `${c.sessions} session${c.sessions > 1 ? 's' : ''} × ${c.intraOp} thread${c.intraOp > 1 ? 's' : ''}, batch ${c.batch}`;

// Raw session.run, in plain JavaScript for eval workers (no tsx loader there): one session per worker, warm-up,
// then session.run in a loop for workerData.secs once the main thread says go (all workers start together).
const RAW_WORKER = `
const { parentPort, workerData: w } = require('node:worker_threads');
const ort = require('onnxruntime-node');
ort.env.logLevel = 'fatal';
(async () => {
  const s = await ort.InferenceSession.create(w.model, { executionProviders: [w.provider], graphOptimizationLevel: 'all', intraOpNumThreads: w.intraOp, interOpNumThreads: 1 });
  const dims = [w.batch, ...w.dims];
  const n = dims.reduce((a, b) => a * b, 1);
  const feeds = { [w.input]: new ort.Tensor('float32', Float32Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 1 : 0)), dims) };
  for (let i = 0; i < 3; i++) await s.run(feeds);
  parentPort.postMessage('ready');
  await new Promise((go) => parentPort.once('message', go));
  const lat = [];
  const start = performance.now();
  while (performance.now() - start < w.secs * 1000 || lat.length < 3) { const t = performance.now(); await s.run(feeds); lat.push(performance.now() - t); }
  parentPort.postMessage({ lat, elapsed: (performance.now() - start) / 1000 });
  await s.release();
})();
`;

/** session.run under `cfg` for `secs` seconds: images/s, per-run latency and CPU per image (all threads of this process). */
async function rawRun(model: string, entry: ClassifierEntry, provider: string, cfg: RawConfig, secs: number) {
  const dims = entry.inputs[0].shape.slice(1).map((d) => (typeof d === 'number' ? d : 1));
  const workers = Array.from({ length: cfg.sessions }, () => new Worker(RAW_WORKER, { eval: true, workerData: { model, provider, input: entry.inputs[0].name, dims, ...cfg, secs } }));
  const next = (w: Worker) => new Promise<any>((ok, fail) => (w.once('message', ok), w.once('error', fail)));
  try {
    await Promise.all(workers.map(next));
    const cpu0 = process.cpuUsage();
    const done = workers.map(next);
    for (const w of workers) w.postMessage('go');
    const results: { lat: number[]; elapsed: number }[] = await Promise.all(done);
    const cpu = process.cpuUsage(cpu0);
    const lat = results.flatMap((r) => r.lat).sort((a, b) => a - b);
    const elapsed = Math.max(...results.map((r) => r.elapsed));
    return { ...cfg, imagesPerSec: (lat.length * cfg.batch) / elapsed, p50: percentile(lat, 50), p99: percentile(lat, 99), cpuMsPerImage: (cpu.user + cpu.system) / 1000 / (lat.length * cfg.batch) };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/**
 * The best raw configuration among those the server itself can choose: one session with every core's
 * intra-op threads, or one single-threaded session per core side by side (the server's inference threads),
 * each at its best batch. A GPU provider runs one session (the server keeps one copy per model there).
 */
function rawCandidates(provider: string): Omit<RawConfig, 'batch'>[] {
  const cores = availableParallelism();
  if (provider !== 'cpu' || cores === 1) return [{ sessions: 1, intraOp: cores }];
  return [
    { sessions: 1, intraOp: cores },
    { sessions: cores, intraOp: 1 },
  ];
}

/** Starts `node <args>` and waits for `pattern` in its `stream` output; resolves with the first capture group. */
async function spawnUntil(args: string[], stream: 'stdout' | 'stderr', pattern: RegExp, what: string): Promise<{ child: ChildProcess; match: string }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', stream === 'stdout' ? 'pipe' : 'ignore', stream === 'stderr' ? 'pipe' : 'inherit'] });
  let log = '';
  const match = await new Promise<string>((resolve, reject) => {
    child[stream]!.on('data', (d: Buffer) => {
      log += d;
      const m = pattern.exec(log);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}): ${log}`)));
  });
  return { child, match };
}

async function startServe(dir: string, serveArgs: string): Promise<{ url: string; child: ChildProcess }> {
  const args = ['apps/trainer/bin/sig.js', 'serve', '--models', dir, '--port', '0', '--host', '127.0.0.1', '--max-queue', '4096', ...serveArgs.split(/\s+/).filter(Boolean)];
  const { child, match } = await spawnUntil(args, 'stderr', /listening on (http:\/\/[\d.]+:\d+)/, 'sig serve');
  return { url: match, child };
}

/** autocannon for `secs` seconds against the process `pid`, with both sides' CPU per request. */
async function loaded(pid: number, opts: LoadOptions, secs: number) {
  const serverCpu0 = processCpuMs(pid);
  const benchCpu0 = process.cpuUsage();
  const r = await autocannon({ ...opts, duration: secs });
  const serverCpu = processCpuMs(pid) - serverCpu0;
  const benchCpu = process.cpuUsage(benchCpu0);
  const n = r.requests.total;
  return { r, n, reqPerSec: n / r.duration, serverCpuMsPerRequest: serverCpu / n, loadGenCpuMsPerRequest: (benchCpu.user + benchCpu.system) / 1000 / n };
}

/** A signature-like upload: a 300×120 PNG with one pen stroke (what a cropped sheet cell looks like). */
async function signaturePng(): Promise<Buffer> {
  return sharp({ create: { width: 300, height: 120, channels: 3, background: '#ffffff' } })
    .composite([{ input: Buffer.from('<svg width="300" height="120"><path d="M20 80 C 60 10, 90 110, 140 50 S 220 20, 280 70" stroke="black" stroke-width="5" fill="none"/></svg>'), top: 0, left: 0 }])
    .png()
    .toBuffer();
}

/** decode (the server's decoder) → preprocess → classify in this process, `batch` images per session run, for `secs` seconds. */
async function pipelineRun(session: ort.InferenceSession, entry: ClassifierEntry, png: Buffer, batch: number, secs: number) {
  const ctx = { session, Tensor: ort.Tensor };
  let images = 0;
  let prepMs = 0;
  const start = performance.now();
  while (performance.now() - start < secs * 1000) {
    const t = performance.now();
    const xs = [];
    for (let i = 0; i < batch; i++) xs.push(prepare(entry, await decodeUpload(png, 40_000_000)));
    prepMs += performance.now() - t;
    await classify(ctx, entry, xs, { topK: 5 });
    images += batch;
  }
  return { imagesPerSec: images / ((performance.now() - start) / 1000), prepMsPerImage: prepMs / images };
}

/**
 * CPU time (user + system, all threads) a process has used, in ms (Linux /proc; NaN elsewhere). On a shared
 * machine, CPU per request is steadier than req/s: the scheduler gives each session an equal share of the
 * cores whatever the other jobs' nice values (autogroup), so throughput moves with the other jobs.
 */
function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime in clock ticks (USER_HZ 100)
  } catch {
    return NaN;
  }
}

/** One request of the route under test: path, headers and body. */
interface Request {
  path: string;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** --route classify: the PNG as base64 JSON; --route infer: its preprocessed tensor as v2 binary tensor data. */
async function benchRequest(entry: ClassifierEntry, png: Buffer): Promise<Request> {
  if (args.route === 'classify') {
    return { path: '/v1/classify', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ image: png.toString('base64'), topK: 5 }) };
  }
  const x = prepare(entry, await decodeUpload(png, 40_000_000)).data;
  const shape = [1, ...entry.inputs[0].shape.slice(1).map((d) => (typeof d === 'number' ? d : 1))];
  const head = Buffer.from(
    JSON.stringify({ inputs: [{ name: entry.inputs[0].name, shape, datatype: 'FP32', parameters: { binary_data_size: x.byteLength } }], parameters: { binary_data_output: true } }),
  );
  return {
    path: `/v2/models/${entry.name}/infer`,
    headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(head.length) },
    body: Buffer.concat([head, Buffer.from(x.buffer, x.byteOffset, x.byteLength)]),
  };
}

/** The server's max batch under `serveArgs`: their --max-batch, else the server's default. */
function serverMaxBatch(serveArgs: string): number {
  const flag = /--max-batch[= ](\d+)/.exec(serveArgs);
  return flag ? Number(flag[1]) : (parseConfig({}).maxBatchSize ?? defaultMaxBatch(provider));
}

/** The server with `serveArgs`, saturated by autocannon for `secs` seconds after a 2 s warm-up. */
async function serverRun(dir: string, req: Request, serveArgs: string, secs: number) {
  const connections = args.connections === 'auto' ? Math.max(32, 4 * serverMaxBatch(serveArgs)) : Number(args.connections);
  const { url, child } = await startServe(dir, serveArgs);
  try {
    const { body, headers, path } = req;
    const check = await fetch(`${url}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
    if (check.status !== 200) throw new Error(`${path} answered ${check.status}: ${await check.text()}`);
    const opts = { url: `${url}${path}`, method: 'POST', headers, body, connections, timeout: 60 };
    await autocannon({ ...opts, duration: 2 }); // warm-up
    const { r, reqPerSec, serverCpuMsPerRequest, loadGenCpuMsPerRequest } = await loaded(child.pid!, opts, secs);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const sum = Number(/sig_batch_size_sum\{model="classifier"\} ([\d.e+]+)/.exec(metrics)?.[1] ?? NaN);
    const count = Number(/sig_batch_size_count\{model="classifier"\} ([\d.e+]+)/.exec(metrics)?.[1] ?? NaN);
    return {
      connections,
      reqPerSec,
      p50: r.latency.p50,
      p99: r.latency.p99,
      errors: r.errors,
      non2xx: r.non2xx,
      meanBatch: sum / count,
      serverCpuMsPerRequest,
      loadGenCpuMsPerRequest,
    };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

// The floor under any Node HTTP server: a bare node:http server that reads the same body and answers a few
// hundred bytes, loaded at the rate the server reached (per-request costs fall as the rate rises: fewer
// wake-ups, more requests per read). Its CPU per request, and the load generator's, are what no router,
// validation or batching can remove; next to raw session.run's CPU per image they bound the ratio any Node
// server can reach on these cores.
// Two floors: node:http alone, and Hono on @hono/node-server (what the server is built on) with one route that
// reads the body from the IncomingMessage as the server does. ES module source for `node --input-type=module`.
const BARE_SERVERS = {
  'node:http': `import { createServer } from 'node:http';
    createServer((req, res) => { const chunks = []; req.on('data', (c) => chunks.push(c));
      req.on('end', () => { Buffer.concat(chunks); res.writeHead(200, { 'content-type': 'application/octet-stream' }); res.end(Buffer.alloc(300)); });
    }).listen(0, '127.0.0.1', function () { console.log('port ' + this.address().port); });`,
  hono: `import { Hono } from 'hono'; import { serve } from '@hono/node-server';
    const app = new Hono();
    app.post('*', async (c) => { const chunks = []; for await (const chunk of c.env.incoming) chunks.push(chunk); Buffer.concat(chunks);
      return c.body(Buffer.alloc(300), 200, { 'content-type': 'application/octet-stream' }); });
    const s = serve({ fetch: (req, env) => app.fetch(req, env), port: 0, hostname: '127.0.0.1' });
    s.once('listening', () => console.log('port ' + s.address().port));`,
};

async function bareHttpFloor(
  kind: keyof typeof BARE_SERVERS,
  req: Request,
  secs: number,
  rate: number,
): Promise<{ reqPerSec: number; serverCpuMsPerRequest: number; loadGenCpuMsPerRequest: number }> {
  const { child, match: port } = await spawnUntil(['--input-type=module', '-e', BARE_SERVERS[kind]], 'stdout', /port (\d+)/, `bare ${kind} server`);
  try {
    const opts = { url: `http://127.0.0.1:${port}${req.path}`, method: 'POST' as const, headers: req.headers, body: req.body, connections: 32, overallRate: Math.round(rate) };
    await autocannon({ ...opts, duration: 1 });
    return await loaded(child.pid!, opts, secs);
  } finally {
    child.kill('SIGTERM');
  }
}

const loadNow = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return (s[Math.floor((s.length - 1) / 2)] + s[Math.ceil((s.length - 1) / 2)]) / 2;
};
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average before the run ${loadNow()}`);
const { dir, entry, origin } = await classifierFolder();
console.log(`model: ${origin}`);

// 1. Raw session.run: the best of the configurations the server could choose (rawCandidates) at their best
// batch, swept briefly; that configuration is the ratio's denominator, whatever the machine and provider.
const modelPath = join(dir, entry.file);
const sweep = [];
for (const c of rawCandidates(provider)) {
  for (const batch of [1, 2, 4, 8, 16, 32, 64]) {
    const r = await rawRun(modelPath, entry, provider, { ...c, batch }, 1);
    sweep.push(r);
    console.log(`raw sweep (${provider}): ${describeRaw(r).padEnd(30)} ${r.imagesPerSec.toFixed(1).padStart(8)} images/s, ${r.cpuMsPerImage.toFixed(2)} CPU ms per image`);
  }
}
const best: RawConfig = sweep.reduce((a, b) => (b.imagesPerSec > a.imagesPerSec ? b : a));
console.log(`raw best (${provider}): ${describeRaw(best)}`);
const session = await ort.InferenceSession.create(modelPath, { executionProviders: [provider], graphOptimizationLevel: 'all' });
const png = await signaturePng();
const request = await benchRequest(entry, png);
const pipe = await pipelineRun(session, entry, png, best.batch, seconds);
console.log(`in-process pipeline (decode → preprocess → session.run, batch ${best.batch}): ${pipe.imagesPerSec.toFixed(1)} images/s, decode+preprocess ${pipe.prepMsPerImage.toFixed(2)} ms per image (${seconds} s)`);

// 2. The server: the same model behind the route (--route), saturated by autocannon on loopback; each
// configuration right after its own raw measurement, configurations alternating over the rounds so slow
// drifts in the machine's load hit them alike.
const configs = (args['serve-args'] ?? '').split('|').map((c) => c.trim());
const rounds = Number(args.rounds);
const results = configs.map(() => [] as { raw: number; server: number; rawCpu: number; serverCpu: number }[]);
for (let round = 1; round <= rounds; round++) {
  for (const [i, cfg] of configs.entries()) {
    const raw = await rawRun(modelPath, entry, provider, best, seconds);
    console.log(
      `round ${round}: raw session.run (${provider}): ${describeRaw(raw)}, ${raw.imagesPerSec.toFixed(1)} images/s, ${raw.cpuMsPerImage.toFixed(2)} CPU ms per image, ` +
        `per run p50 ${raw.p50.toFixed(2)} ms p99 ${raw.p99.toFixed(2)} ms (${seconds} s), load ${loadNow()}`,
    );
    const r = await serverRun(dir, request, `--providers ${provider} ${cfg}`, seconds);
    results[i].push({ raw: raw.imagesPerSec, server: r.reqPerSec, rawCpu: raw.cpuMsPerImage, serverCpu: r.serverCpuMsPerRequest });
    console.log(
      `round ${round}: server ${request.path} (sig serve ${cfg || 'defaults'}): ${r.connections} connections, ${r.reqPerSec.toFixed(1)} req/s, ` +
        `latency p50 ${r.p50} ms p99 ${r.p99} ms, mean batch ${r.meanBatch.toFixed(1)}, errors ${r.errors}, non-2xx ${r.non2xx} (${seconds} s), ` +
        `CPU ms per request: server ${r.serverCpuMsPerRequest.toFixed(2)} + load generator ${r.loadGenCpuMsPerRequest.toFixed(2)}, ` +
        `ratio ${(r.reqPerSec / raw.imagesPerSec).toFixed(2)}×, load ${loadNow()}`,
    );
  }
}
await session.release();
// 3. The floors, at the request rate the first configuration reached.
const rate = median(results[0].map((r) => r.server));
const rawCpu = median(results[0].map((r) => r.rawCpu));
for (const kind of Object.keys(BARE_SERVERS) as (keyof typeof BARE_SERVERS)[]) {
  const floor = await bareHttpFloor(kind, request, 4, rate);
  console.log(
    `floor: bare ${kind} at ${rate.toFixed(0)} req/s (same requests, 4 s, reached ${floor.reqPerSec.toFixed(0)}): ${floor.serverCpuMsPerRequest.toFixed(3)} CPU ms ` +
      `per request + load generator ${floor.loadGenCpuMsPerRequest.toFixed(3)}; with only these around raw session.run's ${rawCpu.toFixed(2)} CPU ms per image ` +
      `the ratio could be at most ${(rawCpu / (rawCpu + floor.serverCpuMsPerRequest + floor.loadGenCpuMsPerRequest)).toFixed(2)}×`,
  );
}
console.log(`load average after the run ${loadNow()}`);
for (const [i, cfg] of configs.entries()) {
  const rs = results[i];
  console.log(
    `summary (sig serve ${cfg || 'defaults'}): median over ${rs.length} round(s): raw ${median(rs.map((r) => r.raw)).toFixed(1)} images/s, ` +
      `server ${median(rs.map((r) => r.server)).toFixed(1)} req/s, server/in-process pipeline ${(median(rs.map((r) => r.server)) / pipe.imagesPerSec).toFixed(2)}×, ` +
      `server/raw ${median(rs.map((r) => r.server / r.raw)).toFixed(2)}× (per round ${rs.map((r) => (r.server / r.raw).toFixed(2)).join(', ')}), ` +
      `CPU per image raw ${median(rs.map((r) => r.rawCpu)).toFixed(2)} ms vs server process ${median(rs.map((r) => r.serverCpu)).toFixed(2)} ms`,
  );
}
console.log(
  `ratio server/raw session.run: ${median(results[0].map((r) => r.server / r.raw)).toFixed(2)}× (${request.path}, sig serve --providers ${provider} ${configs[0] || ''}; ` +
    `raw: ${describeRaw(best)}, the best the server could choose; goal ≥ 0.9×)`,
);
