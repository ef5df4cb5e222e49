import { describe, expect, it } from 'vitest';
import { sig as sigRun } from './helpers/sig-cli.ts';

describe('sig CLI', () => {
  it('prints help and exits 0', async () => {
    const r = await sigRun(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: sig');
  });

  it('rejects an unknown command with a non-zero exit and one readable line', async () => {
    const r = await sigRun(['no-such-command']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/unknown command/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
