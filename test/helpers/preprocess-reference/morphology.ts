// Reference copy (see README.md): the pre-optimisation implementation, kept for equivalence tests.
// Separable grey-level max/min filters and a box blur, O(1) per pixel whatever the window size
// (van Herk / Gil-Werman for max/min, running sums for the blur). Windows are clipped at the borders.

/** Scratch buffers sized for the longest line, reused across rows and columns. */
interface Scratch {
  line: Float32Array;
  fwd: Float32Array;
  bwd: Float32Array;
}

function scratch(n: number): Scratch {
  return { line: new Float32Array(n), fwd: new Float32Array(n), bwd: new Float32Array(n) };
}

/** Running max of `line[0..n)` over a window of ±r, written back into `line`. */
function max1d(s: Scratch, n: number, r: number): void {
  const { line, fwd, bwd } = s;
  const k = 2 * r + 1;
  // Block-wise prefix (fwd) and suffix (bwd) maxima; any window of length k spans at most two blocks.
  for (let i = 0; i < n; i++) fwd[i] = i % k === 0 || line[i] > fwd[i - 1] ? line[i] : fwd[i - 1];
  for (let i = n - 1; i >= 0; i--) bwd[i] = i === n - 1 || (i + 1) % k === 0 || line[i] > bwd[i + 1] ? line[i] : bwd[i + 1];
  for (let i = 0; i < n; i++) {
    const a = bwd[i - r < 0 ? 0 : i - r];
    const b = fwd[i + r >= n ? n - 1 : i + r];
    line[i] = a > b ? a : b;
  }
}

/** Running min of `line[0..n)` over a window of ±r, written back into `line`. */
function min1d(s: Scratch, n: number, r: number): void {
  const { line, fwd, bwd } = s;
  const k = 2 * r + 1;
  for (let i = 0; i < n; i++) fwd[i] = i % k === 0 || line[i] < fwd[i - 1] ? line[i] : fwd[i - 1];
  for (let i = n - 1; i >= 0; i--) bwd[i] = i === n - 1 || (i + 1) % k === 0 || line[i] < bwd[i + 1] ? line[i] : bwd[i + 1];
  for (let i = 0; i < n; i++) {
    const a = bwd[i - r < 0 ? 0 : i - r];
    const b = fwd[i + r >= n ? n - 1 : i + r];
    line[i] = a < b ? a : b;
  }
}

/** Running mean of `line[0..n)` over ±r (clipped window), written back into `line`. */
function boxMean1d(s: Scratch, n: number, r: number): void {
  const { line, fwd } = s;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    acc += line[i];
    fwd[i] = acc; // prefix sums
  }
  for (let i = 0; i < n; i++) {
    const lo = i - r - 1;
    const hi = i + r >= n ? n - 1 : i + r;
    const sum = fwd[hi] - (lo >= 0 ? fwd[lo] : 0);
    line[i] = sum / (hi - (lo >= 0 ? lo : -1));
  }
}

type LineOp = (s: Scratch, n: number) => void;

/** Applies a 1-D operation along every row and then every column of `data` (in place). */
function separable(data: Float32Array, width: number, height: number, op: LineOp): void {
  const s = scratch(Math.max(width, height));
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) s.line[x] = data[row + x];
    op(s, width);
    for (let x = 0; x < width; x++) data[row + x] = s.line[x];
  }
  for (let x = 0; x < width; x++) {
    for (let y = 0, i = x; y < height; y++, i += width) s.line[y] = data[i];
    op(s, height);
    for (let y = 0, i = x; y < height; y++, i += width) data[i] = s.line[y];
  }
}

/** Grey-level dilation (max over a (2r+1)² square), in place. */
export function maxFilter(data: Float32Array, width: number, height: number, r: number): void {
  separable(data, width, height, (s, n) => max1d(s, n, r));
}

/** Grey-level erosion (min over a (2r+1)² square), in place. */
export function minFilter(data: Float32Array, width: number, height: number, r: number): void {
  separable(data, width, height, (s, n) => min1d(s, n, r));
}

/** Mean over a (2r+1)² square (clipped at the borders), in place. */
export function boxBlur(data: Float32Array, width: number, height: number, r: number): void {
  separable(data, width, height, (s, n) => boxMean1d(s, n, r));
}
