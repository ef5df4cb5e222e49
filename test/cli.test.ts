import { describe, expect, it } from 'vitest';
import { expectOneLineError, sig as sigRun } from './helpers/sig-cli.ts';

describe('sig CLI', () => {
  it('prints help and exits 0', async () => {
    const r = await sigRun(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: sig');
  });

  it('prints the project version with --version and exits 0', async () => {
    const { readFile } = await import('node:fs/promises');
    const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    const r = await sigRun(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it("a command's own --version option is not the program's (sig export --version 1.1.0)", async () => {
    const r = await sigRun(['export', '--run', '/no/such/run', '--version', '1.1.0']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/not a run folder/);
  });

  it('rejects an unknown command with a non-zero exit and one readable line', async () => {
    const r = await sigRun(['no-such-command']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/unknown command/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('sig eval verification on a dataset with too few writers is one readable line, not an internal error', async () => {
    const r = await sigRun(['eval', 'verification', '--model', 'models', '--data', 'examples', '--out', '/tmp/sig-eval-verification-too-few']);
    expectOneLineError(r, /^sig: examples: verification needs at least 2 writers with more than 3 genuine signatures$/);
  });

  it('sig calibrate: a missing dataset or model folder is one readable line and a non-zero exit; nothing is written', async () => {
    const { readFile } = await import('node:fs/promises');
    const before = await readFile('models/manifest.json', 'utf8');
    for (const args of [['--model', 'models', '--data', '/no/such/dir'], ['--model', '/no/such/models', '--data', 'data']]) {
      const r = await sigRun(['calibrate', ...args]);
      expect(r.code).not.toBe(0);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/cannot read dataset folder|neither a run folder/);
    }
    expect(await readFile('models/manifest.json', 'utf8')).toBe(before);
  });
});
