// The verification layout (<writer>/genuine, <writer>/forged) read everywhere a dataset is read, writer
// selections (<dir>@<writers>), synthetic skilled forgeries, and writers of several datasets kept apart.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PreprocessConfig, preprocess } from '@sig/shared';
import { encodePng } from '@sig/shared/node/image-io.ts';
import { loadDatasetSpec, loadFolderDataset, parseDatasetSpec, writerSelected } from '../apps/trainer/src/data/index.ts';
import { synthesizeDataset, synthesizeForgery, synthesizeOne } from '../apps/trainer/src/data/synth/synthesize.ts';
import { loadTrainingWriters } from '../apps/trainer/src/train/embedding-data.ts';
import { batchPool } from '../apps/trainer/src/train/embedding-batches.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sig-embedding-data-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function png(path: string, k: number): Promise<void> {
  await writeFile(path, await encodePng(synthesizeOne(5, k, 0)));
}

describe('the genuine/forged layout', () => {
  it('genuine images are the class items, forged ones are listed apart; plain folders stay all genuine', async () => {
    const root = join(dir, 'mixed');
    for (const w of ['001', '002']) {
      await mkdir(join(root, w, 'genuine'), { recursive: true });
      await mkdir(join(root, w, 'forged'), { recursive: true });
      await png(join(root, w, 'genuine', '1.png'), 0);
      await png(join(root, w, 'genuine', '2.png'), 1);
      await png(join(root, w, 'forged', '1.png'), 2);
    }
    await mkdir(join(root, '003'), { recursive: true });
    await png(join(root, '003', '1.png'), 3);
    await mkdir(join(root, '004', 'forged'), { recursive: true }); // forgeries alone: not a class
    await png(join(root, '004', 'forged', '1.png'), 4);
    const index = await loadFolderDataset(root);
    expect(index.labels).toEqual(['001', '002', '003']);
    expect(index.items.map((it) => [it.label, it.path.slice(root.length)])).toEqual([
      ['001', '/001/genuine/1.png'],
      ['001', '/001/genuine/2.png'],
      ['002', '/002/genuine/1.png'],
      ['002', '/002/genuine/2.png'],
      ['003', '/003/1.png'],
    ]);
    expect(index.forgeries.map((it) => [it.label, it.labelIndex, it.path.slice(root.length)])).toEqual([
      ['001', 0, '/001/forged/1.png'],
      ['002', 1, '/002/forged/1.png'],
    ]);
    // A forgery and a genuine image of the same number are different originals.
    expect(new Set([...index.items, ...index.forgeries].map((it) => it.group)).size).toBe(7);
  });

  it('writer selections: names and numeric ranges, compared by value', async () => {
    expect(parseDatasetSpec('data/sheets@1-92')).toEqual({ path: 'data/sheets', writers: '1-92' });
    expect(parseDatasetSpec('../x/signature-forgeries@51-69,3')).toEqual({ path: '../x/signature-forgeries', writers: '51-69,3' });
    expect(parseDatasetSpec('data/a@b/c')).toEqual({ path: 'data/a@b/c' });
    expect(writerSelected('051', '51-69')).toBe(true);
    expect(writerSelected('050', '51-69')).toBe(false);
    expect(writerSelected('003', '3')).toBe(true);
    expect(writerSelected('alice', 'alice,bob')).toBe(true);
    const sub = await loadDatasetSpec(`${join(dir, 'mixed')}@2-3`);
    expect(sub.labels).toEqual(['002', '003']);
    expect(sub.items.map((it) => it.labelIndex)).toEqual([0, 0, 1]);
    expect(sub.forgeries.map((it) => it.labelIndex)).toEqual([0]);
    await expect(loadDatasetSpec(`${join(dir, 'mixed')}@7-9`)).rejects.toThrow(/no writer matches/);
  });
});

describe('synthetic skilled forgeries', () => {
  it('sig synth --forgeries writes <writer>/genuine and <writer>/forged, the same bytes for the same seed', async () => {
    const out = join(dir, 'synth');
    const rec = await synthesizeDataset({ writers: 3, perWriter: 2, forgeries: 2, seed: 4, out });
    expect(rec.forgeries).toBe(2);
    expect((await readdir(join(out, '2'))).sort()).toEqual(['forged', 'genuine']);
    const index = await loadFolderDataset(out);
    expect(index.items).toHaveLength(6);
    expect(index.forgeries).toHaveLength(6);
    const again = synthesizeForgery(4, 3, 1, 0);
    const first = synthesizeForgery(4, 3, 1, 0);
    expect(Buffer.from(again.data).equals(Buffer.from(first.data))).toBe(true);
  });

  it('a forgery is closer to the imitated writer than another writer is, yet differs from the genuine signatures', () => {
    const pre = PreprocessConfig.parse({ height: 32, width: 64 });
    const px = (img: ReturnType<typeof synthesizeOne>) => preprocess({ ...img, channels: 1 }, pre).data;
    const dist = (a: Float32Array, b: Float32Array) => Math.hypot(...a.map((v, i) => v - b[i]));
    let closer = 0;
    for (let k = 0; k < 16; k++) {
      const genuine = px(synthesizeOne(9, k, 0));
      const forgery = px(synthesizeForgery(9, 16, k, 0));
      const other = px(synthesizeOne(9, (k + 1) % 16, 0));
      if (dist(genuine, forgery) < dist(genuine, other)) closer++;
      expect(dist(genuine, forgery)).toBeGreaterThan(0);
    }
    // 16 writers (11 closer with the locator's preprocessing; chance is about 8).
    expect(closer).toBeGreaterThanOrEqual(10);
  });
});

describe('training writers from several datasets', () => {
  it('writers of different datasets are never merged by name; held-out writers are never trained on', async () => {
    const a = join(dir, 'a'), b = join(dir, 'b');
    await synthesizeDataset({ writers: 4, perWriter: 2, forgeries: 1, seed: 1, out: a });
    await synthesizeDataset({ writers: 3, perWriter: 2, seed: 2, out: b });
    const pre = PreprocessConfig.parse({ height: 32, width: 64 });
    const r = await loadTrainingWriters({ data: [a, b], holdout: [`${a}@4`], valShare: 0.1, seed: 1, pre });
    expect(r.train.writers).toEqual(['d1:1', 'd1:2', 'd1:3', 'd2:1', 'd2:2', 'd2:3']);
    expect(r.val.writers).toEqual(['h1:4']);
    expect(r.train.n).toBe(3 * 3 + 3 * 2);
    expect(Array.from(r.train.forged).filter((f) => f === 1)).toHaveLength(3);
    expect(r.val.n).toBe(3);
    // Without --holdout, a share of each dataset's writers is held out instead.
    const s = await loadTrainingWriters({ data: [a, b], holdout: [], valShare: 0.3, seed: 1, pre });
    expect(s.val.writers).toHaveLength(2);
    expect(new Set([...s.train.writers, ...s.val.writers]).size).toBe(7);
  });
});

describe('the images training batches are drawn from', () => {
  it('are all images with the forgery term on, only the genuine ones with it off (all if there are none)', () => {
    const forged = Uint8Array.from([0, 1, 0, 0, 1]);
    expect(Array.from(batchPool(forged, 1))).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(batchPool(forged, 0.5))).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(batchPool(forged, 0))).toEqual([0, 2, 3]);
    expect(Array.from(batchPool(Uint8Array.from([1, 1]), 0))).toEqual([0, 1]);
  });
});
