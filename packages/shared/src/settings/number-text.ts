// The one parser of numbers written as text (command-line flags, environment variables).
import { UserError } from '../errors.ts';

export interface NumberBounds {
  min?: number;
  max?: number;
  /** Whole numbers only, written as one: no "1.5", "1e3", "0x10" or "" (default true). */
  integer?: boolean;
}

/**
 * `text` as a number within the bounds, or a UserError naming `label` (e.g. `--batch`, `SIG_PORT`):
 * "--batch must be an integer ≥ 1 (got '1.5')".
 */
export function parseNumberText(label: string, text: string, { min = -Infinity, max = Infinity, integer = true }: NumberBounds = {}): number {
  const s = text.trim();
  const n = Number(s);
  const whole = /^[-+]?\d+$/.test(s) && Number.isSafeInteger(n);
  if (s === '' || !Number.isFinite(n) || n < min || n > max || (integer && !whole)) {
    throw new UserError(`${label} must be ${integer ? 'an integer' : 'a number'}${bounds(min, max)} (got '${text}')`);
  }
  return n;
}

function bounds(min: number, max: number): string {
  if (min > -Infinity && max < Infinity) return ` in [${min}, ${max}]`;
  if (min > -Infinity) return ` ≥ ${min}`;
  return max < Infinity ? ` ≤ ${max}` : '';
}
