// Numeric command-line options: commander hands over strings; a bad one is a one-line UserError.
import { UserError } from '@sig/shared';

/**
 * `v` as a number in [min, max] (a whole number written as one unless `integer` is false: no "1.5", "1e3",
 * "0x10" or ""), or a UserError naming `--name`, e.g. "--batch must be an integer ≥ 1 (got '1.5')".
 */
export function cliNumber(name: string, v: string, min = -Infinity, integer = true, max = Infinity): number {
  const s = v.trim();
  const n = Number(s);
  const whole = /^[-+]?\d+$/.test(s) && Number.isSafeInteger(n);
  if (s === '' || !Number.isFinite(n) || n < min || n > max || (integer && !whole)) {
    throw new UserError(`--${name} must be ${integer ? 'an integer' : 'a number'}${bounds(min, max)} (got '${v}')`);
  }
  return n;
}

function bounds(min: number, max: number): string {
  if (min > -Infinity && max < Infinity) return ` in [${min}, ${max}]`;
  if (min > -Infinity) return ` ≥ ${min}`;
  return max < Infinity ? ` ≤ ${max}` : '';
}
