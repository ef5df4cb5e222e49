import { describe, expect, it } from 'vitest';
import { parseNumberText, UserError } from '@sig/shared';

/** The call every numeric flag makes (settings/settings.ts): `--name` with the field's bounds. */
const cliNumber = (name: string, v: string, min = -Infinity, integer = true, max = Infinity) => parseNumberText(`--${name}`, v, { min, max, integer });

describe('parseNumberText: the one parser of numeric flags and variables', () => {
  it('accepts what a person means', () => {
    expect(cliNumber('batch', '32', 1)).toBe(32);
    expect(cliNumber('batch', ' 32 ', 1)).toBe(32);
    expect(cliNumber('seed', '-5')).toBe(-5);
    expect(cliNumber('lr', '1e-3', 0, false)).toBe(0.001);
    expect(cliNumber('c', '0.25', 0, false, 1)).toBe(0.25);
  });

  it.each([
    ['batch', '1.5', 1, true, Infinity, "--batch must be an integer ≥ 1 (got '1.5')"],
    ['batch', '1e3', 1, true, Infinity, "--batch must be an integer ≥ 1 (got '1e3')"],
    ['batch', '0x10', 1, true, Infinity, "--batch must be an integer ≥ 1 (got '0x10')"],
    ['batch', '', 1, true, Infinity, "--batch must be an integer ≥ 1 (got '')"],
    ['batch', '0', 1, true, Infinity, "--batch must be an integer ≥ 1 (got '0')"],
    ['seed', '99999999999999999999', -Infinity, true, Infinity, "--seed must be an integer (got '99999999999999999999')"],
    ['width', 'wide', -Infinity, false, Infinity, "--width must be a number (got 'wide')"],
    ['width', ' ', -Infinity, false, Infinity, "--width must be a number (got ' ')"],
    ['c', '1.5', 0, false, 1, "--c must be a number in [0, 1] (got '1.5')"],
  ] as const)('--%s %j is one readable UserError', (name, v, min, integer, max, message) => {
    expect(() => cliNumber(name, v, min, integer, max)).toThrow(UserError);
    expect(() => cliNumber(name, v, min, integer, max)).toThrow(message);
  });
});
