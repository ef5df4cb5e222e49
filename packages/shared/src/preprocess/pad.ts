import type { Box } from './ink-box.ts';

/** Box grown on every side by `margin` pixels. */
export function growBox(box: Box, margin: number): Box {
  const m = Math.round(margin);
  return { x: box.x - m, y: box.y - m, width: box.width + 2 * m, height: box.height + 2 * m };
}

/**
 * The box with the aspect ratio width/height = `aspect` that has `box` centred in it: the shorter side is
 * lengthened (rounded), the extra split evenly, the odd pixel after. Resizing this window (outside `box`
 * counts as paper) pads the crop to the model's shape without distorting it.
 */
export function aspectWindow(box: Box, aspect: number): Box {
  let w = box.width;
  let h = box.height;
  if (w / h > aspect) h = Math.round(w / aspect);
  else w = Math.round(h * aspect);
  return { x: box.x - Math.floor((w - box.width) / 2), y: box.y - Math.floor((h - box.height) / 2), width: w, height: h };
}
