// Page entry: loads the runtime and models, wires file/drop/camera input, lookup, verdict and generation.
// `window.sigEdge` exposes the same calls to tests and the benchmark (they drive the real page code).
import { defaultConfig } from './config.ts';
import { decodeBlob, grabFrame } from './decode.ts';
import { attachGallery, type GalleryApi } from './gallery-panel.ts';
import { loadRuntime, type EdgeRuntime, type ProviderInfo, type ThreadInfo } from './runtime.ts';
import { SignatureApp, type AnalyzeResult, type GenerateResult } from './signature-app.ts';
import { byId, renderAbout, renderAnalysis, renderSamples, showInkBox } from './view.ts';
import type { RawImage } from '@sig/shared';

/** What the page exposes on `window.sigEdge`. */
export interface EdgeApi {
  /** Resolves when the runtime and manifest are loaded. */
  ready: Promise<{ threading: ThreadInfo; provider: ProviderInfo; models: string[]; ortVersion: string }>;
  /**
   * Decode + lookup + verdict for image bytes (or their base64), as the file picker does. Renders the result
   * unless `render` is false (the benchmark times the work itself, as it does for onnxruntime-node).
   */
  analyzeBytes(bytes: Uint8Array | string, topK?: number, render?: boolean): Promise<AnalyzeResult>;
  generate(id: string, count: number, seed: number): Promise<GenerateResult>;
  /** The most recent analysis (from the UI or analyzeBytes). */
  last?: AnalyzeResult;
  /** Resolves when the service worker has cached everything for offline use. */
  offlineReady: Promise<boolean>;
  /** The enrolment gallery in this browser (undefined without an embedding model). */
  gallery: Promise<GalleryApi | undefined>;
}

declare global {
  interface Window {
    sigEdge: EdgeApi;
  }
}

const config = defaultConfig();
const showError = (e: unknown): void => {
  showInkBox(null);
  byId('error').textContent = e instanceof Error ? e.message : String(e);
};

async function registerServiceWorker(): Promise<boolean> {
  if (!('serviceWorker' in navigator) || !/^https?:$/.test(location.protocol)) return false;
  try {
    await navigator.serviceWorker.register('./sw.js', { scope: './' });
    await navigator.serviceWorker.ready;
    byId('offline').textContent = 'Offline use: ready (everything is cached in this browser)';
    document.body.dataset.offlineReady = 'true';
    return true;
  } catch (e) {
    byId('offline').textContent = `Offline use: unavailable (${e instanceof Error ? e.message : String(e)})`;
    return false;
  }
}

const appPromise = loadRuntime(config).then((runtime) => new SignatureApp(runtime));
const galleryPromise = appPromise.then((app) => attachGallery(app.runtime, showError));

/** Looks the image up in this browser's gallery too, when there is one. */
function identifyBlob(blob: Blob): void {
  galleryPromise.then((g) => g?.identify(blob)).catch(showError);
}

async function analyze(image: Promise<RawImage>, topK = config.topK, render = true): Promise<AnalyzeResult> {
  const t0 = performance.now();
  const app = await appPromise;
  const raw = await image;
  const t1 = performance.now();
  const result = await app.analyze(raw, topK);
  result.timings.decodeMs = t1 - t0;
  refreshRuntime(app.runtime);
  window.sigEdge.last = result;
  if (!render) return result;
  byId('error').textContent = '';
  renderAnalysis(result);
  document.body.dataset.analyses = String(Number(document.body.dataset.analyses ?? 0) + 1);
  return result;
}

function showOriginal(blob: Blob): void {
  const img = byId<HTMLImageElement>('original');
  if (img.src.startsWith('blob:')) URL.revokeObjectURL(img.src);
  img.src = URL.createObjectURL(blob);
}

function analyzeBlob(blob: Blob): Promise<AnalyzeResult> {
  showOriginal(blob);
  identifyBlob(blob);
  return analyze(decodeBlob(blob));
}

/** The runtime line again when what runs changed since it was shown (threads after the first session, a WebGPU fallback). */
function refreshRuntime(runtime: EdgeRuntime): void {
  if (String(runtime.threading.threads) !== document.body.dataset.threads || runtime.provider.name !== document.body.dataset.provider) showRuntime(runtime);
}

