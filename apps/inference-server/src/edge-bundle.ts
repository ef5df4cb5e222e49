import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from './log.ts';

/**
 * Builds the browser page into `edgeDir` when it holds none yet, so that `npm start` on a fresh clone serves
 * /edge. Built without models: the server's /edge/models/ serves the models it loaded, so the page always
 * answers with the served models. A failed build is logged and /edge stays a 404 saying how to build it.
 */
export async function ensureEdgeBundle(edgeDir: string, log: Logger): Promise<void> {
  if (await stat(join(edgeDir, 'index.html')).catch(() => null)) return;
  const started = performance.now();
  try {
    // The edge app's own build (esbuild + onnxruntime-web's files), the same as `npm run build:edge`.
    const { buildPage } = await import('@sig/edge');
    const r = await buildPage({ out: edgeDir, modelsDir: null });
    log('info', `built the browser page into ${r.out} (${r.files.length} files, ${((performance.now() - started) / 1000).toFixed(1)} s; npm run build:edge rebuilds it)`);
  } catch (err) {
    log('warn', `could not build the browser page into ${edgeDir} (${err instanceof Error ? err.message : String(err)}); /edge is off until npm run build:edge`);
  }
}
