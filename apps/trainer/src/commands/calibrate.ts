import type { Command } from 'commander';
import { setting } from '@sig/shared';
import { z } from 'zod';
import { addSettingOptions, settingsFromCommand } from '../cli-settings.ts';
import { EvalVerificationSettings } from './eval-verification.ts';

/** `sig calibrate`'s settings: those of `sig eval verification` that apply, on development writers. */
export const CalibrateSettings = EvalVerificationSettings.pick({ model: true, name: true, references: true, scoring: true }).extend({
  data: setting(z.string().min(1), {
    flag: 'data',
    arg: 'dataset',
    help: 'development writers the model never trained on (never test writers): <dir> or <dir>@<writers>, e.g. ../shared/datasets/signature-forgeries@41-50',
  }),
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
