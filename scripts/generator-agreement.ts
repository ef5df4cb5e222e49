// How often the served generator draws the student it is asked for, as a user would check it: for every ID of
// the generator, POST /v1/generate (N samples, one seed), then POST /v1/classify on each PNG; the share whose
// top-1 is that ID, per ID and overall (issue 21's figure for the committed models; docs/evaluation-gan.md).
//
//   npx tsx scripts/generator-agreement.ts [models dir, default models] [samples per ID, default 20] [seed, default 1]
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Manifest } from '@sig/shared';
import { startServer } from '../apps/inference-server/src/index.ts';
import { servedIdAgreement } from '../apps/trainer/src/evaluate/served-agreement.ts';

const [modelsDir = 'models', perId = '20', seed = '1'] = process.argv.slice(2);
const server = await startServer({ modelsDir, host: '127.0.0.1', port: 0, intraOpThreads: 1, interOpThreads: 1, edgeDir: '/nonexistent-edge-dir' }, { log: () => {} });
try {
  const manifest = Manifest.parse(JSON.parse(await readFile(join(modelsDir, 'manifest.json'), 'utf8')));
  const generator = manifest.models.find((m) => m.name === 'generator')!;
  let hits = 0, total = 0, refusedAll = 0;
  for (const id of generator.labels) {
    const { samples, agreed, refused } = await servedIdAgreement(server.url, id, Number(perId), Number(seed));
    refusedAll += refused.length;
    hits += agreed;
    total += samples;
    console.log(`ID ${id}: ${agreed}/${samples} (${((100 * agreed) / samples).toFixed(0)} %)${refused.length ? `; refused ${refused.length} (${[...new Set(refused)].join(', ')})` : ''}`);
  }
  console.log(`all: ${hits}/${total} = ${(hits / total).toFixed(4)}, refused ${refusedAll} (generator ${generator.version}, classifier from ${modelsDir})`);
} finally {
  await server.close();
}
