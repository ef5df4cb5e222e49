// Where the page finds its models and runtime, and its defaults: one object, like transformers.js's `env`.
// Every path is relative to the page, so the bundle works from any static host and from the server's /edge.

/** Browser bundle configuration. */
export interface EdgeConfig {
  /** Folder holding manifest.json and the .onnx files (copied there by the build). */
  modelsUrl: string;
  /** Folder holding onnxruntime-web's module and wasm files (copied from node_modules by the build). */
  ortUrl: string;
  /** onnxruntime-web's ES module inside `ortUrl` (wasm-only build; the runtime is never fetched from a CDN). */
  ortModule: string;
  /** Most wasm threads to use when the page is cross-origin isolated. */
  maxThreads: number;
  /** How many IDs the lookup shows. */
  topK: number;
  /** Default number of generated samples. */
  generateCount: number;
}

/** The defaults, resolved against the page's own URL. */
export function defaultConfig(base: string = location.href): EdgeConfig {
  return {
    modelsUrl: new URL('./models/', base).href,
    ortUrl: new URL('./ort/', base).href,
    ortModule: 'ort.wasm.min.mjs',
    maxThreads: 4,
    topK: 5,
    generateCount: 4,
  };
}
