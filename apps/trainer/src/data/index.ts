// Datasets: folder datasets, splits, batches, augmentation and the synthetic-signature generator.
export * from './folder-dataset.ts';
export * from './dataset-spec.ts';
export * from './natural-sort.ts';
export * from './splits.ts';
export * from './load-batch.ts';
export * from './augment.ts';
export { synthesizeDataset, synthesizeOne, type SynthOptions, type SynthRecord } from './synth/synthesize.ts';
