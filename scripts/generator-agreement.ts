// How often the served generator draws the student it is asked for, as a user would check it: for every ID of
// the generator, POST /v1/generate (N samples, one seed), then POST /v1/classify on each PNG; the share whose
// top-1 is that ID, per ID and overall (issue 21's figure for the committed models; docs/evaluation-gan.md).
//
//   npx tsx scripts/generator-agreement.ts [models dir, default models] [samples per ID, default 20] [seed, default 1]
//     [truncation: a number, or none; default: the manifest's, as a request without one]
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Manifest, type GeneratorEntry } from '@sig/shared';
import { startServer } from '../apps/inference-server/src/index.ts';
import { servedIdAgreement } from '../apps/trainer/src/evaluate/served-agreement.ts';

const [modelsDir = 'models', perId = '20', seed = '1', truncationArg] = process.argv.slice(2);
const truncation = truncationArg === undefined || truncationArg === 'none' ? truncationArg : Number(truncationArg);
const server = await startServer({ modelsDir, host: '127.0.0.1', port: 0, intraOpThreads: 1, interOpThreads: 1, edgeDir: '/nonexistent-edge-dir' }, { log: () => {} });
try {
  const manifest = Manifest.parse(JSON.parse(await readFile(join(modelsDir, 'manifest.json'), 'utf8')));
  const generator = manifest.models.find((m): m is GeneratorEntry => m.kind === 'generator' && m.name === 'generator')!;
  let hits = 0, total = 0, refusedAll = 0;
  for (const id of generator.labels) {
    const { samples, agreed, refused } = await servedIdAgreement(server.url, id, Number(perId), Number(seed), truncation);
    refusedAll += refused.length;
    hits += agreed;
    total += samples;
    console.log(`ID ${id}: ${agreed}/${samples} (${((100 * agreed) / samples).toFixed(0)} %)${refused.length ? `; refused ${refused.length} (${[...new Set(refused)].join(', ')})` : ''}`);
  }
  console.log(`all: ${hits}/${total} = ${(hits / total).toFixed(4)}, refused ${refusedAll} (generator ${generator.version}, truncation ${truncation ?? generator.truncation ?? 'none'}, classifier from ${modelsDir})`);
} finally {
  await server.close();
}
