// How often the served generator draws the student it is asked for, as a user would check it: for every ID of
// the generator, POST /v1/generate (N samples, one seed), then POST /v1/classify on each PNG; the share whose
// top-1 is that ID, per ID and overall (issue 21's figure for the committed models; docs/evaluation-gan.md).
//
//   npx tsx scripts/generator-agreement.ts [models dir, default models] [samples per ID, default 20] [seed, default 1]
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ClassifyResponse, GenerateResponse, Manifest } from '@sig/shared';
import { startServer } from '../apps/inference-server/src/index.ts';

const [modelsDir = 'models', perId = '20', seed = '1'] = process.argv.slice(2);
const server = await startServer({ modelsDir, host: '127.0.0.1', port: 0, intraOpThreads: 1, interOpThreads: 1, edgeDir: '/nonexistent-edge-dir' }, { log: () => {} });
const post = async (path: string, body: unknown) => {
  const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
};
try {
  const manifest = Manifest.parse(JSON.parse(await readFile(join(modelsDir, 'manifest.json'), 'utf8')));
  const generator = manifest.models.find((m) => m.name === 'generator')!;
  let hits = 0, total = 0, refusedAll = 0;
  for (const id of generator.labels) {
    // /v1/generate draws at most 16 per request: consecutive seeds for more.
    const images = [];
    for (let k = 0; images.length < Number(perId); k++) {
      const g = GenerateResponse.parse(await post('/v1/generate', { id, count: Math.min(16, Number(perId) - images.length), seed: Number(seed) + k }));
      images.push(...g.images);
    }
    let ok = 0;
    const refused: string[] = [];
    for (const img of images) {
      // A sample the pipeline refuses (e.g. read as two signatures) is a miss: a user gets no answer for it.
      const res = await fetch(`${server.url}/v1/classify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ image: img.png }) });
      if (res.status === 422) refused.push((await res.json()).reason);
      else if (ClassifyResponse.parse(await res.json()).predictions[0].id === id) ok++;
    }
    refusedAll += refused.length;
    hits += ok;
    total += images.length;
    console.log(`ID ${id}: ${ok}/${images.length} (${((100 * ok) / images.length).toFixed(0)} %)${refused.length ? `; refused ${refused.length} (${[...new Set(refused)].join(', ')})` : ''}`);
  }
  console.log(`all: ${hits}/${total} = ${(hits / total).toFixed(4)}, refused ${refusedAll} (generator ${generator.version}, classifier from ${modelsDir})`);
} finally {
  await server.close();
}
