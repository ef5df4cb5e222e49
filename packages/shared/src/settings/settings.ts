// One zod object schema per configuration is the source of its defaults, command-line flags, environment
// variables and help text: each field is registered here with its flag, variable and help line, and
// `readSettings` turns flag and variable text into the schema's typed, validated output.
import { z } from 'zod';
import { UserError } from '../errors.ts';
import { parseNumberText } from './number-text.ts';

/** What a setting is called outside the code. */
export interface SettingMeta {
  /** One line for --help: what it does. */
  help: string;
  /** Command-line flag without the dashes (`max-batch`); none: not settable from the command line. */
  flag?: string;
  /** Placeholder of the flag's value in help (`n`, `dir`); default `value`; `dir...` takes several values (lists). */
  arg?: string;
  /** Environment variable (`SIG_MAX_BATCH`); none: not read from the environment. */
  env?: string;
  /** The default as help shows it, when it is computed (`cores − 1, 1 to 4`). */
  defaultText?: string;
}

/** Where the settings' names live (a zod registry keyed by the field schemas). */
export const settingsRegistry = z.registry<SettingMeta>();

/** Registers `schema` as a setting named by `meta`; returns it for use as an object field. */
export function setting<T extends z.ZodType>(schema: T, meta: SettingMeta): T {
  settingsRegistry.add(schema, meta);
  return schema;
}

/** How a setting's text is read. */
export type SettingKind = 'integer' | 'number' | 'boolean' | 'string' | 'list';

/** A field of a settings schema, with what text parsing and help need. */
export interface SettingField {
  key: string;
  meta: SettingMeta;
  kind: SettingKind;
  /** Numeric bounds (numbers only). */
  min: number;
  max: number;
  /** Allowed values (enums and lists of enums). */
  choices?: readonly string[];
  defaultValue: unknown;
  /** The schema needs a value: no default, not optional. */
  required: boolean;
}

type AnyObject = z.ZodObject<z.ZodRawShape>;

/** The registered fields of `schema`, in declaration order (unregistered fields are left out). */
export function settingFields(schema: AnyObject): SettingField[] {
  const out: SettingField[] = [];
  for (const [key, field] of Object.entries(schema.shape) as [string, z.ZodType][]) {
    const meta = settingsRegistry.get(field);
    if (meta) out.push({ key, meta, ...describe(field) });
  }
  return out;
}

/** Kind, bounds, choices and default of one field schema. */
function describe(field: z.ZodType): Omit<SettingField, 'key' | 'meta'> {
  let s = field;
  let defaultValue: unknown;
  let required = true;
  for (;;) {
    const def = s._zod.def as { type: string; innerType?: z.ZodType; defaultValue?: unknown };
    if (def.type === 'default') defaultValue = def.defaultValue;
    if (def.type === 'default' || def.type === 'optional' || def.type === 'prefault') required = false;
    if (!def.innerType || !['default', 'optional', 'prefault', 'nullable', 'readonly'].includes(def.type)) break;
    s = def.innerType;
  }
  const base = { min: -Infinity, max: Infinity, defaultValue, required };
  if (s instanceof z.ZodNumber) {
    // `.int()` bounds a number by the safe integers: no bound a person set, so help and errors leave it out.
    const min = s.minValue === null || s.minValue <= Number.MIN_SAFE_INTEGER ? -Infinity : s.minValue;
    const max = s.maxValue === null || s.maxValue >= Number.MAX_SAFE_INTEGER ? Infinity : s.maxValue;
    return { ...base, kind: s.isInt ? 'integer' : 'number', min, max };
  }
  if (s instanceof z.ZodBoolean) return { ...base, kind: 'boolean' };
  if (s instanceof z.ZodEnum) return { ...base, kind: 'string', choices: s.options as string[] };
  if (s instanceof z.ZodArray) {
    const el = s.element as z.ZodType;
    return { ...base, kind: 'list', choices: el instanceof z.ZodEnum ? (el.options as string[]) : undefined };
  }
  return { ...base, kind: 'string' };
}

/** Where setting values come from; flags win over the environment, which wins over the defaults. */
export interface SettingSources {
  /** By schema key: text as typed on the command line, or true/false for a switch. */
  flags?: Record<string, unknown>;
  /** The environment; only the variables the fields name are read. */
  env?: Record<string, string | undefined>;
}

/**
 * Reads flags and environment variables into `schema`'s typed output (defaults for the rest). Bad text or
 * a value the schema refuses is a UserError naming the flag or variable: "--port must be an integer in
 * [0, 65535] (got '1.5')".
 */
export function readSettings<S extends AnyObject>(schema: S, { flags = {}, env = {} }: SettingSources): z.output<S> {
  const input: Record<string, unknown> = {};
  const labels: Record<string, string> = {};
  for (const f of settingFields(schema)) {
    const fromFlag = f.meta.flag !== undefined && flags[f.key] !== undefined;
    const text = f.meta.env === undefined ? undefined : env[f.meta.env];
    if (!fromFlag && (text === undefined || text === '')) continue;
    const label = fromFlag ? `--${f.meta.flag}` : (f.meta.env as string);
    labels[f.key] = label;
    input[f.key] = fromText(f, label, fromFlag ? flags[f.key] : text);
  }
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const key = String(issue.path[0] ?? '');
  throw new UserError(`${labels[key] ?? key}: ${issue.message}`);
}

/** A flag's or variable's value as the field's type (switches pass through as booleans). */
function fromText(f: SettingField, label: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  switch (f.kind) {
    case 'integer':
    case 'number':
      return parseNumberText(label, value, { min: f.min, max: f.max, integer: f.kind === 'integer' });
    case 'boolean': {
      const v = value.trim().toLowerCase();
      if (v === '1' || v === 'true') return true;
      if (v === '0' || v === 'false') return false;
      throw new UserError(`${label} must be true, false, 1 or 0 (got '${value}')`);
    }
    case 'list':
      return value.split(',').map((s) => s.trim()).filter(Boolean);
    default:
      return value;
  }
}

/** The help line of a field: its text, then its variable and default, e.g. "port (env SIG_PORT; default 8080)". */
export function settingHelp(f: SettingField): string {
  const notes: string[] = [];
  if (f.meta.env) notes.push(`env ${f.meta.env}`);
  if (f.choices && f.kind === 'string') notes.push(f.choices.join('|'));
  const d = f.meta.defaultText ?? defaultText(f.defaultValue);
  if (d !== undefined && !(f.kind === 'boolean' && f.meta.flag)) notes.push(`default ${d}`);
  return notes.length ? `${f.meta.help} (${notes.join('; ')})` : f.meta.help;
}

function defaultText(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(',') : String(v);
}
