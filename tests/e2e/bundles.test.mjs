// Lite and full bundles: a page with a model and POIs fetches the lite bundle only (no AR, tours,
// panoramas or 3D Tiles code); a page whose attributes name one of those fetches the full one
// only; a lite page that asks for a tour later moves to the full bundle with its camera kept.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, BASE, BACKENDS } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const BOX = '/corpus/gltf/models/Box/glTF-Binary/Box.glb';
const POIS = '/assets/lakeside-pois.geojson';

/** A blank page with one viewer made from `attrs` (all set before it is connected, as in markup). */
async function open(attrs) {
  const page = await browser.newPage({ viewport: { width: 320, height: 320 }, deviceScaleFactor: 1 });
  const errors = [];
  const wasm = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => { const u = new URL(r.url()).pathname; if (u.endsWith('.wasm')) wasm.push(u); });
  await page.goto(`${BASE}/fidelity/blank.html`);
  await page.evaluate((attrs) => {
    window.__events = [];
    const v = document.createElement('scenic-viewer');
    v.id = 'viewer';
    v.style.width = v.style.height = '320px';
    for (const e of ['context-restored', 'tour-load', 'error']) v.addEventListener(e, (ev) => window.__events.push([e, ev.detail]));
    for (const [k, val] of Object.entries(attrs)) v.setAttribute(k, val);
    document.body.append(v);
  }, attrs);
  await page.waitForFunction(() => {
    const v = document.getElementById('viewer');
    if (v.state === 'error') throw new Error(v.shadowRoot.querySelector('.message').textContent);
    return v.state === 'ready' && v.poiList.length > 0;
  }, null, { timeout: 60000 });
  return { page, errors, wasm };
}

/** The camera once damping has handed out the last motion. */
async function settledOrbit(page) {
  const orbit = () => page.evaluate(() => document.getElementById('viewer').getCameraOrbit());
  let before = await orbit();
  for (let still = 0; still < 3;) {
    await page.waitForTimeout(150);
    const now = await orbit();
    still = Math.abs(now.yaw - before.yaw) < 1e-4 && Math.abs(now.pitch - before.pitch) < 1e-4 ? still + 1 : 0;
    before = now;
  }
  return before;
}

/** Share of pixels that are the Box's red. */
const redShare = (page) => page.evaluate(async () => {
  const p = await document.getElementById('viewer').readPixels();
  let n = 0;
  for (let k = 0; k < p.data.length; k += 4) if (p.data[k] > 90 && p.data[k] > 2 * p.data[k + 1] && p.data[k] > 2 * p.data[k + 2]) n++;
  return n / (p.data.length / 4);
});

test('a backend set by script just after the element connects fetches that bundle only', async () => {
  // `auto` picks WebGPU here; the page says webgl2 while auto is still asking for an adapter.
  const page = await browser.newPage({ viewport: { width: 320, height: 320 }, deviceScaleFactor: 1 });
  const wasm = [];
  page.on('request', (r) => { const u = new URL(r.url()).pathname; if (u.endsWith('.wasm')) wasm.push(u); });
  await page.goto(`${BASE}/fidelity/blank.html`);
  await page.evaluate(async (src) => {
    const v = document.createElement('scenic-viewer');
    v.id = 'viewer';
    v.setAttribute('src', src);
    document.body.append(v);
    await new Promise((r) => setTimeout(r, 0));
    v.setAttribute('backend', 'webgl2');
  }, BOX);
  await page.waitForFunction(() => document.getElementById('viewer').state === 'ready', null, { timeout: 60000 });
  await page.waitForTimeout(1000);
  assert.equal(await page.evaluate(() => document.getElementById('viewer').activeBackend), 'webgl2');
  assert.deepEqual(wasm, ['/pkg/webgl2-lite/scenic_bg.wasm']);
  await page.close();
});

for (const backend of BACKENDS) {
  test(`${backend}: a model with POIs fetches the lite bundle only, and the rooms it lacks answer null`, async () => {
    const { page, errors, wasm } = await open({ backend, src: BOX, pois: POIS });
    await page.waitForFunction(() => document.getElementById('viewer').shadowRoot.querySelectorAll('.poi').length > 0, null, { timeout: 30000 });
    // The lite module, and its POI reader: a part of its own, fetched with the feed.
    assert.deepEqual(wasm, [`/pkg/${backend}-lite/scenic_bg.wasm`, `/pkg/${backend}-lite/split_poi.wasm`]);
    assert.ok(await redShare(page) > 0.05, 'the Box is drawn');
    assert.deepEqual(await page.evaluate(() => { const v = document.getElementById('viewer'); return [v.tilesInfo(), v.arStatus, v.getPanoramaView(), v.tourInfo]; }), [null, null, null, null]);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test(`${backend}: a page whose markup names a tour fetches the full bundle only`, async () => {
    const { page, errors, wasm } = await open({ backend, src: BOX, pois: POIS, tour: '/assets/lakeside-tour.jsonld' });
    assert.deepEqual(wasm, [`/pkg/${backend}/scenic_bg.wasm`]);
    await page.waitForFunction(() => window.__events.some(([e]) => e === 'tour-load'), null, { timeout: 20000 });
    assert.deepEqual(errors, []);
    await page.close();
  });

  test(`${backend}: a lite page given a tour later moves to the full bundle with the camera where it was`, async () => {
    const { page, errors, wasm } = await open({ backend, src: BOX, pois: POIS });
    await page.waitForFunction(() => document.getElementById('viewer').poiList.length > 0, null, { timeout: 30000 });
    for (let i = 0; i < 6; i++) await page.locator('#viewer').press('ArrowLeft');
    const turned = await settledOrbit(page);
    assert.ok(Math.abs(turned.yaw) > 5, `turned: yaw ${turned.yaw}`);
    const info = await page.evaluate(() => document.getElementById('viewer').setTour({ id: 'later', name: { en: 'Later' }, stops: [{ poi: 'pagoda', text: { en: 'The pagoda.' } }, { poi: 'bridge', text: { en: 'The bridge.' } }] }));
    assert.equal(info.stops, 2);
    await page.waitForFunction(() => { const v = document.getElementById('viewer'); return v.state === 'ready' && v.poiList.length > 0; }, null, { timeout: 60000 });
    assert.deepEqual(wasm, [`/pkg/${backend}-lite/scenic_bg.wasm`, `/pkg/${backend}-lite/split_poi.wasm`, `/pkg/${backend}/scenic_bg.wasm`]);
    const kept = await settledOrbit(page);
    assert.ok(Math.abs(kept.yaw - turned.yaw) < 0.5 && Math.abs(kept.pitch - turned.pitch) < 0.5, `camera kept: ${JSON.stringify([turned, kept])}`);
    assert.ok(await redShare(page) > 0.05, 'the Box is drawn again');
    // The tour is held by the new viewer: its button shows and it starts at stop 1.
    await page.locator('#viewer .tour-button').click();
    await page.waitForFunction(() => document.getElementById('viewer').tourStop === 0, null, { timeout: 10000 });
    assert.deepEqual(await page.evaluate(() => window.__events.map(([e]) => e).filter((e) => e !== 'tour-load')), [], 'no context-restored or error event');
    assert.deepEqual(errors, []);
    await page.close();
  });
}
