// The signature pipeline: classify, authenticity and generate over any ONNX Runtime session (node or web).
export * from './session.ts';
export * from './feeds.ts';
// Row helpers (toProbabilities, genuineProbability, latentVectors) stay module-level: tests import them by path.
export { classify, topK, type ClassifyResult, type Prediction } from './classify.ts';
export { authenticity, type AuthenticityResult, type Verdict } from './authenticity.ts';
export { effectiveTruncation, generate, generateFloat, type GenerateParams } from './generate.ts';
export * from './embed.ts';
export * from './prepare.ts';
export * from './answered-by.ts';
