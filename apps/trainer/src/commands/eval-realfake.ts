import type { Command } from 'commander';
import { setting } from '@sig/shared';
import { z } from 'zod';
import { commandGroup } from '../cli-group.ts';
import { addSettingOptions, settingsFromCommand } from '../cli-settings.ts';

/** `sig eval realfake`'s settings. */
export const EvalRealFakeSettings = z.object({
  real: setting(z.array(z.string().min(1)).min(1), { flag: 'real', arg: 'dir...', help: 'genuine images: dataset folder(s), one sub-folder per label' }),
  models: setting(z.string().min(1).default('models'), { flag: 'models', arg: 'dir', help: 'models folder with the realfake and generator models' }),
  perLabel: setting(z.number().int().min(1).default(50), { flag: 'per-label', arg: 'n', help: 'generated samples per generator label' }),
  seedBase: setting(z.number().int().min(0).default(1_000_000), {
    flag: 'seed-base',
    arg: 'n',
    help: 'first generate seed (keep it away from the seeds the detector trained on)',
  }),
  out: setting(z.string().min(1).optional(), { flag: 'out', arg: 'file', help: 'also write the counts and every score as JSON' }),
});

/** `sig eval realfake`: the exported detector and generator as served: genuine images judged generated, generated caught. */
export function register(program: Command): void {
  const cmd = commandGroup(program, 'eval', 'evaluate a model honestly on held-out data')
    .command('realfake')
    .description("measure a models folder's real/fake detector as served: share of genuine images (folders of <label>/<image>) judged generated, share of its generator's samples caught");
  addSettingOptions(cmd, EvalRealFakeSettings).action(async () => {
    const o = settingsFromCommand(EvalRealFakeSettings, cmd);
    const { perLabel, seedBase } = o;
    const { readFile, writeFile } = await import('node:fs/promises');
    const { loadFolderDataset } = await import('../data/index.ts');
    const { loadServedModel, servedGeneratorPngs, servedGenuineProbabilities } = await import('../evaluate/realfake-served.ts');
    const det = await loadServedModel(o.models, 'realfake');
    const gen = await loadServedModel(o.models, 'generator');
    const files = (await Promise.all(o.real.map((d) => loadFolderDataset(d)))).flatMap((ix) => ix.items.map((it) => it.path));
    const genuine = await servedGenuineProbabilities(det, await Promise.all(files.map(async (f) => new Uint8Array(await readFile(f)))));
    const t = genuine.threshold;
    const seeds = `${seedBase}…${seedBase + Math.ceil(perLabel / 8) * gen.entry.labels.length - 1}`;
    // As served (a request without a truncation: the manifest's default), and untruncated when that differs.
    const served = gen.entry.truncation ?? null;
    const judged = async (truncation: number | null) => {
      const p = (await servedGenuineProbabilities(det, await servedGeneratorPngs(gen, { perLabel, seedBase, truncation }))).pGenuine;
      const caught = p.filter((x) => x < t).length;
      return { truncation, images: p.length, caught, rate: caught / p.length, seeds, pGenuine: p };
    };
    const generated = [await judged(served), ...(served === null ? [] : [await judged(null)])];
    const genuineAsGenerated = genuine.pGenuine.filter((p) => p < t).length;
    const result = {
      detector: det.entry.name,
      generator: gen.entry.name,
      threshold: t,
      genuine: { images: files.length, judgedGenerated: genuineAsGenerated, rate: genuineAsGenerated / files.length },
      generated: generated.map(({ pGenuine: _, ...g }) => g),
    };
    const caughtText = generated.map((g) => `${g.caught}/${g.images} (${(100 * g.rate).toFixed(1)} %${g.truncation === null ? (served === null ? '' : ', untruncated') : `, truncation ${g.truncation}`})`);
    console.log(
      `${det.entry.name} (threshold ${t.toFixed(3)}): genuine judged generated ${genuineAsGenerated}/${files.length} (${(100 * result.genuine.rate).toFixed(1)} %); ` +
        `${gen.entry.name} samples caught ${caughtText.join(', ')}`,
    );
    if (o.out) await writeFile(o.out, JSON.stringify({ ...result, files, pGenuine: { genuine: genuine.pGenuine, generated: generated.map((g) => g.pGenuine) } }, null, 2));
  });
}
