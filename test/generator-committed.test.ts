// The committed generator draws the student it is asked for, as a user meets it: /v1/generate for an ID, then
// /v1/classify on each sample with the committed classifier; a sample the pipeline refuses counts as a miss.
// A handful of IDs on seeds of their own (the full per-ID figure, seed 1, is in docs/evaluation-gan.md). Issue
// 21 asks ≥ 95 % for every ID; generator 1.2.0 reaches 0.955 over all IDs and 85–100 % per ID (1.1.0: 0.935 and
// 75–100 %; the faint writers' samples are sometimes refused as a whole form), so this guards a level both reach:
// ≥ 90 % over the five IDs and ≥ 75 % for each (generator 1.0.0: 20 % over all IDs, 0 for several).
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servedIdAgreement } from '../apps/trainer/src/evaluate/served-agreement.ts';
import { startTestServer, type TestServer } from './server/http.ts';

const models = join(resolve(import.meta.dirname, '..'), 'models');
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer(models);
}, 120_000);
afterAll(async () => {
  await server?.close();
});

describe('committed generator, as served', () => {
  it('draws the ID asked for: ≥ 90 % of 5 × 20 samples, ≥ 75 % for each ID', async () => {
    const results = [];
    for (const id of ['1', '3', '5', '7', '9']) results.push(await servedIdAgreement(server.url, id, 20, 1_000));
    for (const r of results) {
      expect(r.samples).toBe(20);
      expect(r.agreed / r.samples, `ID ${r.id}: ${r.agreed}/20 (refused: ${r.refused.join(', ') || 'none'})`).toBeGreaterThanOrEqual(0.75);
    }
    expect(results.reduce((a, r) => a + r.agreed, 0) / 100).toBeGreaterThanOrEqual(0.9);
  }, 300_000);
});
