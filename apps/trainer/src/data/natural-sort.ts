// Natural order for file and folder names: digit runs compare as numbers, so `image2` < `image10` and
// label `2` < `10`. Plain code-unit comparison elsewhere keeps the order identical on every machine.

const CHUNK = /(\d+)|(\D+)/g;

/** Negative, zero or positive like a comparator for Array.prototype.sort. */
export function naturalCompare(a: string, b: string): number {
  const ca = a.match(CHUNK) ?? [];
  const cb = b.match(CHUNK) ?? [];
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const x = ca[i], y = cb[i];
    const dx = x.charCodeAt(0) >= 48 && x.charCodeAt(0) <= 57;
    const dy = y.charCodeAt(0) >= 48 && y.charCodeAt(0) <= 57;
    if (dx && dy) {
      // Compare numerically without overflow: strip leading zeros, then longer is larger.
      const sx = x.replace(/^0+(?=\d)/, ''), sy = y.replace(/^0+(?=\d)/, '');
      if (sx.length !== sy.length) return sx.length - sy.length;
      if (sx !== sy) return sx < sy ? -1 : 1;
      if (x.length !== y.length) return x.length - y.length; // "01" after "1"
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return ca.length - cb.length;
}

/** A sorted copy in natural order. */
export function naturalSort(names: readonly string[]): string[] {
  return [...names].sort(naturalCompare);
}
