// `npm run bench:preprocess`: throughput of the shared preprocessing (packages/shared/src/preprocess/,
// `preprocess(raw, cfg)` on decoded pixels) on real signature crops and raw sheet regions, against
//   - the pre-optimisation implementation kept in test/helpers/preprocess-reference/ ("before"), and
//   - the peer: sharp (libvips, native) doing the nearest equivalent on the same raw pixels: greyscale →
//     normalise → trim → resize (contain) to the model size → threshold, one image at a time on one
//     libvips thread (sharp.concurrency(1)), the way a preprocessing worker would call it.
// All three are measured in the same run, interleaved per round. Prints images/s and CPU ms per image per
// input set; the last line is ours / sharp on the signature crops.
//
//   npm run bench:preprocess -- [--crops <ingest output dir>] [--sheets <dir>] [--seconds 3] [--rounds 3]
//
// Without --crops, the sheets are ingested with `sig ingest` into a temp folder first.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { preprocess, PreprocessConfig, type RawImage } from '@sig/shared';
import { decodeImage } from '@sig/shared/node/image-io.ts';
import { preprocess as preprocessBefore } from '../test/helpers/preprocess-reference/pipeline.ts';

const { values: args } = parseArgs({
  options: {
    crops: { type: 'string' },
    sheets: { type: 'string', default: '/work/shared/datasets/registration-sheets' },
    seconds: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    crop: { type: 'string', default: '120' },
  },
});
const seconds = Number(args.seconds);
const rounds = Number(args.rounds);
const cfg = PreprocessConfig.parse({ width: 128, height: 64 });
// Sheet bands hold several signatures: timed on the locator's best guess rather than its refusal.
const GUESS = { onNoSignature: 'guess' } as const;
sharp.concurrency(1);
sharp.cache(false);

async function signatureCrops(): Promise<RawImage[]> {
  let dir = args.crops;
  if (!dir) {
    dir = await mkdtemp(join(tmpdir(), 'sig-bench-pre-'));
    const r = spawnSync('node', ['apps/trainer/bin/sig.js', 'ingest', args.sheets!, '--out', dir], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('sig ingest failed');
    process.on('exit', () => rmSync(dir!, { recursive: true, force: true }));
  }
  const files: string[] = [];
  for (const id of readdirSync(dir).sort()) {
    const sub = join(dir, id);
    if (!existsSync(sub) || !/^\d+$/.test(id)) continue;
    for (const f of readdirSync(sub).sort()) if (f.endsWith('.png')) files.push(join(sub, f));
  }
  // An evenly spaced subset keeps decoding and memory small.
  const n = Math.min(files.length, Number(args.crop));
  return Promise.all(Array.from({ length: n }, (_, i) => decodeImage(files[Math.floor((i * files.length) / n)])));
}

/** Raw photo regions (no ingest): a signature cell-sized window and a full-width band with grid lines. */
async function sheetRegions(): Promise<RawImage[]> {
  const sheets = readdirSync(args.sheets!).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort().slice(0, 4);
  const out: RawImage[] = [];
  for (const f of sheets) {
    const path = join(args.sheets!, f);
    const { width = 0, height = 0 } = await sharp(path).metadata();
    for (const [l, t, w, h] of [[0.35, 0.3, 0.35, 0.1], [0, 0.5, 1, 0.15]]) {
      const png = await sharp(path)
        .extract({ left: Math.round(l * width), top: Math.round(t * height), width: Math.round(w * width), height: Math.round(h * height) })
        .png()
        .toBuffer();
      out.push(await decodeImage(png));
    }
  }
  return out;
}

/** The peer: sharp's nearest equivalent of our preprocessing on the same raw pixels. */
async function sharpPreprocess(img: RawImage): Promise<Buffer> {
  const raw = { width: img.width, height: img.height, channels: img.channels };
  return sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw })
    .greyscale()
    .normalise()
    .trim({ background: '#ffffff', threshold: 60 })
    .resize(cfg.width, cfg.height, { fit: 'contain', background: '#ffffff' })
    .threshold(128)
    .raw()
    .toBuffer()
    .catch(() => Buffer.alloc(0)); // trim of an image with nothing to keep
}

interface Rate {
  perSec: number;
  cpuMs: number;
}

/** Runs `fn` over all images repeatedly for `secs`; wall-clock images/s and CPU ms per image. */
async function measure(images: RawImage[], secs: number, fn: (img: RawImage) => unknown): Promise<Rate> {
  for (const img of images.slice(0, 8)) await fn(img); // warm-up
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < secs * 1000) {
    for (const img of images) await fn(img);
    n += images.length;
  }
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { perSec: n / wall, cpuMs: (c.user + c.system) / 1000 / n };
}

const fmt = (r: Rate) => `${r.perSec.toFixed(0).padStart(6)} img/s  ${r.cpuMs.toFixed(3)} CPU ms/img`;

console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${seconds} s × ${rounds} rounds per method, best round kept`);
const sets: [string, RawImage[]][] = [
  ['signature crops (sig ingest)', await signatureCrops()],
  ['raw sheet regions', await sheetRegions()],
];
const results: Record<string, Record<string, Rate>> = {};
for (const [name, images] of sets) {
  const px = images.reduce((a, im) => a + im.width * im.height, 0) / images.length;
  // The speed work must not change the output: compare with the reference on every image first.
  let diff = 0;
  for (const img of images) {
    const a = preprocess(img, cfg, GUESS).data;
    const b = preprocessBefore(img, cfg, GUESS).data;
    for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
  }
  console.log(`\n${name}: ${images.length} images, mean ${Math.round(px)} px; max |after − before| = ${diff}`);
  const methods: [string, (img: RawImage) => unknown][] = [
    ['ours (after)', (img) => preprocess(img, cfg, GUESS)],
    ['ours (before)', (img) => preprocessBefore(img, cfg, GUESS)],
    ['sharp (peer)', sharpPreprocess],
  ];
  const best: Record<string, Rate> = {};
  for (let r = 0; r < rounds; r++) {
    for (const [m, fn] of methods) {
      const rate = await measure(images, seconds / rounds, fn);
      if (!best[m] || rate.perSec > best[m].perSec) best[m] = rate;
    }
  }
  for (const [m] of methods) console.log(`  ${m.padEnd(14)} ${fmt(best[m])}`);
  console.log(`  after / before: ${(best['ours (after)'].perSec / best['ours (before)'].perSec).toFixed(2)}×   after / sharp: ${(best['ours (after)'].perSec / best['sharp (peer)'].perSec).toFixed(2)}×`);
  results[name] = best;
}
const crops = results[sets[0][0]];
console.log(`\nours / sharp on signature crops: ${(crops['ours (after)'].perSec / crops['sharp (peer)'].perSec).toFixed(2)}×`);
