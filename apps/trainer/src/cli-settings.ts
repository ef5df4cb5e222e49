// Commander options from a settings schema (packages/shared/src/settings): the flags, their help and the
// reading of what was typed all come from the schema's registered fields.
import { Option, type Command } from 'commander';
import { readSettings, settingFields, settingHelp, type SettingField } from '@sig/shared';
import type { z } from 'zod';

type AnyObject = z.ZodObject<z.ZodRawShape>;

/** The commander option of a field: `--name <arg>`, a switch for booleans (`--no-name` when on by default). */
function optionOf(f: SettingField & { meta: { flag: string } }): Option {
  if (f.kind === 'boolean') return f.defaultValue === true ? new Option(`--no-${f.meta.flag}`, `turn off ${settingHelp(f)}`) : new Option(`--${f.meta.flag}`, settingHelp(f));
  return new Option(`--${f.meta.flag} <${f.meta.arg ?? 'value'}>`, settingHelp(f));
}

function flagged(schema: AnyObject): (SettingField & { meta: { flag: string } })[] {
  return settingFields(schema).filter((f): f is SettingField & { meta: { flag: string } } => f.meta.flag !== undefined);
}

/** Adds one option per flagged field of `schema` to `cmd`. */
export function addSettingOptions(cmd: Command, schema: AnyObject): Command {
  for (const f of flagged(schema)) cmd.addOption(optionOf(f));
  return cmd;
}

/** The typed settings from what was typed on `cmd`'s command line and the environment (flags win). */
export function settingsFromCommand<S extends AnyObject>(schema: S, cmd: Command, env: Record<string, string | undefined> = process.env): z.output<S> {
  const flags: Record<string, unknown> = {};
  for (const f of flagged(schema)) {
    const name = optionOf(f).attributeName();
    if (cmd.getOptionValueSource(name) === 'cli') flags[f.key] = cmd.getOptionValue(name);
  }
  return readSettings(schema, { flags, env });
}
