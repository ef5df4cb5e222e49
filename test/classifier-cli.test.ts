import { describe, expect, it } from 'vitest';
import { sig } from './helpers/sig-cli.ts';

describe('sig train/eval classifier: bad input', () => {
  const cases: [string, string[], RegExp][] = [
    ['missing dataset folder', ['train', 'classifier', '--data', '/no/such/dir', '--out', '/tmp/x', '--backend', 'cpu'], /cannot read dataset folder/],
    ['malformed input size', ['train', 'classifier', '--data', '.', '--out', '/tmp/x', '--input', '64by128'], /--input must look like/],
    ['non-numeric width', ['train', 'classifier', '--data', '.', '--out', '/tmp/x', '--width', 'wide'], /--width must be a number/],
    ['dropout out of range', ['train', 'classifier', '--data', '.', '--out', '/tmp/x', '--dropout', '1.5'], /--dropout/],
    ['zero folds', ['eval', 'classifier', '--data', '.', '--folds', '0'], /--folds must be an integer ≥ 1/],
    ['folds written as an exponent', ['eval', 'classifier', '--data', '.', '--folds', '1e1'], /--folds must be an integer ≥ 1 \(got '1e1'\)/],
    ['resume without checkpoint', ['train', 'classifier', '--data', 'test', '--out', '/tmp/sig-no-run-here', '--resume', '--backend', 'cpu'], /--resume: .* no readable run.json/],
  ];
  for (const [name, args, msg] of cases) {
    it(`${name}: one line, non-zero exit`, async () => {
      const r = await sig(args);
      expect(r.code).not.toBe(0);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^sig: /);
      expect(lines[0]).toMatch(msg);
    });
  }
});

describe('sig train classifier: console and metrics.json', () => {
  it('print the same training loss and accuracy at every evaluation step', async () => {
    const { mkdtemp, readFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'sig-console-'));
    try {
      expect((await sig(['synth', '--writers', '3', '--per-writer', '6', '--out', join(dir, 'data'), '--seed', '3'])).code).toBe(0);
      const r = await sig(['train', 'classifier', '--data', join(dir, 'data'), '--out', join(dir, 'run'), '--input', '16x32', '--width', '0.125', '--epochs', '3', '--batch-size', '4', '--eval-every', '2', '--val-fraction', '0.2', '--workers', '1', '--backend', 'cpu']);
      expect(r.code, r.stderr).toBe(0);
      const metrics = JSON.parse(await readFile(join(dir, 'run', 'metrics.json'), 'utf8')) as { history: { step: number; trainLoss: number; trainAccuracy: number }[] };
      expect(metrics.history.length).toBeGreaterThan(1);
      for (const h of metrics.history) {
        // The non-TTY progress line of that step (stderr is a pipe here): `train <step>/<total>  loss x  acc y ...`.
        const line = r.stderr.split('\n').find((l) => new RegExp(`^train ${h.step}/\\d+ `).test(l));
        expect(line, `no console line for step ${h.step}`).toBeDefined();
        expect(line).toContain(`loss ${h.trainLoss.toFixed(3)}`);
        expect(line).toContain(`acc ${h.trainAccuracy.toFixed(3)}`);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
