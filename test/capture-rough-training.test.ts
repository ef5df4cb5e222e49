// Rough captures as training augmentation (issues 19 and 20: the classifier's `roughCopies`, bench:capture
// --rough-train): copies exist only for the signatures trained on, in their original's group, so a held-out
// signature has none; only originals are scored; the step count stays the originals'; and the training stream
// never repeats the test captures' draws.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng, type RawImage } from '@sig/shared';
import { isOriginal, loadFolderDataset } from '../apps/trainer/src/data/folder-dataset.ts';
import { roughCapture } from '../apps/trainer/src/data/rough-capture.ts';
import type { IngestReport } from '../apps/trainer/src/ingest/ingest-report.ts';
import { ingestSheets } from '../apps/trainer/src/ingest/ingest-sheets.ts';
import { selectBackend } from '../apps/trainer/src/backend/select.ts';
import { crossValidate } from '../apps/trainer/src/evaluate/classifier-cross-validate.ts';
import { sheetRoughCaptures } from '../apps/trainer/src/ingest/sheet-rough-captures.ts';
import { roughCopyItems, stepBudget } from '../apps/trainer/src/train/rough-copies.ts';

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
  it('cuts copies of the given groups only, in their original group and class, and reuses them', async () => {
    const index = await loadFolderDataset(ingestDir);
    const groups = new Set(index.items.filter((it) => basename(it.path) !== '4.png').map((it) => it.group));
    const dir = join(work, 'copies');
    const copies = await roughCopyItems({ index, groups, copies: 2, seed: 1, dir });
    expect(copies).toHaveLength(2 * groups.size);
    expect(groups.size).toBe(3 * index.labels.length);
    for (const c of copies) {
      expect(groups.has(c.group)).toBe(true);
      expect(isOriginal(c)).toBe(false);
      expect(basename(c.path)).toMatch(new RegExp(`^${c.group.split('/')[1]}_aug[12]\\.jpg$`));
      expect(index.labels[c.labelIndex]).toBe(c.label);
    }
    expect(await readdir(join(dir, index.labels[0]))).toEqual(['1_aug1.jpg', '1_aug2.jpg', '2_aug1.jpg', '2_aug2.jpg', '3_aug1.jpg', '3_aug2.jpg']);
    // Same settings: the files are reused, not cut again; other settings cut again.
    const before = (await stat(copies[0].path)).mtimeMs;
    expect(await roughCopyItems({ index, groups, copies: 2, seed: 1, dir })).toEqual(copies);
    expect((await stat(copies[0].path)).mtimeMs).toBe(before);
    const seed1 = await readFile(copies[0].path);
    const other = await roughCopyItems({ index, groups, copies: 1, seed: 2, dir });
    expect(other).toHaveLength(groups.size);
    expect(other[0].path).toBe(copies[0].path);
    expect((await readFile(other[0].path)).equals(seed1)).toBe(false);
    expect(existsSync(copies[1].path)).toBe(false); // copy 2 of the old settings is gone
  }, 120_000);

  it('gives none for a dataset that is not a sheet ingest, or when asked for none', async () => {
    const plain = join(work, 'plain');
    for (const label of ['a', 'b']) {
      await mkdir(join(plain, label), { recursive: true });
      await symlink(join(ingestDir, report.sheets[0].rows[0].idWritten!.toString(), '1.png'), join(plain, label, '1.png'));
    }
    const index = await loadFolderDataset(plain);
    const lines: string[] = [];
    expect(await roughCopyItems({ index, groups: new Set(index.items.map((it) => it.group)), copies: 4, seed: 1, dir: join(work, 'none'), log: (l) => lines.push(l) })).toEqual([]);
    expect(lines.join('\n')).toMatch(/not a sheet ingest/);
    const ingest = await loadFolderDataset(ingestDir);
    expect(await roughCopyItems({ index: ingest, groups: new Set(ingest.items.map((it) => it.group)), copies: 0, seed: 1, dir: join(work, 'zero') })).toEqual([]);
    expect(existsSync(join(work, 'zero'))).toBe(false);
  });

  it('keeps the originals’ step count: epochs count passes over the original signatures', () => {
    const train = { epochs: 70, batchSize: 32, maxSteps: 0 };
    expect(stepBudget(train, 552).maxSteps).toBe(1260);
    expect(stepBudget({ ...train, maxSteps: 100 }, 552).maxSteps).toBe(100);
    expect(stepBudget({ ...train, maxSteps: 5000 }, 552).maxSteps).toBe(1260);
  });

  it('cross-validation trains on the training signatures’ copies and scores held-out originals only', async () => {
    // A stray copy of every held-out signature in the dataset itself: it must be neither trained on nor scored.
    const data = join(work, 'with-stray');
    const tight = await loadFolderDataset(ingestDir);
    for (const it of tight.items) {
      await mkdir(join(data, it.label), { recursive: true });
      await symlink(resolve(it.path), join(data, it.label, basename(it.path)));
      if (basename(it.path) === '4.png') await symlink(resolve(it.path), join(data, it.label, '4_aug1.png'));
    }
    await writeFile(join(data, 'ingest-report.json'), await readFile(join(ingestDir, 'ingest-report.json')));
    await selectBackend('wasm', { log: () => {} });
    const out = join(work, 'cv');
    const res = await crossValidate({
      data,
      folds: 1,
      out,
      model: { inputHeight: 32, inputWidth: 64, widthMultiplier: 0.25 },
      train: { epochs: 1, batchSize: 16, roughCopies: 1, maxSteps: 1 },
      tta: 0,
      quiet: true,
      log: () => {},
    });
    const [fold] = res.folds;
    const students = tight.labels.length;
    expect(fold.samples).toBe(students); // signature 4 of each, not its stray copy
    expect(fold.trainSignatures).toBe(3 * students);
    expect(fold.roughCopies).toBe(3 * students);
    expect(fold.steps).toBe(1);
    const cut = await readdir(join(out, 'rough-copies', tight.labels[0]));
    expect(cut.sort()).toEqual(['1_aug1.jpg', '2_aug1.jpg', '3_aug1.jpg']);
  }, 180_000);

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
