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
