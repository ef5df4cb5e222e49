// Service worker: after the first visit the page, runtime and models come from this cache, so the page
// keeps working with the network cut. The build injects the file list and a build id (a new build is a
// new cache; old ones are deleted on activation).
/// <reference lib="webworker" />
declare const self: ServiceWorkerGlobalScope;
declare const __PRECACHE__: string[];
declare const __BUILD_ID__: string;

const CACHE = `sig-edge-${__BUILD_ID__}`;
const scope = new URL('./', self.location.href);
const INDEX = new URL('index.html', scope).href;

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(__PRECACHE__.map((p) => new URL(p, scope).href));
      await self.skipWaiting();
    })(),
  );
});

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
      const hit = await cache.match(key, { ignoreSearch: true });
      if (hit) return hit;
      try {
        return await fetch(req);
      } catch (err) {
        if (req.mode === 'navigate') {
          const index = await cache.match(INDEX);
          if (index) return index;
        }
        throw err;
      }
    })(),
  );
});
