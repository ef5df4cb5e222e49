// Browser decoding: image file or camera frame → RawImage (RGBA), the input of the shared preprocessing.
import type { RawImage } from '@sig/shared';

// One reusable canvas: creating a canvas and context per image costs more than the drawing itself.
let canvas: OffscreenCanvas | undefined;
let context: OffscreenCanvasRenderingContext2D | null = null;

/** Pixels of a drawable through a 2-D canvas, exactly as decoded (no colour conversion, no premultiplication). */
function pixelsOf(source: CanvasImageSource, width: number, height: number): RawImage {
  if (!canvas || canvas.width !== width || canvas.height !== height) {
    canvas = new OffscreenCanvas(width, height);
    context = canvas.getContext('2d', { willReadFrequently: true });
  }
  const g = context;
  if (!g) throw new Error('this browser has no 2-D canvas');
  g.clearRect(0, 0, width, height);
  g.drawImage(source, 0, 0);
  const { data } = g.getImageData(0, 0, width, height);
  return { width, height, channels: 4, data };
}

/** Decodes an image file (PNG, JPEG, WebP, … whatever the browser reads). */
export async function decodeBlob(blob: Blob): Promise<RawImage> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none', imageOrientation: 'from-image' });
  } catch {
    throw new Error('not an image this browser can decode');
  }
  try {
    return pixelsOf(bitmap, bitmap.width, bitmap.height);
  } finally {
    bitmap.close();
  }
}

/** The current frame of a playing camera video. */
export function grabFrame(video: HTMLVideoElement): RawImage {
  if (!video.videoWidth) throw new Error('the camera has not started yet');
  return pixelsOf(video, video.videoWidth, video.videoHeight);
}
