import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const sig = 'node_modules/.bin/sig';

async function sigRun(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(sig, args, { encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

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
