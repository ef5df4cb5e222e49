// @sig/edge's public entry for other apps: where the built page lives and the headers it must be served
// with, and the build itself (`npm run build:edge`; the page's own code is under ./page).
import { fileURLToPath } from 'node:url';

/** The folder `npm run build:edge` writes by default (apps/edge/dist), with a trailing separator. */
export function pageDir(): string {
  return fileURLToPath(new URL('../dist/', import.meta.url));
}

/** Headers the page needs: cross-origin isolation (COOP/COEP) for multi-threaded wasm. */
export const EDGE_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
};

/** Builds the page (esbuild + onnxruntime-web's files), as `npm run build:edge` does; loaded on demand. */
export async function buildPage(opts: import('./build/build.ts').BuildOptions): Promise<import('./build/build.ts').BuildResult> {
  const { buildEdge } = await import('./build/build.ts');
  return buildEdge(opts);
}
