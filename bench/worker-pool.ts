// `npm run bench:workers`: our worker request/answer module (packages/shared/src/node/worker-calls.ts, as the
// server's PreprocessPool uses it) against the worker-pool libraries tinypool and piscina, on the same tasks in
// the same run, interleaved per round:
//   - prepare: a real photographed crop from a registration sheet (PNG upload bytes) decoded and preprocessed
//     by the shared preprocessing, the server's upload path (ours: the real PreprocessPool);
//   - echo: a 64 KiB buffer moved to a worker and moved back (what the pool mechanism itself costs).
// Buffers travel in transfer lists both ways in every pool. Each cell runs `--seconds` with 1 and `--callers`
// concurrent callers (each awaits its call, then sends the next); the libraries run as configured out of the
// box (one task per worker at a time) and with `--callers` tasks in flight per worker, as ours allows. Prints
// calls/s, p50 and p99 latency and process CPU ms per call (all threads), the median over `--rounds`, then
// ours / library ratios.
//
//   npm run bench:workers -- [--threads 2] [--callers 8] [--seconds 2] [--rounds 3] [--sheets <dir>]
import { readdirSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { Piscina } from 'piscina';
import Tinypool from 'tinypool';
import { preprocess, PreprocessConfig } from '@sig/shared';
import { decodeImage } from '@sig/shared/node/image-io.ts';
import { startTsWorker } from '@sig/shared/node/ts-worker.ts';
import { WorkerCalls } from '@sig/shared/node/worker-calls.ts';
import { PreprocessPool } from '../apps/inference-server/src/preprocess/pool.ts';
import type { BenchRequest } from './worker-pool/task.ts';

const { values: args } = parseArgs({
  options: {
    threads: { type: 'string', default: '2' },
    callers: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    sheets: { type: 'string', default: '../shared/datasets/registration-sheets' },
  },
});
const threads = Number(args.threads);
const callers = Number(args.callers);
const seconds = Number(args.seconds);
const rounds = Number(args.rounds);
const MAX_PIXELS = 40_000_000;
const cfg = PreprocessConfig.parse({ width: 128, height: 64 });
const ECHO_BYTES = 64 * 1024;

/** PNG bytes of a signature cell cut from the first sheet photo: the first window the preprocessing accepts. */
async function realCrop(): Promise<{ png: Uint8Array; where: string }> {
  const file = readdirSync(args.sheets!).filter((f) => /\.jpe?g$/i.test(f)).sort()[0];
  const path = join(args.sheets!, file);
  const { width = 0, height = 0 } = await sharp(path).metadata();
  for (let top = 0.25; top < 0.85; top += 0.05) {
    for (const left of [0.3, 0.45, 0.6, 0.75]) {
      const box = { left: Math.round(left * width), top: Math.round(top * height), width: Math.round(0.15 * width), height: Math.round(0.06 * height) };
      const png = new Uint8Array(await sharp(path).extract(box).png().toBuffer());
      try {
        preprocess(await decodeImage(png), cfg);
        return { png, where: `${file} ${box.width}×${box.height} at (${box.left}, ${box.top}), ${(png.length / 1024).toFixed(0)} KiB PNG` };
      } catch {
        // No signature in this window: try the next.
      }
    }
  }
  throw new Error(`no window of ${path} holds a signature`);
}

/** One way of running the task on `threads` workers: `call` sends a request whose bytes are moved. */
interface Pool {
  name: string;
  call(req: BenchRequest): Promise<unknown>;
  close(): Promise<void>;
}

function ourPool(): Pool {
  const prepare = new PreprocessPool(threads, () => {});
  const echo = Array.from({ length: threads }, () => new WorkerCalls<BenchRequest, Uint8Array>(startTsWorker(new URL('./worker-pool/echo-worker.ts', import.meta.url)), 'echo worker'));
  return {
    name: 'ours',
    call(req) {
      if (req.kind === 'prepare') return prepare.prepare(req.bytes, req.maxPixels, req.configs);
      // The PreprocessPool's dispatch: the worker with the fewest calls in flight.
      const w = echo.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
      return w.call(req, [req.bytes.buffer as ArrayBuffer]);
    },
    async close() {
      await prepare.close();
      await Promise.all(echo.map((w) => w.worker.terminate()));
    },
  };
}

/**
 * The libraries as configured out of the box (one task per worker at a time: the next is sent when the last
 * is answered), and with `perWorker` tasks in flight per worker, which our module always allows (a worker
 * starts on its next request while its last answer travels back).
 */
function tinypool(perWorker = 1): Pool {
  const pool = new Tinypool({
    filename: new URL('./worker-pool/tinypool-task.mjs', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    concurrentTasksPerWorker: perWorker,
  });
  return {
    name: perWorker === 1 ? 'tinypool' : `tinypool/${perWorker}`,
    call: (req) => pool.run(req, { transferList: [req.bytes.buffer as ArrayBuffer] }),
    close: () => pool.destroy(),
  };
}

function piscina(perWorker = 1): Pool {
  const pool = new Piscina({
    filename: new URL('./worker-pool/piscina-task.mjs', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    concurrentTasksPerWorker: perWorker,
  });
  return {
    name: perWorker === 1 ? 'piscina' : `piscina/${perWorker}`,
    call: (req) => pool.run(req, { transferList: [req.bytes.buffer as ArrayBuffer] }),
    close: () => pool.destroy(),
  };
}

interface Cell {
  perSec: number;
  p50: number;
  p99: number;
  cpuMs: number;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** `n` callers, each sending its next call when its last one is answered, for `seconds`. */
async function measure(pool: Pool, request: () => BenchRequest, n: number): Promise<Cell> {
  const warmEnd = performance.now() + 300;
  await Promise.all(Array.from({ length: n }, async () => {
    while (performance.now() < warmEnd) await pool.call(request());
  }));
  const lat: number[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (performance.now() < end) {
        const req = request();
        const s = performance.now();
        await pool.call(req);
        lat.push(performance.now() - s);
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  lat.sort((a, b) => a - b);
  return { perSec: lat.length / elapsed, p50: quantile(lat, 0.5), p99: quantile(lat, 0.99), cpuMs: (cpu.user + cpu.system) / 1000 / lat.length };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const crop = await realCrop();
const tasks: Record<string, () => BenchRequest> = {
  prepare: () => ({ kind: 'prepare', bytes: new Uint8Array(crop.png), maxPixels: MAX_PIXELS, configs: [cfg] }),
  echo: () => ({ kind: 'echo', bytes: new Uint8Array(ECHO_BYTES) }),
};
const pools = [ourPool(), tinypool(), tinypool(callers), piscina(), piscina(callers)];
console.log(`worker pools: ${threads} worker threads each; 1 and ${callers} concurrent callers; ${seconds} s per cell, ${rounds} rounds, order rotated per round`);
console.log(`prepare: ${crop.where}, preprocessed to ${cfg.height}×${cfg.width}; echo: ${ECHO_BYTES / 1024} KiB moved there and back`);
console.log(`machine: ${cpus()[0]?.model ?? '?'} × ${availableParallelism()}, Node ${process.version}; load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

const results = new Map<string, Cell[]>(); // `${task} ${callers} ${pool}` → one cell per round
for (let r = 0; r < rounds; r++) {
  const order = pools.map((_, i) => pools[(i + r) % pools.length]);
  for (const task of Object.keys(tasks)) {
    for (const n of [1, callers]) {
      for (const pool of order) {
        const key = `${task} ${n} ${pool.name}`;
        results.set(key, [...(results.get(key) ?? []), await measure(pool, tasks[task], n)]);
      }
    }
  }
}
await Promise.all(pools.map((p) => p.close()));

const cell = (key: string): Cell => {
  const cs = results.get(key)!;
  return { perSec: median(cs.map((c) => c.perSec)), p50: median(cs.map((c) => c.p50)), p99: median(cs.map((c) => c.p99)), cpuMs: median(cs.map((c) => c.cpuMs)) };
};
console.log('\ntask     callers pool         calls/s   p50 ms   p99 ms  CPU ms/call');
for (const task of Object.keys(tasks)) {
  for (const n of [1, callers]) {
    for (const pool of pools) {
      const c = cell(`${task} ${n} ${pool.name}`);
      console.log(`${task.padEnd(8)} ${String(n).padStart(7)} ${pool.name.padEnd(12)} ${c.perSec.toFixed(0).padStart(8)} ${c.p50.toFixed(3).padStart(8)} ${c.p99.toFixed(3).padStart(8)} ${c.cpuMs.toFixed(3).padStart(12)}`);
    }
  }
}
console.log('');
for (const lib of pools.slice(1).map((p) => p.name)) {
  const parts: string[] = [];
  for (const task of Object.keys(tasks)) {
    for (const n of [1, callers]) {
      const ours = cell(`${task} ${n} ours`);
      const theirs = cell(`${task} ${n} ${lib}`);
      parts.push(`${task}×${n} calls/s ${(ours.perSec / theirs.perSec).toFixed(2)}, p50 ${(ours.p50 / theirs.p50).toFixed(2)}`);
    }
  }
  console.log(`ours / ${lib}: ${parts.join('; ')}`);
}
console.log(`load average at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
