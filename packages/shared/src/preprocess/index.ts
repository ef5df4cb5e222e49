// Signature preprocessing on raw pixel arrays: the same code runs in Node (trainer, server) and the browser.
// What the pipeline's users call; helpers only tests reach (ink-box.ts's per-pixel `connectedComponents`) are
// imported from their module's path, not from this entry.
export * from './grayscale.ts';
export * from './otsu.ts';
export * from './background.ts';
export * from './ruled-lines.ts';
export { inkBoundingBox, inkRunComponents, type Box, type ComponentStats, type InkBoxOptions } from './ink-box.ts';
export { erasedLines, type RuledLine } from './erased-lines.ts';
export * from './locate.ts';
export * from './stroke-width.ts';
export * from './pad.ts';
export * from './resize.ts';
export * from './normalise.ts';
export * from './pipeline.ts';
