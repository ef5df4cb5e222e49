// Capture effects: what photographing or scanning a signature on paper does to it, for clean rendered genuine
// images (the synthetic writers) so that the real/fake detector does not learn "clean = genuine" and call every
// real scan generated. Order as in a camera: paper and ink levels, uneven lighting, optics (blur), the sensor's
// resolution and noise, then JPEG. Parameters are drawn per image.
import sharp from 'sharp';
import type { Rng } from '@sig/shared';
import { decodeImage } from '@sig/shared/node/image-io.ts';

/** The image bytes re-rendered as a photographed or scanned copy (JPEG bytes). */
export async function withCaptureEffects(bytes: Uint8Array, rng: Rng): Promise<Uint8Array> {
  const img = await decodeImage(bytes);
  const { width: w, height: h, channels: ch } = img;
  const paper = rng.uniform(170, 250);
  const ink = rng.uniform(10, 110);
  // Lighting: a linear falloff across the page, up to ±20 % of the paper level.
  const gx = rng.uniform(-0.2, 0.2);
  const gy = rng.uniform(-0.2, 0.2);
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Grey (+ alpha) or colour: the mean of the colour channels, never the alpha.
      const colours = ch >= 3 ? 3 : 1;
      let v = 0;
      for (let c = 0; c < colours; c++) v += img.data[(y * w + x) * ch + c];
      const t = v / colours / 255; // 0 ink … 1 paper
      const light = 1 + gx * (x / w - 0.5) + gy * (y / h - 0.5);
      out[y * w + x] = Math.max(0, Math.min(255, (ink + t * (paper - ink)) * light));
    }
  }
  // Optics and resolution: blur, then down to a camera crop's size (the sheets' cells are ~110 px wide) and back.
  const scale = rng.uniform(0.35, 1);
  const sw = Math.max(16, Math.round(w * scale));
  const sh = Math.max(8, Math.round(h * scale));
  const small = await sharp(out, { raw: { width: w, height: h, channels: 1 } })
    .blur(rng.uniform(0.3, 1.6))
    .resize(sw, sh, { kernel: 'cubic' })
    .extractChannel(0)
    .raw()
    .toBuffer();
  // Sensor noise at the sensor's resolution.
  const sigma = rng.uniform(1, 9);
  for (let i = 0; i < small.length; i++) small[i] = Math.max(0, Math.min(255, Math.round(small[i] + rng.normal(0, sigma))));
  const jpeg = await sharp(small, { raw: { width: sw, height: sh, channels: 1 } })
    .resize(w, h, { kernel: 'cubic' })
    .jpeg({ quality: Math.round(rng.uniform(35, 92)) })
    .toBuffer();
  return new Uint8Array(jpeg.buffer, jpeg.byteOffset, jpeg.length);
}
