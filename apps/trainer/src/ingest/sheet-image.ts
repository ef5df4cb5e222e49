// A sheet photo as the ingester sees it: decoded, grey, paper flattened to white under uneven light, and
// the ink/paper threshold of the whole sheet. All of it is the shared preprocessing (one copy everywhere).
import { flattenBackground, otsuThreshold, toGray, type GrayImage } from '@sig/shared';
import { decodeImage } from '@sig/shared/node/image-io.ts';

/** A decoded, flattened sheet and its Otsu ink threshold (pixels `<=` it are ink or ruling). */
export interface SheetImage {
  gray: GrayImage;
  threshold: number;
}

/** Decodes and flattens a sheet photo; a non-image or damaged file is a UserError naming the file. */
export async function loadSheet(path: string): Promise<SheetImage> {
  const gray = flattenBackground(toGray(await decodeImage(path)));
  return { gray, threshold: otsuThreshold(gray) };
}
