// `npm run examples`: the sample images in examples/, all made by the project itself (free to redistribute):
// synthetic signatures the committed classifier never trained on, a sample of the committed generator, a blank
// page and a page with two signatures. Same code and models, same bytes.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { Manifest, generate, type GeneratorEntry, type GrayImage } from '@sig/shared';
import { encodePng } from '@sig/shared/node/image-io.ts';
import { synthesizeOne } from '../apps/trainer/src/data/synth/synthesize.ts';

const out = 'examples';
// The committed models were trained on `sig synth --writers 10 --per-writer 100 --seed 1`: writer k's sample
// 101 (index 100) is drawn by the same writer but was never in the training set.
const SEED = 1;
const UNSEEN = 100;

/** `img`'s ink pasted onto `canvas` at (x, y): its paper level (90th percentile) scaled to white, then darken. */
function paste(canvas: GrayImage, img: GrayImage, x: number, y: number): void {
  const paper = Array.from(img.data).sort((p, q) => p - q)[Math.floor(img.data.length * 0.9)];
  for (let r = 0; r < img.height; r++) {
    for (let c = 0; c < img.width; c++) {
      const at = (y + r) * canvas.width + x + c;
      canvas.data[at] = Math.min(canvas.data[at], Math.round((img.data[r * img.width + c] * 255) / paper));
    }
  }
}

function white(width: number, height: number): GrayImage {
  return { width, height, data: new Uint8ClampedArray(width * height).fill(255) };
}

const files: Record<string, GrayImage> = {};
for (const id of [3, 7]) files[`signature-${id}.png`] = synthesizeOne(SEED, id - 1, UNSEEN);

// A blank A4 page at 100 dpi, and one with two signatures (writers 3 and 7) side by side on it.
files['blank-page.png'] = white(827, 1169);
const a = files['signature-3.png'];
const b = files['signature-7.png'];
const two = white(827, 1169);
paste(two, a, 60, 300);
paste(two, b, 827 - 60 - b.width, 300 + a.height + 80);
files['two-signatures.png'] = two;

// The committed generator's first sample for ID 3, seed 7: what `POST /v1/generate {"id": "3", "seed": 7}` returns.
const manifest = Manifest.parse(JSON.parse(await readFile('models/manifest.json', 'utf8')));
const gen = manifest.models.find((m): m is GeneratorEntry => m.kind === 'generator' && m.name === 'generator');
if (!gen) throw new Error('models/manifest.json has no generator');
const session = await ort.InferenceSession.create(join('models', gen.file), { executionProviders: ['cpu'] });
const [sample] = await generate({ session, Tensor: ort.Tensor }, gen, { label: '3', count: 1, seed: 7 });
files['generated-3.png'] = sample;

for (const [name, img] of Object.entries(files)) await writeFile(join(out, name), await encodePng(img));
console.log(`wrote ${Object.keys(files).map((f) => join(out, f)).join(', ')}`);
