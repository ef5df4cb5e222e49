// Service worker: after the first visit the page, runtime and models come from this cache, so the page
// keeps working with the network cut. The build injects the file list and a build id (a new build is a
// new cache; old ones are deleted on activation). Files of the build are served cache-first; anything else
// in scope (e.g. models a server provides at ./models/ for a bundle built without them) network-first,
// cached on the way, so it works offline after one visit too.
/// <reference lib="webworker" />
declare const self: ServiceWorkerGlobalScope;
declare const __PRECACHE__: string[];
declare const __BUILD_ID__: string;

const CACHE = `sig-edge-${__BUILD_ID__}`;
const scope = new URL('./', self.location.href);
const INDEX = new URL('index.html', scope).href;
const PRECACHED = new Set([INDEX, ...__PRECACHE__.map((p) => new URL(p, scope).href)]);

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const precache = __PRECACHE__.map((p) => new URL(p, scope).href);
      await cache.addAll(precache);
      // Models listed by the (possibly server-provided) manifest but not part of the build.
      await cacheServedModels(cache, new Set(precache)).catch(() => undefined);
      await self.skipWaiting();
    })(),
  );
});

/** Caches models/manifest.json and every model file it lists that the build did not include. */
async function cacheServedModels(cache: Cache, have: Set<string>): Promise<void> {
  const manifestUrl = new URL('models/manifest.json', scope).href;
  if (have.has(manifestUrl)) return;
  const res = await fetch(manifestUrl);
  if (!res.ok) return;
  const manifest = (await res.clone().json()) as { models?: { file?: string }[] };
  await cache.put(manifestUrl, res);
  const files = (manifest.models ?? []).map((m) => new URL(`models/${m.file}`, scope).href).filter((u) => !have.has(u));
  await cache.addAll(files);
}

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key.startsWith('sig-edge-') && key !== CACHE) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin || !url.href.startsWith(scope.href)) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      const key = req.mode === 'navigate' && url.href === scope.href ? INDEX : url.href.split('#')[0];
      if (PRECACHED.has(key)) {
        const hit = await cache.match(key, { ignoreSearch: true });
        if (hit) return hit;
      }
      try {
        const res = await fetch(req);
        if (res.ok && !PRECACHED.has(key)) await cache.put(key, res.clone());
        return res;
      } catch (err) {
        const cached = (await cache.match(key, { ignoreSearch: true })) ?? (req.mode === 'navigate' ? await cache.match(INDEX) : undefined);
        if (cached) return cached;
        throw err;
      }
    })(),
  );
});
