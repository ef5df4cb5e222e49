// Browser-safe entry point: nothing here may import Node built-ins (see ./node/ for those).
export * from './errors.ts';
export * from './image/types.ts';
export * from './schemas/preprocess.ts';
export * from './preprocess/index.ts';
export * from './schemas/manifest.ts';
export * from './schemas/run.ts';
export * from './schemas/classifier.ts';
export * from './schemas/cgan.ts';
export * from './schemas/realfake.ts';
export * from './schemas/embedding.ts';
export * from './schemas/verifier.ts';
export * from './random.ts';
export * from './settings/index.ts';
export * from './schemas/api.ts';
export * from './pipeline/index.ts';
export * from './usecases/index.ts';
export * from './schemas/gallery.ts';
