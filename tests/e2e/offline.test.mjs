// Offline second visits (issue 18): with the opt-in service worker (www/scenic-sw.js) registered,
// a page seen once shows its scene and POIs again with the network off; online, what the server
// sends wins over what was kept (a new version is picked up on the next online visit).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, BASE, pixels, fraction } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const PAGE = `${BASE}/fidelity/?backend=webgl2&src=${encodeURIComponent('/assets/lakeside.glb')}&pois=${encodeURIComponent('/assets/lakeside-pois.geojson')}`;

async function visit(page) {
  await page.goto(PAGE);
  await page.waitForFunction(() => ['ready', 'error'].includes(document.getElementById('viewer')?.dataset.state), null, { timeout: 60000 });
  await page.waitForFunction(() => document.getElementById('viewer').poiList.length > 0 || document.getElementById('viewer').dataset.state === 'error', null, { timeout: 30000 }).catch(() => {});
  return page.evaluate(() => {
    const v = document.getElementById('viewer');
    return { state: v.dataset.state, pois: v.poiList.map((p) => p.id), controlled: !!navigator.serviceWorker.controller };
  });
}

test('a page seen once shows its scene and POIs offline, and online the server wins', async () => {
  const context = await browser.newContext({ viewport: { width: 320, height: 240 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  try {
    const first = await visit(page);
    assert.equal(first.state, 'ready');
    const registered = await page.evaluate(async () => {
      const { ScenicViewer } = await import('/scenic-viewer.js');
      await ScenicViewer.registerOffline();
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
      return !!navigator.serviceWorker.controller;
    });
    assert.ok(registered, 'the worker controls the page');
    // The second visit goes through the worker, which keeps what it fetches.
    const second = await visit(page);
    assert.ok(second.controlled && second.state === 'ready' && second.pois.length > 0, JSON.stringify(second));
    // Network off: the same page from what was kept.
    await context.setOffline(true);
    const offline = await visit(page);
    assert.equal(offline.state, 'ready', 'the scene loads offline');
    assert.deepEqual(offline.pois, second.pois, 'the POIs are back offline');
    const img = await pixels(page);
    assert.ok(fraction(img, (p) => p[3] > 0 && (p[0] !== p[1] || p[1] !== p[2])) > 0.5, 'the scene is drawn, not a blank page');
    // Online again with a stale copy kept: the server's POIs are what the visit shows.
    await context.setOffline(false);
    await page.evaluate(async () => {
      const cache = await caches.open('scenic-offline-v1');
      const stale = { type: 'FeatureCollection', features: [{ type: 'Feature', id: 'stale', geometry: { type: 'Point', coordinates: [0, 0, 0] }, properties: { name: 'Old' } }] };
      const key = (await cache.keys()).find((r) => r.url.endsWith('/assets/lakeside-pois.geojson'));
      await cache.put(key, new Response(JSON.stringify(stale), { headers: { 'Content-Type': 'application/geo+json' } }));
    });
    const online = await visit(page);
    assert.deepEqual(online.pois, second.pois, 'online, the server wins over the kept copy');
  } finally {
    await context.close();
  }
});
