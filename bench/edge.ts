// `npm run bench:edge`: per-signature latency of the browser bundle in headless Chromium (onnxruntime-web,
// wasm) against onnxruntime-node with one thread, on the same model and the same signature images, measured
// in the same run. Each latency is one whole lookup as a user sees it: decode the PNG → shared preprocessing
// → classifier → top-k. Also prints inference alone and the page's total download size; the ratio is last.
//
//   npm run bench:edge -- [--models <dir>] [--rounds 20] [--images 6] [--width 0.25] [--classes 184]
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
import { Manifest, classify, prepare, type ModelEntry, type RunInfo } from '@sig/shared';
import { decodeImage } from '@sig/shared/node/image-io.ts';
import { buildEdge } from '../apps/edge/src/build/build.ts';
import { serveStatic } from '../apps/edge/src/build/static-server.ts';
import { signaturePngs } from '../test/edge/images.ts';

const { values: args } = parseArgs({
  options: {
    models: { type: 'string' },
    rounds: { type: 'string', default: '20' },
    images: { type: 'string', default: '6' },
    width: { type: 'string', default: '0.25' },
    classes: { type: 'string', default: '184' },
  },
});
const rounds = Number(args.rounds);
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];

/** A models folder with only a classifier in it (the page then runs exactly the model Node runs). */
async function classifierOnly(): Promise<{ dir: string; entry: ModelEntry; origin: string; cleanup: string[] }> {
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
  return { dir, entry: manifest.models[0], origin: `reference classifier, width ${width}, 64×128, ${classes} classes, untrained`, cleanup: [dir, run] };
}

const median = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

async function main(): Promise<void> {
  const { dir, entry, origin, cleanup } = await classifierOnly();
  const images = await signaturePngs(Number(args.images));
  console.log(`model: ${origin} (${(entry.bytes / 1e6).toFixed(2)} MB)`);
  console.log(`inputs: ${images.length} signature PNGs × ${rounds} rounds; machine: ${cpus().length} cores, load ${loadavg()[0].toFixed(1)}`);

  // onnxruntime-node, one thread.
  const session = await ort.InferenceSession.create(join(dir, entry.file), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const ctx = { session, Tensor: ort.Tensor };
  const node = { total: [] as number[], infer: [] as number[], top1: [] as string[] };
  for (let r = -2; r < rounds; r++) {
    for (const { png } of images) {
      const t0 = performance.now();
      const x = prepare(entry, await decodeImage(png));
      const t1 = performance.now();
      const [res] = await classify(ctx, entry, [x], { topK: 5 });
      const t2 = performance.now();
      if (r < 0) continue; // warm-up
      node.total.push(t2 - t0);
      node.infer.push(t2 - t1);
      if (r === 0) node.top1.push(res.top[0].label);
    }
  }
  await session.release();

  const out = await mkdtemp(join(tmpdir(), 'sig-bench-edge-dist-'));
  cleanup.push(out);
  const built = await buildEdge({ out, modelsDir: dir });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const pages: { label: string; total: number[]; infer: number[]; top1: string[] }[] = [];
  try {
    for (const isolate of [false, true]) {
      const host = await serveStatic(out, { isolate });
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(host.url);
      const { threading } = await page.evaluate(() => window.sigEdge.ready);
      const res = await page.evaluate(
        async ([pngs, n]) => {
          const total: number[] = [];
          const infer: number[] = [];
          const top1: string[] = [];
          // The file bytes, as a file picker hands them over (base64 is only the transport from Node).
          const files = pngs.map((b) => Uint8Array.from(atob(b), (c) => c.charCodeAt(0)));
          for (let r = -2; r < n; r++) {
            for (const bytes of files) {
              const t0 = performance.now();
              const a = await window.sigEdge.analyzeBytes(bytes, 5, false);
              const t = performance.now() - t0;
              if (r < 0) continue;
              total.push(t);
              infer.push(a.timings.inferenceMs);
              if (r === 0) top1.push(a.classifier!.top[0].id);
            }
          }
          return { total, infer, top1 };
        },
        [images.map((i) => i.png.toString('base64')), rounds] as const,
      );
      pages.push({ label: `Chromium wasm, ${threading.threads} thread${threading.threads > 1 ? 's' : ''}${isolate ? ' (COOP/COEP)' : ''}`, ...res });
      await context.close();
      await host.close();
    }
  } finally {
    await browser.close();
  }

  const line = (label: string, total: number[], infer: number[]): void =>
    console.log(`${label.padEnd(36)} ${median(total).toFixed(2).padStart(7)} ms/signature (inference ${median(infer).toFixed(2)} ms), median of ${total.length}`);
  line('onnxruntime-node, 1 thread', node.total, node.infer);
  for (const p of pages) {
    line(p.label, p.total, p.infer);
    if (p.top1.join() !== node.top1.join()) console.log(`  warning: top-1 differs from onnxruntime-node (${p.top1.join()} vs ${node.top1.join()})`);
  }
  const mb = (n: number): string => `${(n / 1e6).toFixed(2)} MB`;
  const sum = (re: RegExp): number => built.files.filter((f) => re.test(f.path)).reduce((s, f) => s + f.bytes, 0);
  console.log(
    `page download: ${mb(built.totalBytes)} in ${built.files.length} files ` +
      `(onnxruntime-web ${mb(sum(/^ort\//))}, models ${mb(sum(/^models\//))}, page ${mb(sum(/^[^/]+$/))})`,
  );
  const nodeMs = median(node.total);
  for (const p of pages) console.log(`ratio ${p.label} / onnxruntime-node 1 thread: ${(median(p.total) / nodeMs).toFixed(2)}×`);
  for (const d of cleanup) await rm(d, { recursive: true, force: true });
}

await main();
