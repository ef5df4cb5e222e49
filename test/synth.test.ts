import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PreprocessConfig, preprocess, type GrayImage } from '@sig/shared';
import { decodeImage } from '@sig/shared/node/image-io.ts';
import { synthesizeDataset, synthesizeOne } from '../apps/trainer/src/data/synth/synthesize.ts';

const dirs: string[] = [];
async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'synth-test-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** Every file under `dir` (relative path → bytes). */
async function tree(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) {
      const p = join(e.parentPath ?? (e as unknown as { path: string }).path, e.name);
      out.set(p.slice(dir.length), await readFile(p));
    }
  }
  return out;
}

describe('sig synth', () => {
  it('gives byte-identical datasets for the same seed and different ones for another seed', async () => {
    const [a, b, c] = [await tmp(), await tmp(), await tmp()];
    await synthesizeDataset({ writers: 3, perWriter: 3, seed: 7, out: a });
    await synthesizeDataset({ writers: 3, perWriter: 3, seed: 7, out: b });
    await synthesizeDataset({ writers: 3, perWriter: 3, seed: 8, out: c });
    const [ta, tb, tc] = [await tree(a), await tree(b), await tree(c)];
    expect([...ta.keys()].sort()).toEqual(['/1/1.png', '/1/2.png', '/1/3.png', '/2/1.png', '/2/2.png', '/2/3.png', '/3/1.png', '/3/2.png', '/3/3.png', '/synth.json'].sort());
    for (const [k, v] of ta) expect(v.equals(tb.get(k)!), k).toBe(true);
    for (const k of ['/1/1.png', '/2/2.png', '/3/3.png']) expect(ta.get(k)!.equals(tc.get(k)!)).toBe(false);
    const rec = JSON.parse(ta.get('/synth.json')!.toString());
    expect(rec).toMatchObject({ generator: 'sig synth', seed: 7, writers: 3, perWriter: 3 });
    expect(rec.styles).toHaveLength(3);
  });

  it('writes grayscale PNGs of signature-crop size whose pixels match the in-memory renderer', async () => {
    const d = await tmp();
    await synthesizeDataset({ writers: 2, perWriter: 2, seed: 3, out: d });
    const png = await readFile(join(d, '2', '2.png'));
    expect(png[25]).toBe(0); // PNG colour type 0: grayscale
    const img = await decodeImage(png);
    const mem = synthesizeOne(3, 1, 1);
    expect([img.width, img.height]).toEqual([mem.width, mem.height]);
    const first = Uint8Array.from({ length: mem.data.length }, (_, i) => img.data[i * img.channels]);
    expect(Buffer.from(first).equals(Buffer.from(mem.data))).toBe(true);
  });

  it('draws dark ink on light paper at sizes like real crops', () => {
    for (let k = 0; k < 12; k++) {
      const img = synthesizeOne(11, k, 0);
      expect(img.width).toBeGreaterThanOrEqual(200);
      expect(img.width).toBeLessThanOrEqual(480);
      expect(img.height).toBeGreaterThanOrEqual(80);
      expect(img.height).toBeLessThanOrEqual(200);
      const sorted = Uint8Array.from(img.data).sort();
      const median = sorted[sorted.length >> 1];
      const ink = img.data.filter((v) => v < median - 80).length / img.data.length;
      expect(median).toBeGreaterThan(220); // paper
      expect(sorted[0]).toBeLessThan(110); // some real ink
      expect(ink).toBeGreaterThan(0.01); // a signature, not a speck
      expect(ink).toBeLessThan(0.25); // not a blot
    }
  });

  it('keeps each writer identifiable: nearest centroid on downsampled images far beats chance', () => {
    const writers = 8, train = 5, test = 5;
    const cfg = PreprocessConfig.parse({ height: 24, width: 64 });
    const feature = (g: GrayImage): Float32Array => {
      const v = preprocess({ width: g.width, height: g.height, channels: 1, data: g.data }, cfg).data;
      // Blur a little so a one-pixel shift of a stroke is not a total mismatch.
      const out = new Float32Array(v.length);
      for (let y = 0; y < 24; y++) for (let x = 0; x < 64; x++) {
        let s = 0;
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
          const yy = Math.min(23, Math.max(0, y + dy)), xx = Math.min(63, Math.max(0, x + dx));
          s += v[yy * 64 + xx];
        }
        out[y * 64 + x] = s / 9;
      }
      return out;
    };
    const centroids: Float32Array[] = [];
    for (let k = 0; k < writers; k++) {
      const c = new Float32Array(24 * 64);
      for (let i = 0; i < train; i++) feature(synthesizeOne(5, k, i)).forEach((v, j) => (c[j] += v / train));
      centroids.push(c);
    }
    let correct = 0;
    for (let k = 0; k < writers; k++) {
      for (let i = train; i < train + test; i++) {
        const f = feature(synthesizeOne(5, k, i));
        let best = -1, bestD = Infinity;
        centroids.forEach((c, j) => {
          let d = 0;
          for (let p = 0; p < c.length; p++) d += (c[p] - f[p]) ** 2;
          if (d < bestD) [bestD, best] = [d, j];
        });
        if (best === k) correct++;
      }
    }
    // Chance is 1/8; identical-looking writers or unrelated samples would sit near it.
    expect(correct / (writers * test)).toBeGreaterThanOrEqual(0.8);
  });

  it('varies the samples of one writer (no two identical)', () => {
    const a = synthesizeOne(2, 0, 0), b = synthesizeOne(2, 0, 1);
    expect(a.width === b.width && a.height === b.height && Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(false);
  });
});
