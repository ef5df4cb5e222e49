import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PreprocessConfig, UserError } from '@sig/shared';
import {
  fractionSplit,
  groupOf,
  leaveOneOutFolds,
  loadFolderDataset,
  loadPreprocessed,
  naturalCompare,
  naturalSort,
  type DatasetIndex,
  type Split,
} from '../apps/trainer/src/data/index.ts';
import { synthesizeDataset } from '../apps/trainer/src/data/synth/synthesize.ts';
import { expectOneLineError, sig } from './helpers/sig-cli.ts';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'dataset-test-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const png = (v = 255): Promise<Buffer> =>
  sharp({ create: { width: 8, height: 4, channels: 3, background: { r: v, g: v, b: v } } }).png().toBuffer();

/** An in-memory index: `classes` labels with `groups` originals each, the first original with `copies` augmented copies. */
function fakeIndex(classes: number, groups: number, copies = 0): DatasetIndex {
  const labels = naturalSort(Array.from({ length: classes }, (_, i) => String(i + 1)));
  const items = labels.flatMap((label, labelIndex) =>
    Array.from({ length: groups }, (_, g) => [`${g + 1}.png`, ...Array.from({ length: g === 0 ? copies : 0 }, (_, c) => `${g + 1}_aug${c + 1}.png`)])
      .flat()
      .map((f) => ({ path: `/x/${label}/${f}`, label, labelIndex, group: groupOf(label, f) })),
  );
  return { root: '/x', labels, items, forgeries: [] };
}

function checkSplit(index: DatasetIndex, s: Split): void {
  const trainGroups = new Set(s.train.map((i) => i.group));
  for (const it of s.test) expect(trainGroups.has(it.group), `group ${it.group} on both sides`).toBe(false);
  expect(new Set(s.train.map((i) => i.label))).toEqual(new Set(index.labels)); // every class trains
  expect(s.train.length + s.test.length).toBe(index.items.length);
}

describe('natural sort', () => {
  it('orders digit runs by value', () => {
    expect(naturalSort(['image10.png', 'image2.png', 'image1.png'])).toEqual(['image1.png', 'image2.png', 'image10.png']);
    expect(naturalSort(['10', '2', '184', '1', '20'])).toEqual(['1', '2', '10', '20', '184']);
    expect(naturalSort(['b2', 'a10', 'a9', 'B1'])).toEqual(['B1', 'a9', 'a10', 'b2']);
    expect(naturalCompare('x007', 'x7')).toBeGreaterThan(0); // same value: more zeros after, order stays total
    expect(naturalCompare('99999999999999999999a', '100000000000000000000a')).toBeLessThan(0); // no float overflow
  });
});

describe('loadFolderDataset', () => {
  it('loads <root>/<label>/<image> in natural order, skipping non-images and empty folders', async () => {
    const ds = join(root, 'ds');
    for (const label of ['10', '2', 'empty']) await mkdir(join(ds, label), { recursive: true });
    for (const f of ['image10.png', 'image2.png', 'image2_aug1.png']) await writeFile(join(ds, '2', f), await png());
    await writeFile(join(ds, '10', 'a.jpg'), await sharp(await png()).jpeg().toBuffer());
    await writeFile(join(ds, '10', 'b.tif'), await sharp(await png()).tiff().toBuffer());
    await writeFile(join(ds, '10', 'notes.txt'), 'not an image');
    await writeFile(join(ds, 'report.json'), '{}');
    await mkdir(join(root, 'elsewhere'), { recursive: true });
    await writeFile(join(root, 'elsewhere', '1.png'), await png());
    await symlink(join(root, 'elsewhere'), join(ds, '11')); // a linked class folder counts
    await symlink(join(root, 'missing'), join(ds, '12')); // a dangling link does not
    const index = await loadFolderDataset(ds);
    expect(index.labels).toEqual(['2', '10', '11']);
    expect(index.items.map((i) => `${i.label}/${i.path.split('/').pop()}:${i.labelIndex}`)).toEqual([
      '2/image2.png:0', '2/image2_aug1.png:0', '2/image10.png:0', '10/a.jpg:1', '10/b.tif:1', '11/1.png:2',
    ]);
    expect(index.items[1].group).toBe(index.items[0].group); // a copy belongs to its original
    expect(index.items[2].group).not.toBe(index.items[0].group);
  });

  it('throws a UserError for a missing or empty folder', async () => {
    await expect(loadFolderDataset(join(root, 'nope'))).rejects.toThrow(UserError);
    await mkdir(join(root, 'empty-ds', 'a'), { recursive: true });
    await expect(loadFolderDataset(join(root, 'empty-ds'))).rejects.toThrow(/no images/);
  });

  it('strips only augmentation suffixes when naming groups', () => {
    expect(groupOf('3', 'sig_aug12.png')).toBe('3/sig');
    expect(groupOf('3', 'sig-copy-2.jpg')).toBe('3/sig');
    expect(groupOf('3', 'sig.augmented1.png')).toBe('3/sig');
    expect(groupOf('3', 'augustus.png')).toBe('3/augustus');
    expect(groupOf('3', '4.png')).toBe('3/4');
  });
});

