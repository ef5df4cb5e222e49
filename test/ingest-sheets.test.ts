import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestReport } from '../apps/trainer/src/ingest/ingest-report.ts';
import { ingestSheets } from '../apps/trainer/src/ingest/ingest-sheets.ts';
import { sig } from './helpers/sig-cli.ts';

const repoRoot = resolve(import.meta.dirname, '..');
const sheetsDir = resolve(repoRoot, '../shared/datasets/registration-sheets');
const haveSheets = existsSync(join(sheetsDir, 'image1.jpg'));
if (!haveSheets) console.warn(`ingest-sheets: skipping the real-sheet test, ${sheetsDir} is absent`);


let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'sig-ingest-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Rows and columns of a crop's outer 3-pixel band that are mostly ink (leftover ruling would be). */
function ruledEdges(data: Uint8Array, w: number, h: number): string[] {
  const found: string[] = [];
  const ink = (x: number, y: number): number => (data[y * w + x] < 128 ? 1 : 0);
  for (const y of [0, 1, 2, h - 3, h - 2, h - 1]) {
    let n = 0;
    for (let x = 0; x < w; x++) n += ink(x, y);
    if (n > 0.5 * w) found.push(`row ${y}`);
  }
  for (const x of [0, 1, 2, w - 3, w - 2, w - 1]) {
    let n = 0;
    for (let y = 0; y < h; y++) n += ink(x, y);
    if (n > 0.5 * h) found.push(`column ${x}`);
  }
  return found;
}

describe.skipIf(!haveSheets)('sig ingest on the 16 real registration sheets', () => {
  it('writes 184 ID folders with 4 grayscale crops each, no ruling in them, and a report', async () => {
    const out = join(work, 'dataset');
    const report = await ingestSheets({ sheetsDir, outDir: out });

    const folders = (await readdir(out, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(folders.sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 184 }, (_, i) => String(i + 1)));
    const problems: string[] = [];
    for (const id of folders) {
      expect((await readdir(join(out, id))).sort(), `folder ${id}`).toEqual(['1.png', '2.png', '3.png', '4.png']);
      for (let c = 1; c <= 4; c++) {
        const file = join(out, id, `${c}.png`);
        expect((await sharp(file).metadata()).channels, `${id}/${c}.png is grayscale`).toBe(1);
        const { data, info } = await sharp(file).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
        // A real crop: larger than a speck; a cell is ~200 × 95 px, and a signature hanging out of its
        // cell is followed at most 30% of the width / 60% of the height further.
        expect(info.width).toBeGreaterThan(20);
        expect(info.width).toBeLessThan(300);
        expect(info.height).toBeLessThan(160);
        let dark = 0;
        for (const v of data) if (v < 190) dark++; // faint ballpoint is light grey
        if (dark < 30) problems.push(`${id}/${c}.png holds almost no ink`);
        const edges = ruledEdges(data, info.width, info.height);
        if (edges.length > 0) problems.push(`${id}/${c}.png has a ruled line at its edge (${edges.join(', ')})`);
      }
    }
    expect(problems).toEqual([]);

    const onDisk = IngestReport.parse(JSON.parse(await readFile(join(out, 'ingest-report.json'), 'utf8')));
    expect(onDisk).toEqual(report);
    expect(report.sheets.map((s) => s.file)).toEqual(Array.from({ length: 16 }, (_, i) => `image${i + 1}.jpg`));
    expect(report.sheets.map((s) => s.rowsFound)).toEqual([...Array(15).fill(12), 4]);
    const rows = report.sheets.flatMap((s) => s.rows);
    expect(rows.map((r) => r.idWritten)).toEqual(Array.from({ length: 184 }, (_, i) => i + 1));
    // The printed IDs themselves are read: OCR agrees with the running order on every row, and most
    // rows are written from a confident read rather than from the running order.
    expect(report.totals.ocrAgrees).toBe(184);
    expect(report.totals.fromOcr).toBeGreaterThan(150);
    expect(report.totals.fromOcr + report.totals.fromRunningOrder).toBe(184);
    // Every row not written from OCR is listed as a problem; no row disagrees with the running order.
    for (const s of report.sheets) {
      for (const r of s.rows.filter((r) => r.idSource === 'running-order'))
        expect(s.problems.some((p) => p.row === r.row && (p.kind === 'low-confidence' || p.kind === 'unreadable'))).toBe(true);
      expect(s.problems.filter((p) => p.kind === 'disagrees' || p.kind === 'duplicate' || p.kind === 'no-grid')).toEqual([]);
    }
  });
});

describe.skipIf(!haveSheets)('sig ingest CLI on one sheet', () => {
  it('writes the IDs it reads, flags the disagreement with a running order that starts at 1, and draws the grid', async () => {
    const one = join(work, 'one');
    await mkdir(one, { recursive: true });
    await writeFile(join(one, 'image16.jpg'), await readFile(join(sheetsDir, 'image16.jpg')));
    const out = join(work, 'one-out');
    const r = await sig(['ingest', one, '--out', out, '--debug', join(work, 'one-debug')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/4 IDs, 16 crops from 1 sheet /);
    expect((await readdir(out)).sort()).toEqual(['181', '182', '183', '184', 'ingest-report.json']);
    const report = IngestReport.parse(JSON.parse(await readFile(join(out, 'ingest-report.json'), 'utf8')));
    const sheet = report.sheets[0];
    expect(sheet.rows[0]).toMatchObject({ idRead: '181', expectedId: 1, idWritten: 181, idSource: 'ocr' });
    expect(sheet.problems).toContainEqual(expect.objectContaining({ row: 1, kind: 'disagrees' }));
    expect((await sharp(join(work, 'one-debug', 'image16-grid.png')).metadata()).width).toBe(sheet.width);

    // Ingesting into the same folder again replaces the earlier output (a stale ID folder goes).
    await mkdir(join(out, '999'));
    const again = await sig(['ingest', one, '--out', out]);
    expect(again.code, again.stderr).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['181', '182', '183', '184', 'ingest-report.json']);
  });
});

describe('sig ingest CLI errors', () => {
  it('a missing sheets folder is one line and exit 1', async () => {
    const r = await sig(['ingest', join(work, 'no-such-folder'), '--out', join(work, 'o1')]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^sig: sheets folder .*no-such-folder not found$/);
  });

  it('a folder without images is one line and exit 1', async () => {
    const empty = join(work, 'empty');
    await mkdir(empty, { recursive: true });
    await writeFile(join(empty, 'notes.txt'), 'not a sheet');
    const r = await sig(['ingest', empty, '--out', join(work, 'o2')]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/no sheet images/);
  });

  it('an unreadable image is one line naming the file and exit 1', async () => {
    const bad = join(work, 'bad');
    await mkdir(bad, { recursive: true });
    await writeFile(join(bad, 'image1.jpg'), 'this is not a jpeg');
    const r = await sig(['ingest', bad, '--out', join(work, 'o3')]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/image1\.jpg/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a non-empty output folder that is not an earlier ingest is refused', async () => {
    const other = join(work, 'other');
    await mkdir(other, { recursive: true });
    await writeFile(join(other, 'keep.txt'), 'precious');
    const r = await sig(['ingest', sheetsDir, '--out', other]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^sig: output folder .* is not empty/);
    expect(await readdir(other)).toEqual(['keep.txt']);
  });

  it('--out is required', async () => {
    const r = await sig(['ingest', sheetsDir]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--out/);
  });
});
