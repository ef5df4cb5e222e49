import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ClassifierConfig, ClassifierTrainConfig, readSettings, setting, settingFields, settingHelp, UserError } from '@sig/shared';
import { ServerConfig } from '../apps/inference-server/src/config.ts';
import { addSettingOptions, settingsFromCommand } from '../apps/trainer/src/cli-settings.ts';

const Demo = z.object({
  count: setting(z.number().int().min(1).max(9).default(3), { flag: 'count', arg: 'n', env: 'DEMO_COUNT', help: 'how many' }),
  rate: setting(z.number().min(0).default(0.5), { flag: 'rate', help: 'how fast' }),
  loud: setting(z.boolean().default(false), { flag: 'loud', env: 'DEMO_LOUD', help: 'shout' }),
  tidy: setting(z.boolean().default(true), { flag: 'tidy', help: 'clean up afterwards' }),
  mode: setting(z.enum(['a', 'b']).default('a'), { flag: 'mode', help: 'which mode' }),
  tags: setting(z.array(z.string()).default(['x']), { env: 'DEMO_TAGS', help: 'tags' }),
  internal: z.number().default(7),
});

describe('settings: one schema gives flags, variables, help and defaults', () => {
  it('lists the registered fields with kind, bounds and default', () => {
    const fields = settingFields(Demo);
    expect(fields.map((f) => f.key)).toEqual(['count', 'rate', 'loud', 'tidy', 'mode', 'tags']);
    expect(fields[0]).toMatchObject({ kind: 'integer', min: 1, max: 9, defaultValue: 3 });
    expect(fields[4]).toMatchObject({ kind: 'string', choices: ['a', 'b'] });
    expect(settingHelp(fields[0])).toBe('how many (env DEMO_COUNT; default 3)');
  });

  it('reads text strictly, flags over variables over defaults', () => {
    expect(readSettings(Demo, {})).toEqual({ count: 3, rate: 0.5, loud: false, tidy: true, mode: 'a', tags: ['x'], internal: 7 });
    expect(readSettings(Demo, { env: { DEMO_COUNT: '4', DEMO_LOUD: '1', DEMO_TAGS: 'p, q' } })).toMatchObject({ count: 4, loud: true, tags: ['p', 'q'] });
    expect(readSettings(Demo, { env: { DEMO_COUNT: '4' }, flags: { count: '5', rate: '1.5' } })).toMatchObject({ count: 5, rate: 1.5 });
    expect(() => readSettings(Demo, { flags: { count: '1.5' } })).toThrow("--count must be an integer in [1, 9] (got '1.5')");
    expect(() => readSettings(Demo, { env: { DEMO_COUNT: '10' } })).toThrow("DEMO_COUNT must be an integer in [1, 9] (got '10')");
    expect(() => readSettings(Demo, { flags: { mode: 'c' } })).toThrow(UserError);
    expect(() => readSettings(Demo, { flags: { mode: 'c' } })).toThrow(/^--mode: /);
  });

  it('makes commander options: switches, --no- for what is on by default, only typed flags count', async () => {
    const parse = (argv: string[], env: Record<string, string> = {}) => {
      const cmd = addSettingOptions(new Command('demo').exitOverride(), Demo);
      cmd.parse(argv, { from: 'user' });
      return settingsFromCommand(Demo, cmd, env);
    };
    expect(parse([])).toMatchObject({ count: 3, loud: false, tidy: true });
    expect(parse(['--count', '8', '--loud', '--no-tidy'])).toMatchObject({ count: 8, loud: true, tidy: false });
    expect(parse([], { DEMO_COUNT: '6' })).toMatchObject({ count: 6 });
    expect(parse(['--count', '2'], { DEMO_COUNT: '6' })).toMatchObject({ count: 2 });
    expect(() => parse(['--count', '2.5'])).toThrow("--count must be an integer in [1, 9] (got '2.5')");
    const help = addSettingOptions(new Command('demo'), Demo).helpInformation();
    expect(help).toContain('--no-tidy');
    expect(help).toContain('(env DEMO_COUNT; default 3)');
  });

  it('makes a required field without a variable a mandatory option, and `arg: "x..."` a list of values', () => {
    const Paths = z.object({
      out: setting(z.string().min(1), { flag: 'out', arg: 'dir', help: 'where' }),
      runs: setting(z.array(z.string()).default([]), { flag: 'run', arg: 'dir...', help: 'runs' }),
      token: setting(z.string(), { flag: 'token', env: 'DEMO_TOKEN', help: 'secret' }),
    });
    expect(settingFields(Paths).map((f) => f.required)).toEqual([true, false, true]);
    const cmd = addSettingOptions(new Command('demo').exitOverride().configureOutput({ writeErr: () => {} }), Paths);
    expect(() => cmd.parse(['--token', 't'], { from: 'user' })).toThrow(/required option '--out <dir>' not specified/);
    const ok = addSettingOptions(new Command('demo').exitOverride(), Paths);
    ok.parse(['--out', 'o', '--run', 'a', 'b'], { from: 'user' });
    expect(settingsFromCommand(Paths, ok, { DEMO_TOKEN: 't' })).toEqual({ out: 'o', runs: ['a', 'b'], token: 't' });
  });

  it('gives the classifier one set of defaults: the CLI shows and uses the schema default width 0.25', () => {
    const cmd = new Command('c').exitOverride();
    addSettingOptions(cmd, ClassifierConfig.omit({ classes: true }));
    addSettingOptions(cmd, ClassifierTrainConfig);
    expect(cmd.helpInformation()).toMatch(/--width <m>\s+width multiplier[^]*default 0\.25\)/);
    cmd.parse([], { from: 'user' });
    expect(settingsFromCommand(ClassifierConfig.omit({ classes: true }), cmd).widthMultiplier).toBe(0.25);
    expect(ClassifierConfig.parse({ classes: 2 }).widthMultiplier).toBe(0.25);
    expect(settingsFromCommand(ClassifierTrainConfig, cmd)).toEqual(ClassifierTrainConfig.parse({}));
  });

  it("gives every server flag a SIG_* variable, and `sig serve` the server's flags", () => {
    for (const f of settingFields(ServerConfig)) expect(f.meta.env).toMatch(/^SIG_[A-Z_]+$|^DATABASE_URL$/); // DATABASE_URL: the PostgreSQL convention
    const flags = settingFields(ServerConfig).flatMap((f) => (f.meta.flag ? [`--${f.meta.flag}`] : []));
    expect(flags).toEqual(expect.arrayContaining(['--models', '--port', '--providers', '--max-batch', '--allow-spinning']));
  });
});