describe('leaveOneOutFolds', () => {
  it('holds out one signature per class per fold, copies included, never leaking a group', () => {
    const index = fakeIndex(6, 4, 3);
    const folds = leaveOneOutFolds(index, 4);
    expect(folds).toHaveLength(4);
    const heldOriginals = new Set<string>();
    for (const f of folds) {
      checkSplit(index, f);
      const perClass = new Map<string, Set<string>>();
      for (const it of f.test) perClass.set(it.label, (perClass.get(it.label) ?? new Set()).add(it.group));
      expect(perClass.size).toBe(6);
      for (const g of perClass.values()) expect(g.size).toBe(1);
      for (const it of f.test) heldOriginals.add(it.group);
    }
    expect(heldOriginals.size).toBe(24); // 4 folds cycle through all 4 signatures of each class
    // The copies of signature 1 go to test together with it.
    expect(folds[0].test.filter((i) => i.label === '1').map((i) => i.path.split('/').pop())).toEqual(['1.png', '1_aug1.png', '1_aug2.png', '1_aug3.png']);
    expect(leaveOneOutFolds(index, 4)).toEqual(folds); // deterministic
  });

  it('with k = 1 holds out the last signature only', () => {
    const index = fakeIndex(3, 4);
    const [f] = leaveOneOutFolds(index, 1);
    expect(f.test.map((i) => i.path)).toEqual(['/x/1/4.png', '/x/2/4.png', '/x/3/4.png']);
  });

  it('keeps single-signature classes in training and rejects bad k', () => {
    const index = fakeIndex(2, 1);
    const [f] = leaveOneOutFolds(index, 1);
    expect(f.test).toHaveLength(0);
    expect(() => leaveOneOutFolds(index, 0)).toThrow(UserError);
    expect(() => leaveOneOutFolds(index, 1.5)).toThrow(UserError);
  });
});

describe('fractionSplit', () => {
  it('is deterministic, group-safe, keeps every class and holds out about the fraction', () => {
    const index = fakeIndex(100, 4, 2);
    const a = fractionSplit(index, 0.25, 1);
    checkSplit(index, a);
    expect(fractionSplit(index, 0.25, 1)).toEqual(a);
    expect(fractionSplit(index, 0.25, 2).test).not.toEqual(a.test);
    const heldGroups = new Set(a.test.map((i) => i.group)).size;
    expect(heldGroups).toBeGreaterThan(80);
    expect(heldGroups).toBeLessThan(120);
    expect(fractionSplit(index, 0, 1).test).toHaveLength(0);
    // Even a large fraction leaves one signature per class in training.
    checkSplit(index, fractionSplit(index, 0.99, 1));
    expect(() => fractionSplit(index, 1, 1)).toThrow(UserError);
    expect(() => fractionSplit(index, -0.1, 1)).toThrow(UserError);
  });
});

describe('loadPreprocessed', () => {
  it('decodes and preprocesses items into one batch in item order, the same on a cached reload', async () => {
    const ds = join(root, 'synth');
    await synthesizeDataset({ writers: 2, perWriter: 3, seed: 4, out: ds });
    const index = await loadFolderDataset(ds);
    const cfg = PreprocessConfig.parse({ height: 32, width: 64 });
    const items = [...index.items].reverse();
    const b = await loadPreprocessed(items, cfg);
    expect(b.n).toBe(6);
    expect(b.x.length).toBe(6 * 32 * 64);
    expect([...b.y]).toEqual([1, 1, 1, 0, 0, 0]);
    expect([...b.groups]).toEqual([0, 1, 2, 3, 4, 5]);
    for (let i = 0; i < 6; i++) {
      const img = b.x.subarray(i * 2048, (i + 1) * 2048);
      const mass = img.reduce((s, v) => s + v, 0);
      expect(mass).toBeGreaterThan(20); // ink, not an empty frame
      expect(Math.min(...img)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...img)).toBeLessThanOrEqual(1 + 1e-5); // float rounding in the shared resize
    }
    const again = await loadPreprocessed(items, cfg);
    expect(again.x).toEqual(b.x);
    const single = await loadPreprocessed([index.items[0]], cfg);
    expect(single.x).toEqual(b.x.subarray(5 * 2048));
  });
});

describe('CLI: synth and montage', () => {
  const oneLineError = expectOneLineError;

  it('rejects bad arguments and unreadable folders with one line and a non-zero exit', async () => {
    const [a, c, d] = await Promise.all([
      sig(['synth', '--writers', 'abc', '--out', join(root, 'x')]),
      sig(['montage', join(root, 'does-not-exist'), '--out', join(root, 'm.png')]),
      sig(['montage', join(root, 'empty-ds'), '--out', join(root, 'm.png'), '--per-label', '0']),
    ]);
    oneLineError(a, /--writers must be an integer/);
    oneLineError(c, /cannot read dataset folder/);
    oneLineError(d, /--per-label must be an integer/);
  });

  it('names a file that is not an image instead of failing inside the image library', async () => {
    const { mkdir, writeFile, copyFile } = await import('node:fs/promises');
    const ds = join(root, 'montage-bad-file', 'w1');
    await mkdir(ds, { recursive: true });
    await copyFile('examples/signature-3.png', join(ds, '1.png'));
    await writeFile(join(ds, '2.png'), 'not an image');
    const r = await sig(['montage', join(root, 'montage-bad-file'), '--out', join(root, 'm-bad.png')]);
    oneLineError(r, /w1[/\\]2\.png: not a PNG, JPEG, TIFF or WebP image/);
  });

  it('synthesises a small set and renders its montage', async () => {
    const out = join(root, 'cli-synth');
    const r = await sig(['synth', '--writers', '3', '--per-writer', '2', '--seed', '9', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/wrote 3 writers × 2 signatures/);
    const m = await sig(['montage', out, '--out', join(root, 'm.png'), '--per-label', '2']);
    expect(m.code).toBe(0);
    const meta = await sharp(join(root, 'm.png')).metadata();
    expect(meta.format).toBe('png');
    expect(meta.height).toBeGreaterThan(3 * 72);
  });
});
