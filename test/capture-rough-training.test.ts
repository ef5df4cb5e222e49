// Rough captures as training augmentation (issue 20, bench:capture --rough-train): copies of signatures 1–3
// land in their original's group, so holding out signature 4 holds out nothing a copy was cut from, and the
// training stream never repeats the test captures' draws.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng, type RawImage } from '@sig/shared';
import { loadFolderDataset } from '../apps/trainer/src/data/folder-dataset.ts';
import { roughCapture } from '../apps/trainer/src/data/rough-capture.ts';
import { leaveOneOutFolds } from '../apps/trainer/src/data/splits.ts';
import type { IngestReport } from '../apps/trainer/src/ingest/ingest-report.ts';
import { ingestSheets } from '../apps/trainer/src/ingest/ingest-sheets.ts';
import { sheetRoughCaptures, writeRoughTrainingSet } from '../apps/trainer/src/ingest/sheet-rough-captures.ts';

const sheet = resolve(import.meta.dirname, '..', '../shared/datasets/registration-sheets/image1.jpg');
const haveSheet = existsSync(sheet);
if (!haveSheet) console.warn(`capture-rough-training: skipping, ${sheet} is absent`);

let work: string;
let sheetsDir: string;
let ingestDir: string;
let report: IngestReport;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'sig-rough-train-'));
  if (!haveSheet) return;
  sheetsDir = join(work, 'sheets');
  ingestDir = join(work, 'ingest');
  await mkdir(sheetsDir);
  await symlink(sheet, join(sheetsDir, 'image1.jpg'));
  report = await ingestSheets({ sheetsDir, outDir: ingestDir });
}, 120_000);
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('roughCapture', () => {
  it('keeps the window inside the photo for a cell at its edge (no smeared border), the cell still in it', () => {
    const sheet: RawImage = { width: 400, height: 300, channels: 1, data: new Uint8ClampedArray(400 * 300).fill(200) };
    const cell = { x0: 300, x1: 399, y0: 240, y1: 299 };
    for (let seed = 1; seed <= 50; seed++) {
      const { info } = roughCapture(sheet, cell, { x0: 310, x1: 390, y0: 250, y1: 290 }, new Rng(seed), { clipChance: 0 });
      const w = info.window;
      expect(w.x0).toBeGreaterThanOrEqual(0);
      expect(w.y0).toBeGreaterThanOrEqual(0);
      expect(w.x1).toBeLessThanOrEqual(400);
      expect(w.y1).toBeLessThanOrEqual(300);
      expect(w.x0).toBeLessThanOrEqual(cell.x0);
      expect(w.y0).toBeLessThanOrEqual(cell.y0);
      // Still grown by 20–60 % of the cell: moved, not shrunk.
      expect(w.x1 - w.x0).toBeGreaterThanOrEqual(Math.floor(1.2 * (cell.x1 - cell.x0)));
    }
  });
});

describe.skipIf(!haveSheet)('rough captures for training', () => {
  it('adds copies of signatures 1–3 in their original group; the held-out signature 4 has none', async () => {
    const outDir = join(work, 'train');
    const n = await writeRoughTrainingSet({ ingestDir, sheetsDir, report, outDir, signatures: [1, 2, 3], copies: 1, seed: 1 });
    const tight = await loadFolderDataset(ingestDir);
    expect(n).toBe(3 * tight.labels.length);
    const index = await loadFolderDataset(outDir);
    expect(index.labels).toEqual(tight.labels);
    const first = await readdir(join(outDir, index.labels[0]));
    expect(first.sort()).toEqual(['1.png', '1_aug1.jpg', '2.png', '2_aug1.jpg', '3.png', '3_aug1.jpg', '4.png']);
    for (const it of index.items.filter((x) => basename(x.path).includes('_aug'))) {
      expect(it.group).toBe(`${it.label}/${basename(it.path)[0]}`);
    }
    const [fold] = leaveOneOutFolds(index, 1);
    expect(fold.test.map((it) => basename(it.path))).toEqual(tight.labels.map(() => '4.png'));
    expect(fold.train.filter((it) => it.path.endsWith('.jpg'))).toHaveLength(n);
  }, 120_000);

  it('is deterministic per seed, and the training stream differs from the test captures', async () => {
    const cut = async (stream: 'test' | 'train', seed: number) => {
      const out: Uint8Array[] = [];
      for await (const c of sheetRoughCaptures({ sheetsDir, report, signatures: [4], seed, stream })) out.push(c.jpeg);
      return out.slice(0, 3);
    };
    const [a, b, train, other] = [await cut('test', 1), await cut('test', 1), await cut('train', 1), await cut('test', 2)];
    expect(a).toHaveLength(3);
    a.forEach((x, i) => expect(Buffer.from(x).equals(Buffer.from(b[i]))).toBe(true));
    a.forEach((x, i) => expect(Buffer.from(x).equals(Buffer.from(train[i]))).toBe(false));
    a.forEach((x, i) => expect(Buffer.from(x).equals(Buffer.from(other[i]))).toBe(false));
  }, 120_000);
});
