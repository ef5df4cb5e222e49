// `npm run bench:train`: training throughput of the reference classifier (buildClassifier) on
// our best TensorFlow.js path (trainable wasm with native convolutions, data-parallel workers), on tfjs `cpu` (a few steps), and of the
// same architecture in PyTorch CPU with 2 threads, all measured in this run (our best path and PyTorch in
// alternating rounds, fastest round each); the ratio to PyTorch prints last.
// Options: --model classifier|cgan (cgan: see bench/train-cgan.ts) --width 0.25 --height 64 --width-px 128 --batch 32 --classes 50 --steps 8 --workers 2 --rounds 3
//          --cpu-steps 1 --cpu-batch 4 (tfjs cpu is minutes per batch of 32) --skip-cpu
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { nchwcBlockSize, setNativeConvolutions, setNchwcConvolutions } from '../apps/trainer/src/backend/native-conv.ts';
import { selectBackend } from '../apps/trainer/src/backend/select.ts';
import { usesNativeConvolutions } from '../apps/trainer/src/backend/wasm-setup.ts';
import { buildClassifier } from '../apps/trainer/src/model/classifier.ts';
import { DataParallel } from '../apps/trainer/src/train/data-parallel.ts';
import { computeLoss } from '../apps/trainer/src/train/data-parallel-loss.ts';

// `--model cgan` times the adversarial step instead (bench/train-cgan.ts, its own options).
const modelAt = process.argv.indexOf('--model');
if (modelAt > 0 && process.argv[modelAt + 1] === 'cgan') {
  await import('./train-cgan.ts');
  process.exit(0);
}

const { values: opt } = parseArgs({
  options: {
    width: { type: 'string', default: '0.25' },
    height: { type: 'string', default: '64' },
    'width-px': { type: 'string', default: '128' },
    batch: { type: 'string', default: '32' },
    classes: { type: 'string', default: '50' },
    steps: { type: 'string', default: '8' },
    'cpu-steps': { type: 'string', default: '1' },
    'cpu-batch': { type: 'string', default: '4' },
    workers: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    'skip-cpu': { type: 'boolean', default: false },
    model: { type: 'string', default: 'classifier' },
  },
});
const W = Number(opt.width);
const H = Number(opt.height);
const WP = Number(opt['width-px']);
const B = Number(opt.batch);
const C = Number(opt.classes);
const STEPS = Number(opt.steps);
const ROUNDS = Math.max(1, Number(opt.rounds));
const cfg = { classes: C, inputHeight: H, inputWidth: WP, widthMultiplier: W, dropout: 0.3 };

function makeBatch(B: number) {
  const x = new Float32Array(B * H * WP);
  for (let i = 0; i < x.length; i++) x[i] = Math.random();
  const y = new Float32Array(B * C);
  for (let i = 0; i < B; i++) y[i * C + Math.floor(Math.random() * C)] = 1;
  return { x, xShape: [B, H, WP, 1], y, yShape: [B, C] };
}

async function time(steps: number, warmup: number, step: () => Promise<void> | void): Promise<number> {
  for (let i = 0; i < warmup; i++) await step();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await step();
  return (performance.now() - t0) / steps;
}

/** One in-process training step (Adam, categorical cross-entropy), as a loop without workers would do it. */
function singleStep(model: tfl.LayersModel, optimizer: tf.Optimizer, b: ReturnType<typeof makeBatch>) {
  return () => {
    tf.tidy(() => {
      const x = tf.tensor(b.x, b.xShape);
      const y = tf.tensor(b.y, b.yShape);
      const cost = optimizer.minimize(() => computeLoss('categoricalCrossentropy', y, model.apply(x, { training: true }) as tf.Tensor), true);
      cost!.dataSync();
    });
  };
}

const batch = makeBatch(B);
const results: { name: string; ms: number }[] = [];
const report = (name: string, ms: number, images = B) => {
  results.push({ name, ms: (ms * B) / images });
  console.log(`${name.padEnd(60)} ${(images / (ms / 1000)).toPrecision(3).padStart(8)} images/s  (${ms.toFixed(0)} ms/step of ${images})`);
};

