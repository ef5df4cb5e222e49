// Separable grey-level max/min filters and a box blur, O(1) per pixel whatever the window size
// (van Herk / Gil-Werman for max/min, running sums for the blur). Windows are clipped at the borders.
// The vertical pass runs over whole rows at once (the same per-column arithmetic, but memory is read in
// order), and nothing is allocated per line.

/** Running max (`isMax`) or min of each row of `data`, over ±r along the row, in place. */
function extremumRows(data: Float32Array, width: number, height: number, r: number, isMax: boolean, fwd: Float32Array, bwd: Float32Array): void {
  const k = 2 * r + 1;
  const n = width;
  for (let y = 0; y < height; y++) {
    const o = y * width;
    // Block-wise prefix (fwd) and suffix (bwd) extrema; any window of length k spans at most two blocks.
    for (let i = 0; i < n; i++) {
      const v = data[o + i];
      fwd[i] = i % k === 0 || (isMax ? v > fwd[i - 1] : v < fwd[i - 1]) ? v : fwd[i - 1];
    }
    for (let i = n - 1; i >= 0; i--) {
      const v = data[o + i];
      bwd[i] = i === n - 1 || (i + 1) % k === 0 || (isMax ? v > bwd[i + 1] : v < bwd[i + 1]) ? v : bwd[i + 1];
    }
    for (let i = 0; i < n; i++) {
      const a = bwd[i - r < 0 ? 0 : i - r];
      const b = fwd[i + r >= n ? n - 1 : i + r];
      data[o + i] = isMax ? (a > b ? a : b) : a < b ? a : b;
    }
  }
}

/** Running max or min down each column of `data`, over ±r, in place; `fwd`/`bwd` hold a whole image. */
function extremumColumns(data: Float32Array, width: number, height: number, r: number, isMax: boolean, fwd: Float32Array, bwd: Float32Array): void {
  const k = 2 * r + 1;
  const n = height;
  for (let y = 0; y < n; y++) {
    const o = y * width;
    if (y % k === 0) {
      for (let x = 0; x < width; x++) fwd[o + x] = data[o + x];
    } else {
      const p = o - width;
      for (let x = 0; x < width; x++) {
        const v = data[o + x];
        const prev = fwd[p + x];
        fwd[o + x] = (isMax ? v > prev : v < prev) ? v : prev;
      }
    }
  }
  for (let y = n - 1; y >= 0; y--) {
    const o = y * width;
    if (y === n - 1 || (y + 1) % k === 0) {
      for (let x = 0; x < width; x++) bwd[o + x] = data[o + x];
    } else {
      const q = o + width;
      for (let x = 0; x < width; x++) {
        const v = data[o + x];
        const next = bwd[q + x];
        bwd[o + x] = (isMax ? v > next : v < next) ? v : next;
      }
    }
  }
  for (let y = 0; y < n; y++) {
    const o = y * width;
    const a0 = (y - r < 0 ? 0 : y - r) * width;
    const b0 = (y + r >= n ? n - 1 : y + r) * width;
    for (let x = 0; x < width; x++) {
      const a = bwd[a0 + x];
      const b = fwd[b0 + x];
      data[o + x] = isMax ? (a > b ? a : b) : a < b ? a : b;
    }
  }
}

function extremum(data: Float32Array, width: number, height: number, r: number, isMax: boolean): void {
  const n = width * height;
  const fwd = new Float32Array(Math.max(n, width));
  const bwd = new Float32Array(Math.max(n, width));
  extremumRows(data, width, height, r, isMax, fwd, bwd);
  extremumColumns(data, width, height, r, isMax, fwd, bwd);
}

/** Grey-level dilation (max over a (2r+1)² square), in place. */
export function maxFilter(data: Float32Array, width: number, height: number, r: number): void {
  extremum(data, width, height, r, true);
}

/** Grey-level erosion (min over a (2r+1)² square), in place. */
export function minFilter(data: Float32Array, width: number, height: number, r: number): void {
  extremum(data, width, height, r, false);
}

/**
 * Mean over a (2r+1)² square (clipped at the borders), in place. Prefix sums are accumulated in doubles and
 * stored as float32, then differenced, per row and then per column (the vertical pass row by row).
 */
export function boxBlur(data: Float32Array, width: number, height: number, r: number): void {
  const prefix = new Float32Array(Math.max(width * height, width));
  // Rows.
  for (let y = 0; y < height; y++) {
    const o = y * width;
    let acc = 0;
    for (let i = 0; i < width; i++) {
      acc += data[o + i];
      prefix[i] = acc;
    }
    for (let i = 0; i < width; i++) {
      const lo = i - r - 1;
      const hi = i + r >= width ? width - 1 : i + r;
      const sum = prefix[hi] - (lo >= 0 ? prefix[lo] : 0);
      data[o + i] = sum / (hi - (lo >= 0 ? lo : -1));
    }
  }
  // Columns: prefix[y * width + x] = sum of column x over rows 0..y.
  const acc = new Float64Array(width);
  for (let y = 0; y < height; y++) {
    const o = y * width;
    for (let x = 0; x < width; x++) {
      acc[x] += data[o + x];
      prefix[o + x] = acc[x];
    }
  }
  for (let y = 0; y < height; y++) {
    const lo = y - r - 1;
    const hi = y + r >= height ? height - 1 : y + r;
    const count = hi - (lo >= 0 ? lo : -1);
    const o = y * width;
    const h0 = hi * width;
    if (lo >= 0) {
      const l0 = lo * width;
      for (let x = 0; x < width; x++) data[o + x] = (prefix[h0 + x] - prefix[l0 + x]) / count;
    } else {
      for (let x = 0; x < width; x++) data[o + x] = (prefix[h0 + x] - 0) / count;
    }
  }
}
