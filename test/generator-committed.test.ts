// The committed generator draws the student it is asked for, as a user meets it: /v1/generate for an ID, then
// /v1/classify on each sample with the committed classifier; a sample the pipeline refuses counts as a miss.
// A handful of IDs on seeds of their own (the full per-ID figures are in docs/evaluation-gan.md). Issue 21 asks
// ≥ 95 % for every ID. As served (the manifest's latent truncation 1.25) generator 1.2.0 with classifier 1.1.0
// reaches 99.8–100 % over all IDs and ≥ 95 % for each on four seed sets of 60 per ID; untruncated ('none') it is
// 0.97 with 85–100 % per ID (the faint writers' samples are sometimes refused as a whole form), so that request
// keeps the earlier guard: ≥ 90 % over the five IDs and ≥ 75 % for each (generator 1.0.0: 20 %, 0 for several).
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servedIdAgreement, type IdAgreement } from '../apps/trainer/src/evaluate/served-agreement.ts';
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
  const agreement = async (truncation?: 'none') => {
    const results: IdAgreement[] = [];
    for (const id of ['1', '3', '5', '7', '9']) results.push(await servedIdAgreement(server.url, id, 20, 1_000, truncation));
    for (const r of results) expect(r.samples).toBe(20);
    const say = (r: IdAgreement) => `ID ${r.id}: ${r.agreed}/20 (refused: ${r.refused.join(', ') || 'none'})`;
    return { results, say, overall: results.reduce((a, r) => a + r.agreed, 0) / 100 };
  };

  it('with its served truncation: ≥ 95 % of each ID\'s 20 samples are read as that ID', async () => {
    const { results, say } = await agreement();
    for (const r of results) expect(r.agreed / r.samples, say(r)).toBeGreaterThanOrEqual(0.95);
  }, 300_000);

  it("untruncated ('none'): ≥ 90 % of 5 × 20 samples, ≥ 75 % for each ID", async () => {
    const { results, say, overall } = await agreement('none');
    for (const r of results) expect(r.agreed / r.samples, say(r)).toBeGreaterThanOrEqual(0.75);
    expect(overall).toBeGreaterThanOrEqual(0.9);
  }, 300_000);
});
