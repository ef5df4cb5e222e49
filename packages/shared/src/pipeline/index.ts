// The signature pipeline: classify, authenticity and generate over any ONNX Runtime session (node or web).
export * from './session.ts';
export * from './feeds.ts';
export * from './classify.ts';
export * from './authenticity.ts';
export * from './generate.ts';
export * from './embed.ts';
export * from './prepare.ts';
