// Base64 without Node's Buffer (the page runs this too).

/** Bytes → base64. */
export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Base64 → bytes. */
export function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** float32 vector ↔ base64 of its little-endian bytes. */
export const vectorToBase64 = (v: Float32Array): string => toBase64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
export function vectorFromBase64(text: string): Float32Array {
  const b = fromBase64(text);
  const v = new Float32Array(b.length / 4);
  new Uint8Array(v.buffer).set(b);
  return v;
}
