import type { Command } from 'commander';
import { LatentTruncation, setting, UserError } from '@sig/shared';
import { z } from 'zod';
import { commandGroup } from '../cli-group.ts';
import { addSettingOptions, settingsFromCommand } from '../cli-settings.ts';
import type { RequestTruncation } from '../evaluate/served-agreement.ts';

/** `sig eval generator`'s settings. */
export const EvalGeneratorSettings = z.object({
  models: setting(z.string().min(1).default('models'), { flag: 'models', arg: 'dir', help: 'models folder with the generator and the classifier that judges it' }),
  perId: setting(z.number().int().min(1).max(10_000).default(60), { flag: 'per-id', arg: 'n', help: 'samples drawn per ID' }),
  seed: setting(z.number().int().min(0).default(1), { flag: 'seed', arg: 'n', help: 'first /v1/generate seed (16 samples a seed)' }),
  truncation: setting(z.string().min(1).default('served'), {
    flag: 'truncation',
    arg: 'list',
    help: "comma-separated truncations to measure: 'served' (the manifest's default), 'none', or a number (0.25–10)",
  }),
  ids: setting(z.string().min(1).optional(), { flag: 'ids', arg: 'list', help: 'comma-separated IDs to measure', defaultText: 'every ID of the generator' }),
  target: setting(z.number().min(0).max(1).default(0.95), { flag: 'target', arg: 'share', help: 'share of each ID\'s samples that must be read as that ID' }),
  out: setting(z.string().min(1).optional(), { flag: 'out', arg: 'file', help: 'also write every count as JSON' }),
});

/** `served,none,1.25` as request truncations; anything else is a UserError naming the flag. */
export function parseTruncations(text: string): RequestTruncation[] {
  return text.split(',').map((raw) => {
    const t = raw.trim();
    if (t === 'served') return undefined;
    if (t === 'none') return 'none';
    const parsed = LatentTruncation.safeParse(t === '' ? NaN : Number(t));
    if (!parsed.success) throw new UserError(`--truncation: '${t}' is not 'served', 'none' or a number from 0.25 to 10`);
    return parsed.data;
  });
}

/**
 * `sig eval generator`: how often a models folder's generator draws the ID it is asked for, checked the way a
 * user would (POST /v1/generate, then POST /v1/classify on each PNG, on a server started over the folder), per
 * ID and overall, for one or several truncations; names the least truncated setting that keeps every ID at the
 * target (what `sig export --truncation` should record).
 */
export function register(program: Command): void {
  const cmd = commandGroup(program, 'eval', 'evaluate a model honestly on held-out data')
    .command('generator')
    .description("measure a models folder's generator as served: for every ID, the share of its samples the folder's classifier reads as that ID");
  addSettingOptions(cmd, EvalGeneratorSettings).action(async () => {
    const o = settingsFromCommand(EvalGeneratorSettings, cmd);
    const truncations = parseTruncations(o.truncation);
    const { writeFile } = await import('node:fs/promises');
    const { servedEntry } = await import('../evaluate/realfake-served.ts');
    const { describeAgreement, describeId, generatorAgreement, leastTruncatedMeeting, startEvaluationServer } = await import('../evaluate/served-agreement.ts');
    const generator = await servedEntry(o.models, 'generator');
    await servedEntry(o.models, 'classifier');
    const ids = o.ids === undefined ? generator.labels : o.ids.split(',').map((s) => s.trim());
    const unknown = ids.filter((id) => !generator.labels.includes(id));
    if (unknown.length > 0) throw new UserError(`--ids: the generator has no ID ${unknown.join(', ')} (it draws ${generator.labels.join(', ')})`);

    const server = await startEvaluationServer(o.models);
    const runs = [];
    try {
      for (const requested of truncations) {
        const r = await generatorAgreement(server.url, requested, { ids, perId: o.perId, seed: o.seed, target: o.target, servedTruncation: generator.truncation });
        for (const p of r.perId) console.log(`  ${describeId(p)}`);
        console.log(describeAgreement(r, o.target));
        runs.push(r);
      }
    } finally {
      await server.close();
    }
    const meeting = leastTruncatedMeeting(runs);
    const verdict = meeting
      ? `least truncated setting with every ID ≥ ${o.target}: ${meeting.truncation ?? 'none'}`
      : `no measured truncation keeps every ID ≥ ${o.target}`;
    console.log(`${generator.name} ${generator.version} judged by the classifier in ${o.models}, ${o.perId} per ID from seed ${o.seed}: ${verdict}`);
    if (o.out) {
      const result = { generator: `${generator.name} ${generator.version}`, models: o.models, perId: o.perId, seed: o.seed, target: o.target, runs, chosen: meeting ? meeting.truncation : undefined, command: process.argv.slice(2) };
      await writeFile(o.out, JSON.stringify(result, null, 2));
    }
  });
}
