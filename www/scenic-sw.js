// Scenic's offline service worker, opt-in. Copy this file to your site's root and register it
// once, from a module of your page: `ScenicViewer.registerOffline()` (or
// `navigator.serviceWorker.register('/scenic-sw.js')`). A visitor who has seen the page once then
// sees the scene and its POIs again without a network (halfway up the mountain).
//
// Network first: while online every request goes to the server as it would without this worker,
// so a new version of the element, the model or the POIs is what the visit gets, and each answer
// is kept; offline, the kept answer is used. Only GET requests over http(s) that succeed are kept
// (not ranges or opaque cross-origin answers, whose status cannot be seen).

const CACHE = 'scenic-offline-v1';

self.addEventListener('install', () => self.skipWaiting());
// Controls the page that registered it at once, so that its first visit is already kept.
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || request.headers.has('range') || !/^https?:$/.test(new URL(request.url).protocol)) return;
  event.respondWith((async () => {
    try {
      const response = await fetch(request);
      if (response.ok && response.type !== 'opaque') {
        const copy = response.clone();
        // Over the storage quota: the page still works online; it is only not kept.
        event.waitUntil(caches.open(CACHE).then((c) => c.put(request, copy)).catch(() => {}));
      }
      return response;
    } catch (offline) {
      const kept = await caches.open(CACHE).then((c) => c.match(request, { ignoreVary: true }));
      if (kept) return kept;
      throw offline;
    }
  })());
});
