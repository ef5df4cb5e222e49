import type { Command } from 'commander';
import { commandGroup } from '../cli-group.ts';

interface Options {
  models: string;
  real: string[];
  perLabel: string;
  seedBase: string;
  out?: string;
}

/** `sig eval realfake`: the exported detector and generator as served: genuine images judged generated, generated caught. */
export function register(program: Command): void {
  commandGroup(program, 'eval', 'evaluate a model honestly on held-out data')
    .command('realfake')
    .description("measure a models folder's real/fake detector as served: share of genuine images (folders of <label>/<image>) judged generated, share of its generator's samples caught")
    .requiredOption('--real <dir...>', 'genuine images: dataset folder(s), one sub-folder per label')
    .option('--models <dir>', 'models folder with the realfake and generator models', 'models')
    .option('--per-label <n>', 'generated samples per generator label', '50')
    .option('--seed-base <n>', 'first generate seed (keep it away from the seeds the detector trained on)', '1000000')
    .option('--out <file>', 'also write the counts and every score as JSON')
    .action(async (o: Options) => {
      const { readFile, writeFile } = await import('node:fs/promises');
      const { cliNumber } = await import('../cli-number.ts');
      const { loadFolderDataset } = await import('../data/index.ts');
      const { loadServedModel, servedGeneratorPngs, servedGenuineProbabilities } = await import('../evaluate/realfake-served.ts');
      const perLabel = cliNumber('per-label', o.perLabel, 1);
      const seedBase = cliNumber('seed-base', o.seedBase, 0);
      const det = await loadServedModel(o.models, 'realfake');
      const gen = await loadServedModel(o.models, 'generator');
      const files = (await Promise.all(o.real.map((d) => loadFolderDataset(d)))).flatMap((ix) => ix.items.map((it) => it.path));
      const genuine = await servedGenuineProbabilities(det, await Promise.all(files.map(async (f) => new Uint8Array(await readFile(f)))));
      const fakes = await servedGenuineProbabilities(det, await servedGeneratorPngs(gen, { perLabel, seedBase }));
      const t = genuine.threshold;
      const genuineAsGenerated = genuine.pGenuine.filter((p) => p < t).length;
      const caught = fakes.pGenuine.filter((p) => p < t).length;
      const result = {
        detector: det.entry.name,
        generator: gen.entry.name,
        threshold: t,
        genuine: { images: files.length, judgedGenerated: genuineAsGenerated, rate: genuineAsGenerated / files.length },
        generated: { images: fakes.pGenuine.length, caught, rate: caught / fakes.pGenuine.length, seeds: `${seedBase}…${seedBase + Math.ceil(perLabel / 8) * gen.entry.labels.length - 1}` },
      };
      console.log(
        `${det.entry.name} (threshold ${t.toFixed(3)}): genuine judged generated ${genuineAsGenerated}/${files.length} (${(100 * result.genuine.rate).toFixed(1)} %); ` +
          `${gen.entry.name} samples caught ${caught}/${fakes.pGenuine.length} (${(100 * result.generated.rate).toFixed(1)} %)`,
      );
      if (o.out) await writeFile(o.out, JSON.stringify({ ...result, files, pGenuine: { genuine: genuine.pGenuine, generated: fakes.pGenuine } }, null, 2));
    });
}
