// Numeric command-line options: commander hands over strings; a bad one is a one-line UserError.
import { parseNumberText } from '@sig/shared';

/**
 * `v` as a number in [min, max] (a whole number written as one unless `integer` is false), or a UserError
 * naming `--name`, e.g. "--batch must be an integer ≥ 1 (got '1.5')". The settings module parses with the
 * same function, so every numeric flag and SIG_* variable reads alike.
 */
export function cliNumber(name: string, v: string, min = -Infinity, integer = true, max = Infinity): number {
  return parseNumberText(`--${name}`, v, { min, max, integer });
}