/** The runtime line: onnxruntime-web version, provider, threads, isolation (again after a session, see ThreadInfo). */
function showRuntime(runtime: EdgeRuntime): void {
  const t = runtime.threading;
  const p = runtime.provider;
  const where = p.name === 'webgpu' ? `WebGPU on ${p.adapter}` : `wasm${p.reason ? `, no WebGPU: ${p.reason}` : ''}`;
  byId('runtime').textContent =
    `onnxruntime-web ${runtime.ort.env.versions.web ?? ''} (${where}) · ${t.threads} thread${t.threads === 1 ? '' : 's'} · ` +
    (!t.isolated
      ? 'not cross-origin isolated (no COOP/COEP headers): single thread'
      : t.threads > 1
        ? 'cross-origin isolated: multi-threaded'
        : 'cross-origin isolated, but single thread');
  document.body.dataset.threads = String(t.threads);
  document.body.dataset.isolated = String(t.isolated);
  document.body.dataset.provider = p.name;
}

window.sigEdge = {
  ready: appPromise.then(({ runtime }) => {
    showRuntime(runtime);
    const t = runtime.threading;
    const models = runtime.manifest.models.map((m) => m.name);
    renderAbout(runtime.manifest.models);
    byId('status').textContent = models.length ? `Models: ${runtime.manifest.models.map((m) => `${m.name} (${m.kind})`).join(', ')}` : 'No models found in models/manifest.json';
    return { threading: t, provider: runtime.provider, models, ortVersion: runtime.ort.env.versions.web ?? '' };
  }),
  analyzeBytes: (bytes, topK, render = true) => {
    const data = typeof bytes === 'string' ? Uint8Array.from(atob(bytes), (c) => c.charCodeAt(0)) : new Uint8Array(bytes);
    const blob = new Blob([data]);
    if (render) showOriginal(blob);
    return analyze(decodeBlob(blob), topK, render);
  },
  generate: async (id, count, seed) => {
    const app = await appPromise;
    const result = await app.generate(id, count, seed);
    refreshRuntime(app.runtime);
    return result;
  },
  offlineReady: registerServiceWorker(),
  gallery: galleryPromise,
};

// Input: file picker, drag and drop, camera.
const file = byId<HTMLInputElement>('file');
file.addEventListener('change', () => {
  const f = file.files?.[0];
  if (f) analyzeBlob(f).catch(showError);
});
const drop = byId('drop');
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  const f = e.dataTransfer?.files[0];
  if (f) analyzeBlob(f).catch(showError);
});

const video = byId<HTMLVideoElement>('video');
let stream: MediaStream | undefined;
const stopCamera = (): void => {
  stream?.getTracks().forEach((t) => t.stop());
  stream = undefined;
  byId('camera').hidden = true;
};
byId('camera-start').addEventListener('click', async () => {
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
    video.srcObject = stream;
    byId('camera').hidden = false;
    await video.play();
  } catch (e) {
    showError(new Error(`camera unavailable: ${e instanceof Error ? e.message : String(e)}`));
  }
});
byId('camera-stop').addEventListener('click', stopCamera);
byId('camera-shot').addEventListener('click', () => {
  const frame = grabFrame(video);
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext('2d')?.drawImage(video, 0, 0);
  canvas.toBlob((b) => {
    if (!b) return;
    showOriginal(b);
    identifyBlob(b);
  });
  stopCamera();
  analyze(Promise.resolve(frame)).catch(showError);
});

// Generation.
byId('gen-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    const app = await appPromise;
    const id = byId<HTMLSelectElement>('gen-id').value;
    const count = Math.max(1, Math.min(16, Number(byId<HTMLInputElement>('gen-count').value) || 1));
    const seed = Math.trunc(Number(byId<HTMLInputElement>('gen-seed').value) || 0);
    renderSamples((await app.generate(id, count, seed)).images);
  } catch (err) {
    showError(err);
  }
});

appPromise
  .then((app) => {
    const labels = app.generatorLabels();
    byId<HTMLSelectElement>('gen-id').replaceChildren(
      ...labels.map((l) => Object.assign(document.createElement('option'), { value: l, textContent: l })),
    );
    if (!labels.length) byId('generate').hidden = true;
    byId<HTMLInputElement>('gen-count').value = String(config.generateCount);
  })
  .catch((e) => {
    byId('status').textContent = 'The models could not be loaded.';
    showError(e);
  });
