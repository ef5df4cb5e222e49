// Commander options from a settings schema (packages/shared/src/settings): the flags, their help and the
// reading of what was typed all come from the schema's registered fields.
import { Option, type Command } from 'commander';
import { readSettings, setting, settingFields, settingHelp, UserError, type SettingField } from '@sig/shared';
import { z } from 'zod';

type AnyObject = z.ZodObject<z.ZodRawShape>;

/**
 * The commander option of a field: `--name <arg>`, a switch for booleans (`--no-name` when on by default);
 * a field the schema requires and no environment variable can give is a mandatory option.
 */
function optionOf(f: SettingField & { meta: { flag: string } }): Option {
  if (f.kind === 'boolean') return f.defaultValue === true ? new Option(`--no-${f.meta.flag}`, `turn off ${settingHelp(f)}`) : new Option(`--${f.meta.flag}`, settingHelp(f));
  const option = new Option(`--${f.meta.flag} <${f.meta.arg ?? 'value'}>`, settingHelp(f));
  return f.required && !f.meta.env ? option.makeOptionMandatory() : option;
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

const INPUT_SIZE = /^\s*(\d+)\s*[x×]\s*(\d+)\s*$/;

/**
 * The `--input HxW` setting, which sets a model's `inputHeight` and `inputWidth` at once; `defaults` is the
 * model schema's pair, shown in help.
 */
export function inputSizeSettings(defaults: { inputHeight: number; inputWidth: number }) {
  return z.object({
    input: setting(z.string().optional(), {
      flag: 'input',
      arg: 'HxW',
      help: 'model input size in pixels, height×width, grayscale',
      defaultText: `${defaults.inputHeight}x${defaults.inputWidth}`,
    }),
  });
}

/** `64x128` as `{ inputHeight: 64, inputWidth: 128 }`; other text is a UserError naming `--input`. */
export function inputSize(text: string): { inputHeight: number; inputWidth: number } {
  const m = INPUT_SIZE.exec(text);
  if (!m) throw new UserError(`--input must look like 64x128 (height x width), got '${text}'`);
  return { inputHeight: Number(m[1]), inputWidth: Number(m[2]) };
}
