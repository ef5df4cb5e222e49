// `npm run bench:edge`: per-signature latency of the browser bundle in headless Chromium (onnxruntime-web,
// wasm) against onnxruntime-node with one thread, on the same model and the same signature images, measured
// in the same run. Each latency is one whole lookup as a user sees it: decode the PNG → shared preprocessing
// → classifier → top-k. Also prints inference alone and the page's total download size; the ratio is last.
//
//   npm run bench:edge -- [--models <dir>] [--rounds 10] [--repeat 3] [--images 6] [--width 0.25] [--classes 184]
//
// The runtimes take turns: `--repeat` blocks of `--rounds` rounds each, node then the two pages, so a change in
// machine load hits all of them; the ratio is the median of the per-block ratios.
//
// Without --models (and without models/manifest.json) a reference-architecture classifier (untrained; speed
// does not depend on the weights) is built and exported through `sig export`'s code path to a temp folder.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { chromium } from 'playwright-core';
import { Manifest, classify, prepare, type ClassifierEntry, type RunInfo } from '@sig/shared';
import { decodeImage } from '@sig/shared/node/image-io.ts';
import { buildEdge } from '../apps/edge/src/build/build.ts';
import { serveStatic, type StaticServer } from '../apps/edge/src/build/static-server.ts';
import { signaturePngs } from '../test/edge/images.ts';

const { values: args } = parseArgs({
  options: {
    models: { type: 'string' },
    rounds: { type: 'string', default: '10' },
    repeat: { type: 'string', default: '3' },
    images: { type: 'string', default: '6' },
    width: { type: 'string', default: '0.25' },
    classes: { type: 'string', default: '184' },
  },
});
const rounds = Number(args.rounds);
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];

/** A models folder with only a classifier in it (the page then runs exactly the model Node runs). */
async function classifierOnly(): Promise<{ dir: string; entry: ClassifierEntry; origin: string; cleanup: string[] }> {
  const src = args.models ?? (existsSync('models/manifest.json') ? 'models' : null);
  const dir = await mkdtemp(join(tmpdir(), 'sig-bench-edge-models-'));
  if (src) {
    const manifest = Manifest.parse(JSON.parse(await readFile(join(src, 'manifest.json'), 'utf8')));
    const entry = manifest.models.find((m) => m.kind === 'classifier');
    if (!entry) throw new Error(`${src}/manifest.json has no classifier`);
    await writeFile(join(dir, entry.file), await readFile(join(src, entry.file)));
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ schemaVersion: 1, models: [entry] }));
    return { dir, entry, origin: `${src}/${entry.file}`, cleanup: [dir] };
  }
  await import('@tensorflow/tfjs-backend-cpu');
  const tf = await import('@tensorflow/tfjs-core');
  await tf.setBackend('cpu');
  const { buildClassifier } = await import('../apps/trainer/src/model/classifier.ts');
  const { saveModel } = await import('../apps/trainer/src/model/io.ts');
  const { exportRun } = await import('../apps/trainer/src/export/export-run.ts');
  const classes = Number(args.classes);
  const width = Number(args.width);
  const run = await mkdtemp(join(tmpdir(), 'sig-bench-edge-run-'));
  await saveModel(buildClassifier({ classes, inputHeight: 64, inputWidth: 128, widthMultiplier: width }), join(run, 'model'));
  const labels = Array.from({ length: classes }, (_, i) => String(i + 1));
  const info: RunInfo = {
    kind: 'classifier',
    name: 'classifier',
    createdAt: new Date().toISOString(),
    labels,
    preprocess: { height: 64, width: 128, range: 'zero-one', binarize: false, removeLines: true, margin: 0.05 },
    config: {},
    dataset: { path: 'none (untrained, benchmark only)', classes, samples: 0 },
    seed: 1,
    backend: 'cpu',
    metrics: {},
  };
  await writeFile(join(run, 'run.json'), JSON.stringify(info));
  await exportRun(run, dir, { realSamples: 0 });
  const manifest = Manifest.parse(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')));
  const entry = manifest.models.find((m) => m.kind === 'classifier');
  if (!entry) throw new Error('the export wrote no classifier entry');
  return { dir, entry, origin: `reference classifier, width ${width}, 64×128, ${classes} classes, untrained`, cleanup: [dir, run] };
}

