import type { Command } from 'commander';
import { LatentTruncation, setting, UserError } from '@sig/shared';
import { z } from 'zod';
import { commandGroup } from '../cli-group.ts';
import { addSettingOptions, settingsFromCommand } from '../cli-settings.ts';

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

/** What a request says about truncation: absent (the served default), 'none', or a value. */
type RequestTruncation = number | 'none' | undefined;

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

/** Order from least to most truncated: none (∞) first, then larger t. */
const looseness = (t: number | null): number => t ?? Infinity;

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
    const { startServer } = await import('@sig/inference-server');
    const { servedEntry } = await import('../evaluate/realfake-served.ts');
    const { servedIdAgreement } = await import('../evaluate/served-agreement.ts');
    const generator = await servedEntry(o.models, 'generator');
    await servedEntry(o.models, 'classifier');
    const ids = o.ids === undefined ? generator.labels : o.ids.split(',').map((s) => s.trim());
    const unknown = ids.filter((id) => !generator.labels.includes(id));
    if (unknown.length > 0) throw new UserError(`--ids: the generator has no ID ${unknown.join(', ')} (it draws ${generator.labels.join(', ')})`);

    const server = await startServer({ modelsDir: o.models, host: '127.0.0.1', port: 0, intraOpThreads: 1, interOpThreads: 1, edgeDir: '/nonexistent-edge-dir' }, { log: () => {} });
    const runs = [];
    try {
      for (const requested of truncations) {
        const truncation = requested === undefined ? (generator.truncation ?? null) : requested === 'none' ? null : requested;
        const perId = [];
        for (const id of ids) perId.push(await servedIdAgreement(server.url, id, o.perId, o.seed, requested));
        const agreed = perId.reduce((a, r) => a + r.agreed, 0);
        const samples = perId.reduce((a, r) => a + r.samples, 0);
        const below = perId.filter((r) => r.agreed / r.samples < o.target).map((r) => r.id);
        const lowest = perId.reduce((m, r) => (r.agreed / r.samples < m.agreed / m.samples ? r : m));
        runs.push({ requested: requested ?? 'served', truncation, agreement: agreed / samples, agreed, samples, lowest: { id: lowest.id, share: lowest.agreed / lowest.samples }, below, perId });
        const share = (n: number, d: number) => `${n}/${d} (${((100 * n) / d).toFixed(1)} %)`;
        for (const r of perId) console.log(`  ID ${r.id}: ${share(r.agreed, r.samples)}${r.refused.length ? `; refused ${r.refused.length} (${[...new Set(r.refused)].join(', ')})` : ''}`);
        console.log(
          `truncation ${truncation ?? 'none'}${requested === undefined ? ' (served)' : ''}: ${share(agreed, samples)} read as the ID asked for; ` +
            `lowest ID ${lowest.id} ${share(lowest.agreed, lowest.samples)}; ${below.length === 0 ? `every ID ≥ ${o.target}` : `below ${o.target}: ID ${below.join(', ')}`}`,
        );
      }
    } finally {
      await server.close();
    }
    const meeting = runs.filter((r) => r.below.length === 0).sort((a, b) => looseness(b.truncation) - looseness(a.truncation))[0];
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
