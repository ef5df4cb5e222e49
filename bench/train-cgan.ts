// `npm run bench:train -- --model cgan`: one adversarial step (a discriminator update on a real and a generated
// batch, then a generator update) of the CGAN (apps/trainer/src/model/cgan.ts, train/adversarial.ts) on our
// trainable wasm path, on this thread and on --workers worker threads (train/adversarial-parallel.ts, what
// `sig train cgan --workers 2` runs), against the same networks and batch in PyTorch CPU
// (bench/train_cgan_torch.py) with 2 threads and with 1 thread, all in this run, in alternating rounds, fastest
// round each. The ratios (PyTorch's faster thread count / ours, step time) print last.
// Options: --classes 10 --gen-filters 64 --disc-filters 32 --batch 16 --upsample resize --aux-weight 1 --ema 0.99
//          --steps 6 --rounds 3 --cpu-steps 1 --skip-cpu --workers 2   (--aux-weight 0 --ema 0: the reference design)
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CganConfig, Rng } from '@sig/shared';
import { selectBackend } from '../apps/trainer/src/backend/select.ts';
import { usesNativeConvolutions } from '../apps/trainer/src/backend/wasm-setup.ts';
import { adversarialStep, createGan, type GanData, type GanState } from '../apps/trainer/src/train/adversarial.ts';
import { ParallelAdversarial } from '../apps/trainer/src/train/adversarial-parallel.ts';

const { values: opt } = parseArgs({
  options: {
    model: { type: 'string', default: 'cgan' },
    classes: { type: 'string', default: '10' },
    'gen-filters': { type: 'string', default: '64' },
    'disc-filters': { type: 'string', default: '32' },
    batch: { type: 'string', default: '16' },
    upsample: { type: 'string', default: 'resize' },
    'aux-weight': { type: 'string' },
    ema: { type: 'string' },
    steps: { type: 'string', default: '6' },
    rounds: { type: 'string', default: '3' },
    'cpu-steps': { type: 'string', default: '1' },
    'skip-cpu': { type: 'boolean', default: false },
    workers: { type: 'string', default: '2' },
  },
});
const B = Number(opt.batch);
const STEPS = Number(opt.steps);
const ROUNDS = Math.max(1, Number(opt.rounds));
const cfg = CganConfig.parse({
  numClasses: Number(opt.classes),
  genFilters: Number(opt['gen-filters']),
  discFilters: Number(opt['disc-filters']),
  upsample: opt.upsample,
  auxWeight: opt['aux-weight'] === undefined ? undefined : Number(opt['aux-weight']),
  emaDecay: opt.ema === undefined ? undefined : Number(opt.ema),
});

function realData(): GanData {
  const rng = new Rng(3);
  const n = 64;
  const x = Float32Array.from({ length: n * 64 * 64 }, () => (rng.next() < 0.1 ? 1 : -1));
  return { x, labels: Int32Array.from({ length: n }, (_, i) => i % cfg.numClasses), n, size: 64 };
}

interface Timing {
  /** Wall-clock ms per step. */
  ms: number;
  /** Process CPU ms per step (all threads): less sensitive than wall time to other processes on the cores. */
  cpuMs: number;
}

type Step = (state: GanState, data: GanData, batch: number) => Promise<unknown>;

/** Mean wall and CPU ms (all threads of the process) of `steps` adversarial steps after `warmup`. */
async function timeSteps(state: GanState, data: GanData, steps: number, warmup: number, step: Step = adversarialStep): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await step(state, data, B);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await step(state, data, B);
  const c = process.cpuUsage(c0);
  return { ms: (performance.now() - t0) / steps, cpuMs: (c.user + c.system) / 1000 / steps };
}

const fastest = (a: Timing, b: Timing): Timing => ({ ms: Math.min(a.ms, b.ms), cpuMs: Math.min(a.cpuMs, b.cpuMs) });

const torchStep = (threads: number): Timing => {
  const args = [fileURLToPath(new URL('./train_cgan_torch.py', import.meta.url)), String(cfg.numClasses), String(cfg.genFilters), String(cfg.discFilters), String(B), cfg.upsample, String(STEPS), String(cfg.auxWeight), String(cfg.emaDecay)];
  const py = spawnSync('/usr/bin/python3', args, { encoding: 'utf8', env: { ...process.env, SIG_TORCH_THREADS: String(threads) } });
  if (py.status !== 0) throw new Error(`PyTorch peer failed: ${py.stderr}`);
  const r = JSON.parse(py.stdout.trim().split('\n').pop()!) as { step_ms: number; cpu_ms: number };
  return { ms: r.step_ms, cpuMs: r.cpu_ms };
};

const load = () => loadavg().map((v) => v.toFixed(2)).join(' ');
const report = (name: string, t: Timing) =>
  console.log(`${name.padEnd(44)} ${(B / (t.ms / 1000)).toPrecision(3).padStart(8)} images/s  (${t.ms.toFixed(0)} ms/step of ${B}; CPU ${t.cpuMs.toFixed(0)} ms/step)`);

console.log(
  `cgan: ${cfg.numClasses} classes, gen ${cfg.genFilters} / disc ${cfg.discFilters} filters, ${cfg.upsample}, aux weight ${cfg.auxWeight}, EMA ${cfg.emaDecay}, batch ${B}, one D + one G update; load average before: ${load()}`,
);
await selectBackend('wasm');
const data = realData();
const state = createGan(cfg, 1);
const workers = Math.max(2, Number(opt.workers));
const parallelState = createGan(cfg, 1);
const engine = await ParallelAdversarial.create(parallelState, workers);
const parallelStep: Step = (s, d, b) => engine.step(s, d, b);
const none: Timing = { ms: Infinity, cpuMs: Infinity };
let ours = none;
let oursParallel = none;
const torch2 = [none, none];
for (let r = 0; r < ROUNDS; r++) {
  ours = fastest(ours, await timeSteps(state, data, STEPS, r === 0 ? 2 : 1));
  oursParallel = fastest(oursParallel, await timeSteps(parallelState, data, STEPS, r === 0 ? 2 : 1, parallelStep));
  torch2[0] = fastest(torch2[0], torchStep(2));
  torch2[1] = fastest(torch2[1], torchStep(1));
}
await engine.close();
const native = usesNativeConvolutions() ? ', native convolutions' : '';
report(`tfjs wasm, 1 thread${native}`, ours);
report(`tfjs wasm, ${workers} worker threads${native}`, oursParallel);
if (!opt['skip-cpu']) {
  await selectBackend('cpu');
  report('tfjs cpu (plain backend)', await timeSteps(createGan(cfg, 1), data, Number(opt['cpu-steps']), 0));
}
report('PyTorch CPU, 2 threads', torch2[0]);
report('PyTorch CPU, 1 thread', torch2[1]);
console.log(`load average after: ${load()}`);
// Other processes on the cores hurt PyTorch's OpenMP threads most, so the peer is its faster thread count.
const peer = Math.min(torch2[0].ms, torch2[1].ms);
console.log(`CPU time per step, 1 thread each (ours / PyTorch's, inverted): ${(torch2[1].cpuMs / ours.cpuMs).toFixed(2)}×`);
console.log(`ratio to PyTorch, our 1-thread step (PyTorch's faster step / ours, images/s): ${(peer / ours.ms).toFixed(2)}×`);
console.log(`ratio to PyTorch, our ${workers}-worker step (sig train cgan --workers ${workers}): ${(peer / oursParallel.ms).toFixed(2)}×`);
