import type { Command } from 'commander';
import { setting } from '@sig/shared';
import { z } from 'zod';
import { addSettingOptions, settingsFromCommand } from '../cli-settings.ts';

/** `sig calibrate`'s settings. */
export const CalibrateSettings = z.object({
  model: setting(z.string().min(1), { flag: 'model', arg: 'dir', help: 'embedding run folder (run.json) or models folder (manifest.json); its thresholds are rewritten' }),
  name: setting(z.string().min(1).optional(), { flag: 'name', arg: 'name', help: 'manifest name of the embedding (models folder)', defaultText: 'the first embedding' }),
  data: setting(z.string().min(1), {
    flag: 'data',
    arg: 'dataset',
    help: 'development writers the model never trained on (never test writers): <dir> or <dir>@<writers>, e.g. ../shared/datasets/signature-forgeries@41-50',
  }),
  references: setting(z.number().int().min(1).default(3), { flag: 'references', arg: 'n', help: 'genuine signatures each writer enrols' }),
  scoring: setting(z.enum(['max', 'template']).default('max'), { flag: 'scoring', arg: 'how', help: 'max: best single reference (what the gallery does); template: their normalised mean' }),
});

/** `sig calibrate`: the thresholds of an embedding, re-measured on development writers. */
export function register(program: Command): void {
  const cmd = program
    .command('calibrate')
    .description("measure an embedding's cosine thresholds (1:1 at FAR 1 %, 0.1 %, EER; lookup open1) on development writers and write them into run.json or the manifest");
  addSettingOptions(cmd, CalibrateSettings).action(async () => {
    const o = settingsFromCommand(CalibrateSettings, cmd);
    const { selectBackend } = await import('../backend/select.ts');
    await selectBackend('auto', { log: () => {} });
    const { calibrateEmbedding } = await import('../evaluate/calibrate-embedding.ts');
    const { calibration: c, wrote } = await calibrateEmbedding(o);
    const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(2)} %`);
    console.log(
      `${c.writers} writers, ${c.references} references (${c.scoring}): EER ${pct(c.eerValue)} (random ${pct(c.eerRandom)}, skilled ${pct(c.eerSkilled)}); ` +
        `thresholds far1 ${c.far1.toFixed(4)} far01 ${c.far01.toFixed(4)} eer ${c.eer.toFixed(4)} open1 ${c.open1.toFixed(4)} → ${wrote}`,
    );
  });
}
