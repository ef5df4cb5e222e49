// Separable grey-level max/min filters and a box blur, O(1) per pixel whatever the window size
// (van Herk / Gil-Werman for max/min, running sums for the blur). Windows are clipped at the borders.
// The vertical pass runs over whole rows at once (the same per-column arithmetic, but memory is read in
// order), and the temporaries are scratch buffers (scratch.ts), not allocated per call.
import { scratchF32, scratchF64 } from './scratch.ts';

/** Running max of each row of `data`, over ±r along the row, in place (van Herk / Gil-Werman). */
function maxRows(data: Float32Array, width: number, height: number, r: number, fwd: Float32Array, bwd: Float32Array): void {
  const k = 2 * r + 1;
  const n = width;
  for (let y = 0; y < height; y++) {
    const o = y * width;
    // Block-wise prefix (fwd) and suffix (bwd) extrema over blocks of k; a window spans at most two blocks.
    for (let b = 0; b < n; b += k) {
      const e = b + k < n ? b + k : n;
      let m = data[o + b];
      fwd[b] = m;
      for (let i = b + 1; i < e; i++) {
        const v = data[o + i];
        if (v > m) m = v;
        fwd[i] = m;
      }
      m = data[o + e - 1];
      bwd[e - 1] = m;
      for (let i = e - 2; i >= b; i--) {
        const v = data[o + i];
        if (v > m) m = v;
        bwd[i] = m;
      }
    }
    for (let i = 0; i < n; i++) {
      const a = bwd[i - r < 0 ? 0 : i - r];
      const c = fwd[i + r >= n ? n - 1 : i + r];
      data[o + i] = a > c ? a : c;
    }
  }
}

/** Running max down each column of `data`, over ±r, in place, row by row; `fwd`/`bwd` hold a whole image. */
function maxColumns(data: Float32Array, width: number, height: number, r: number, fwd: Float32Array, bwd: Float32Array): void {
  const k = 2 * r + 1;
  const n = height;
  for (let b = 0; b < n; b += k) {
    const e = b + k < n ? b + k : n;
    fwd.set(data.subarray(b * width, (b + 1) * width), b * width);
    for (let y = b + 1; y < e; y++) {
      const o = y * width;
      const p = o - width;
      for (let x = 0; x < width; x++) {
        const v = data[o + x];
        const m = fwd[p + x];
        fwd[o + x] = v > m ? v : m;
      }
    }
    bwd.set(data.subarray((e - 1) * width, e * width), (e - 1) * width);
    for (let y = e - 2; y >= b; y--) {
      const o = y * width;
      const q = o + width;
      for (let x = 0; x < width; x++) {
        const v = data[o + x];
        const m = bwd[q + x];
        bwd[o + x] = v > m ? v : m;
      }
    }
  }
  for (let y = 0; y < n; y++) {
    const o = y * width;
    const a0 = (y - r < 0 ? 0 : y - r) * width;
    const c0 = (y + r >= n ? n - 1 : y + r) * width;
    for (let x = 0; x < width; x++) {
      const a = bwd[a0 + x];
      const c = fwd[c0 + x];
      data[o + x] = a > c ? a : c;
    }
  }
}

/** Running min of each row of `data`, over ±r along the row, in place (van Herk / Gil-Werman). */
function minRows(data: Float32Array, width: number, height: number, r: number, fwd: Float32Array, bwd: Float32Array): void {
  const k = 2 * r + 1;
  const n = width;
  for (let y = 0; y < height; y++) {
    const o = y * width;
    // Block-wise prefix (fwd) and suffix (bwd) extrema over blocks of k; a window spans at most two blocks.
    for (let b = 0; b < n; b += k) {
      const e = b + k < n ? b + k : n;
      let m = data[o + b];
      fwd[b] = m;
      for (let i = b + 1; i < e; i++) {
        const v = data[o + i];
        if (v < m) m = v;
        fwd[i] = m;
      }
      m = data[o + e - 1];
      bwd[e - 1] = m;
      for (let i = e - 2; i >= b; i--) {
        const v = data[o + i];
        if (v < m) m = v;
        bwd[i] = m;
      }
    }
    for (let i = 0; i < n; i++) {
      const a = bwd[i - r < 0 ? 0 : i - r];
      const c = fwd[i + r >= n ? n - 1 : i + r];
      data[o + i] = a < c ? a : c;
    }
  }
}

/** Running min down each column of `data`, over ±r, in place, row by row; `fwd`/`bwd` hold a whole image. */
function minColumns(data: Float32Array, width: number, height: number, r: number, fwd: Float32Array, bwd: Float32Array): void {
  const k = 2 * r + 1;
  const n = height;
  for (let b = 0; b < n; b += k) {
    const e = b + k < n ? b + k : n;
    fwd.set(data.subarray(b * width, (b + 1) * width), b * width);
    for (let y = b + 1; y < e; y++) {
      const o = y * width;
      const p = o - width;
      for (let x = 0; x < width; x++) {
        const v = data[o + x];
        const m = fwd[p + x];
        fwd[o + x] = v < m ? v : m;
      }
    }
    bwd.set(data.subarray((e - 1) * width, e * width), (e - 1) * width);
    for (let y = e - 2; y >= b; y--) {
      const o = y * width;
      const q = o + width;
      for (let x = 0; x < width; x++) {
        const v = data[o + x];
        const m = bwd[q + x];
        bwd[o + x] = v < m ? v : m;
      }
    }
  }
  for (let y = 0; y < n; y++) {
    const o = y * width;
    const a0 = (y - r < 0 ? 0 : y - r) * width;
    const c0 = (y + r >= n ? n - 1 : y + r) * width;
    for (let x = 0; x < width; x++) {
      const a = bwd[a0 + x];
      const c = fwd[c0 + x];
      data[o + x] = a < c ? a : c;
    }
  }
}

/** Grey-level dilation (max over a (2r+1)² square), in place. */
export function maxFilter(data: Float32Array, width: number, height: number, r: number): void {
  const fwd = scratchF32('morphology.forward', Math.max(width * height, width));
  const bwd = scratchF32('morphology.backward', fwd.length);
  maxRows(data, width, height, r, fwd, bwd);
  maxColumns(data, width, height, r, fwd, bwd);
}

/** Grey-level erosion (min over a (2r+1)² square), in place. */
export function minFilter(data: Float32Array, width: number, height: number, r: number): void {
  const fwd = scratchF32('morphology.forward', Math.max(width * height, width));
  const bwd = scratchF32('morphology.backward', fwd.length);
  minRows(data, width, height, r, fwd, bwd);
  minColumns(data, width, height, r, fwd, bwd);
}

/**
 * Mean over a (2r+1)² square (clipped at the borders), in place. Prefix sums are accumulated in doubles and
 * stored as float32, then differenced, per row and then per column (the vertical pass row by row).
 */
export function boxBlur(data: Float32Array, width: number, height: number, r: number): void {
  const prefix = scratchF32('morphology.forward', Math.max(width * height, width));
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
  const acc = scratchF64('morphology.columnSums', width).fill(0);
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
