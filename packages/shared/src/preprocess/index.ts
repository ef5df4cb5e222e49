// Signature preprocessing on raw pixel arrays: the same code runs in Node (trainer, server) and the browser.
export * from './grayscale.ts';
export * from './otsu.ts';
export * from './background.ts';
export * from './ruled-lines.ts';
export * from './ink-box.ts';
export * from './locate.ts';
export * from './stroke-width.ts';
export * from './pad.ts';
export * from './resize.ts';
export * from './normalise.ts';
export * from './pipeline.ts';