const median = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

/** Timings of one block of calls: wall ms per call (total, inference), top-1 labels of the first round, CPU ms. */
interface Block {
  total: number[];
  infer: number[];
  top1: string[];
  /** CPU ms per signature: onnxruntime-node's whole process, or the page's renderer process (its wasm threads too). */
  cpuMs: number;
}

async function main(): Promise<void> {
  const { dir, entry, origin, cleanup } = await classifierOnly();
  const images = await signaturePngs(Number(args.images));
  const repeat = Number(args.repeat);
  console.log(`model: ${origin} (${(entry.bytes / 1e6).toFixed(2)} MB)`);
  console.log(
    `inputs: ${images.length} signature PNGs × ${rounds} rounds, ${repeat} alternating blocks per runtime; ` +
      `machine: ${cpus().length} cores, load ${loadavg()[0].toFixed(1)}`,
  );

  // onnxruntime-node, one thread, the graph optimised as on the web side ('all'; NCHWc where the CPU has it).
  const session = await ort.InferenceSession.create(join(dir, entry.file), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const ctx = { session, Tensor: ort.Tensor };
  // Diagnosis only, timed apart from the latency above: the same model at 'extended', i.e. without the NCHWc
  // layout transform ('all' adds it where MLAS has blocked AVX/AVX-512 kernels; wasm has none), so im2col +
  // SGEMM convolutions like onnxruntime-web's.
  const plain = await ort.InferenceSession.create(join(dir, entry.file), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'extended',
  });
  const plainInfer: number[] = [];
  const nodeBlock = async (warmup: number): Promise<Block> => {
    const b: Block = { total: [], infer: [], top1: [], cpuMs: 0 };
    let cpu0 = process.cpuUsage();
    for (let r = -warmup; r < rounds; r++) {
      if (r === 0) cpu0 = process.cpuUsage();
      for (const { png } of images) {
        const t0 = performance.now();
        const x = prepare(entry, await decodeImage(png));
        const t1 = performance.now();
        const [res] = await classify(ctx, entry, [x], { topK: 5 });
        const t2 = performance.now();
        if (r < 0) continue; // warm-up
        const cpuPaused = process.cpuUsage();
        const t3 = performance.now();
        await classify({ session: plain, Tensor: ort.Tensor }, entry, [x], { topK: 5 });
        plainInfer.push(performance.now() - t3);
        const paused = process.cpuUsage(cpuPaused);
        cpu0 = { user: cpu0.user + paused.user, system: cpu0.system + paused.system };
        b.total.push(t2 - t0);
        b.infer.push(t2 - t1);
        if (r === 0) b.top1.push(res.top[0].label);
      }
    }
    const cpu = process.cpuUsage(cpu0);
    b.cpuMs = (cpu.user + cpu.system) / 1000 / b.total.length;
    return b;
  };

  const out = await mkdtemp(join(tmpdir(), 'sig-bench-edge-dist-'));
  cleanup.push(out);
  const built = await buildEdge({ out, modelsDir: dir });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const hosts: StaticServer[] = [];
  const runs: { label: string; blocks: Block[]; measure: (warmup: number) => Promise<Block> }[] = [
    { label: 'onnxruntime-node, 1 thread', blocks: [], measure: nodeBlock },
  ];
  const pngs = images.map((i) => i.png.toString('base64'));
  try {
    // Both pages stay open (sessions warm) while the runtimes take turns, so load changes hit all alike.
    for (const isolate of [false, true]) {
      const host = await serveStatic(out, { isolate });
      hosts.push(host);
      const page = await (await browser.newContext()).newPage();
      await page.goto(host.url);
      await page.evaluate(() => window.sigEdge.ready);
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable');
      const processTime = async (): Promise<number> =>
        (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ProcessTime')?.value ?? NaN;
      const run = { label: isolate ? 'Chromium wasm (COOP/COEP)' : 'Chromium wasm, not isolated', blocks: [] as Block[], measure: async (warmup: number): Promise<Block> => {
        // Warm-up first, then the timed rounds between two readings of the renderer's CPU time.
        if (warmup) await page.evaluate(timedCalls, [pngs, warmup] as const);
        const c0 = await processTime();
        const res = await page.evaluate(timedCalls, [pngs, rounds] as const);
        const c1 = await processTime();
        return { ...res, cpuMs: ((c1 - c0) * 1000) / res.total.length };
      } };
      runs.push(run);
      // The thread count onnxruntime-web really runs, as the page shows it once a session exists.
      await run.measure(1);
      const threads = Number(await page.evaluate(() => document.body.dataset.threads));
      run.label = `Chromium wasm, ${threads} thread${threads > 1 ? 's' : ''}${isolate ? ' (COOP/COEP)' : ''}`;
    }
    for (let k = 0; k < repeat; k++) for (const r of runs) r.blocks.push(await r.measure(k === 0 ? 2 : 1));
  } finally {
    await browser.close();
    for (const h of hosts) await h.close();
  }
  await session.release();
  await plain.release();

  const node = runs[0];
  const nodeTop1 = node.blocks[0].top1.join();
  const all = (r: (typeof runs)[number], f: (b: Block) => number[]): number[] => r.blocks.flatMap(f);
  console.log(`${''.padEnd(40)} ms/signature  inference  CPU ms/signature   per block (ms/signature)`);
  for (const r of runs) {
    console.log(
      `${r.label.padEnd(40)} ${median(all(r, (b) => b.total)).toFixed(2).padStart(12)} ${median(all(r, (b) => b.infer)).toFixed(2).padStart(10)} ` +
        `${median(r.blocks.map((b) => b.cpuMs)).toFixed(2).padStart(16)}   ${r.blocks.map((b) => median(b.total).toFixed(2)).join(' ')}`,
    );
    if (r !== node && r.blocks[0].top1.join() !== nodeTop1) console.log(`  warning: top-1 differs from onnxruntime-node (${r.blocks[0].top1.join()} vs ${nodeTop1})`);
  }
  console.log(`onnxruntime-node inference without NCHWc (graphOptimizationLevel 'extended'): ${median(plainInfer).toFixed(2)} ms (diagnosis)`);
  console.log('(CPU: all threads of the onnxruntime-node process, of the page\'s renderer process; decoding may also run elsewhere)');
  const mb = (n: number): string => `${(n / 1e6).toFixed(2)} MB`;
  const sum = (re: RegExp): number => built.files.filter((f) => re.test(f.path)).reduce((s, f) => s + f.bytes, 0);
  console.log(
    `page download: ${mb(built.totalBytes)} in ${built.files.length} files ` +
      `(onnxruntime-web ${mb(sum(/^ort\//))}, models ${mb(sum(/^models\//))}, page ${mb(sum(/^[^/]+$/))})`,
  );
  for (const r of runs.slice(1)) {
    // Per block: the page's median over the node block measured just before it; then the median of those.
    const ratios = r.blocks.map((b, k) => median(b.total) / median(node.blocks[k].total));
    console.log(
      `ratio ${r.label} / onnxruntime-node 1 thread: ${median(ratios).toFixed(2)}× ` +
        `(median of blocks ${ratios.map((x) => x.toFixed(2)).join(' ')}; CPU ${(median(r.blocks.map((b) => b.cpuMs)) / median(node.blocks.map((b) => b.cpuMs))).toFixed(2)}×)`,
    );
  }
  for (const d of cleanup) await rm(d, { recursive: true, force: true });
}

/** In the page: `n` rounds over the images through `window.sigEdge.analyzeBytes`, each call timed. */
async function timedCalls([pngs, n]: readonly [string[], number]): Promise<Omit<Block, 'cpuMs'>> {
  const total: number[] = [];
  const infer: number[] = [];
  const top1: string[] = [];
  // The file bytes, as a file picker hands them over (base64 is only the transport from Node).
  const files = pngs.map((b) => Uint8Array.from(atob(b), (c) => c.charCodeAt(0)));
  for (let r = 0; r < n; r++) {
    for (const bytes of files) {
      const t0 = performance.now();
      const a = await window.sigEdge.analyzeBytes(bytes, 5, false);
      total.push(performance.now() - t0);
      infer.push(a.timings.inferenceMs);
      if (r === 0) top1.push(a.classifier!.top[0].id);
    }
  }
  return { total, infer, top1 };
}

await main();
