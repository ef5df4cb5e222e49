// Numeric command-line options: commander hands over strings; a bad one is a one-line UserError.
import { UserError } from '@sig/shared';

/** `v` as a number ≥ `min` (an integer unless `integer` is false), or a UserError naming `--name`. */
export function cliNumber(name: string, v: string, min: number, integer = true): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) throw new UserError(`--${name} must be ${integer ? 'an integer' : 'a number'} ≥ ${min} (got '${v}')`);
  return n;
}
