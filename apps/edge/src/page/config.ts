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
  /** Its WebGPU build (WebGPU and wasm providers), loaded instead when the browser offers a WebGPU adapter. */
  ortWebGpuModule: string;
  /** 'auto': WebGPU where the browser offers an adapter, wasm otherwise; `?ep=wasm` / `?ep=webgpu` in the page URL force one. */
  executionProvider: 'auto' | 'webgpu' | 'wasm';
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
    ortWebGpuModule: 'ort.webgpu.min.mjs',
    executionProvider: providerFromUrl(base),
    maxThreads: 4,
    topK: 5,
    generateCount: 4,
  };
}

function providerFromUrl(base: string): EdgeConfig['executionProvider'] {
  const ep = new URL(base).searchParams.get('ep');
  return ep === 'webgpu' || ep === 'wasm' ? ep : 'auto';
}