const load = () => loadavg().map((v) => v.toFixed(2)).join(' ');
console.log(`reference classifier: width ×${W}, ${H}×${WP}×1, batch ${B}, ${C} classes, Adam; load average before: ${load()}`);
await selectBackend('wasm');
const torchStep = (): number => {
  const args = [fileURLToPath(new URL('./train_torch.py', import.meta.url)), String(W), String(H), String(WP), String(B), String(C), String(STEPS)];
  const py = spawnSync('/usr/bin/python3', args, { encoding: 'utf8' });
  if (py.status !== 0) throw new Error(`PyTorch peer failed: ${py.stderr}`);
  return (JSON.parse(py.stdout.trim().split('\n').pop()!) as { step_ms: number }).step_ms;
};
// Our best path and PyTorch alternate for --rounds rounds and each keeps its fastest round, so a burst of load
// from other processes does not land on one peer only.
let dpMs = Infinity;
let torchMs = Infinity;
let workers = 0;
{
  const model = buildClassifier(cfg);
  const dp = await DataParallel.create({
    model,
    optimizer: tf.train.adam(1e-3),
    build: { module: fileURLToPath(new URL('../apps/trainer/src/model/classifier.ts', import.meta.url)), export: 'buildClassifier', args: [cfg] },
    loss: 'categoricalCrossentropy',
    workers: Number(opt.workers),
  });
  workers = dp.workers;
  for (let r = 0; r < ROUNDS; r++) {
    dpMs = Math.min(dpMs, await time(STEPS, r === 0 ? 2 : 1, async () => void (await dp.step(batch))));
    torchMs = Math.min(torchMs, torchStep());
  }
  await dp.close();
}
report(`tfjs wasm, ${workers} data-parallel workers`, dpMs);
// In process, one thread: convolutions on onnxruntime-node's native kernels (the default when it loads: NCHWc
// where the channel counts allow, else im2col/GEMM), then native GEMM only, then the wasm backend's own (XNNPACK),
// to show what each brings.
const convModes: { label: string; native: boolean; nchwc: boolean }[] = usesNativeConvolutions()
  ? [
      ...(nchwcBlockSize() > 0 ? [{ label: `native NCHWc convolutions (block ${nchwcBlockSize()})`, native: true, nchwc: true }] : []),
      { label: 'native GEMM convolutions', native: true, nchwc: false },
      { label: 'XNNPACK convolutions', native: false, nchwc: false },
    ]
  : [{ label: 'XNNPACK convolutions', native: false, nchwc: false }];
for (const mode of convModes) {
  setNativeConvolutions(mode.native);
  setNchwcConvolutions(mode.nchwc);
  const model = buildClassifier(cfg);
  report(`tfjs wasm, 1 thread, ${mode.label}`, await time(Math.max(2, STEPS / 2), 1, singleStep(model, tf.train.adam(1e-3), batch)));
}
setNativeConvolutions(true);
setNchwcConvolutions(true);
if (!opt['skip-cpu']) {
  // The plain cpu backend needs minutes per batch of 32; a smaller batch and no warm-up keep the bench short
  // (its time per image hardly depends on the batch size).
  await selectBackend('cpu');
  const cpuBatch = Math.min(B, Number(opt['cpu-batch']));
  const model = buildClassifier(cfg);
  report(`tfjs cpu (plain backend, batch ${cpuBatch})`, await time(Number(opt['cpu-steps']), 0, singleStep(model, tf.train.adam(1e-3), makeBatch(cpuBatch))), cpuBatch);
}
report('PyTorch CPU, 2 threads', torchMs);
// Other processes on the 2 cores distort the peers unequally (PyTorch's OpenMP threads suffer most).
console.log(`load average after: ${load()}`);
const best = Math.min(...results.filter((r) => r.name.startsWith('tfjs wasm')).map((r) => r.ms));
console.log(`ratio to PyTorch (our best / PyTorch images/s): ${(torchMs / best).toFixed(2)}×`);
