// The committed real/fake detector against real scans and the committed generator, as served: real signature
// crops of the students it never trained on (odd IDs; it trained on the even ones) must be judged genuine, and
// the generator's samples (seeds far from its training seeds) caught. docs/evaluation-gan.md has the full run.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFolderDataset } from '../apps/trainer/src/data/index.ts';
import { loadServedModel, servedGeneratorPngs, servedGenuineProbabilities, type ServedModel } from '../apps/trainer/src/evaluate/realfake-served.ts';
import { ingestSheets } from '../apps/trainer/src/ingest/ingest-sheets.ts';

const repoRoot = resolve(import.meta.dirname, '..');
let out: string;
let det: ServedModel<'realfake'>;
let gen: ServedModel<'generator'>;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'sig-rf-committed-'));
  await ingestSheets({ sheetsDir: resolve(repoRoot, '../shared/datasets/registration-sheets'), outDir: out });
  det = await loadServedModel(join(repoRoot, 'models'), 'realfake');
  gen = await loadServedModel(join(repoRoot, 'models'), 'generator');
}, 300_000);
afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

describe('committed real/fake detector', () => {
  it('judges at most 5 % of the held-out students\' real crops generated', async () => {
    const items = (await loadFolderDataset(out)).items.filter((it) => Number(it.label) % 2 === 1);
    expect(items.length).toBe(368);
    const { pGenuine, threshold } = await servedGenuineProbabilities(det, await Promise.all(items.map(async (it) => new Uint8Array(await readFile(it.path)))));
    const judgedGenerated = pGenuine.filter((p) => p < threshold).length;
    expect(judgedGenerated / items.length).toBeLessThanOrEqual(0.05);
  }, 300_000);

  it('catches at least 95 % of the committed generator\'s samples (seeds it never trained on)', async () => {
    const pngs = await servedGeneratorPngs(gen, { perLabel: 20, seedBase: 2_000_000 });
    const { pGenuine, threshold } = await servedGenuineProbabilities(det, pngs);
    expect(pGenuine.filter((p) => p < threshold).length / pngs.length).toBeGreaterThanOrEqual(0.95);
  }, 300_000);
});
