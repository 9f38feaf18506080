// Embedding: several viewers on a page, lazy loading, removal without leaks, attribute changes,
// the iframe embed and its postMessage API, theming, the snippet page, the strict CSP every
// page is served with, and the Vite example built from the npm package.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, BASE, eventually } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const LAKESIDE = '/assets/lakeside.glb';
const BOX = '/corpus/gltf/models/Box/glTF-Binary/Box.glb';

async function blank(options = {}) {
  const page = await browser.newPage({ viewport: { width: 500, height: 500 }, deviceScaleFactor: 1, ...options });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(options.url ?? `${BASE}/fidelity/blank.html`);
  await page.waitForFunction(() => customElements.get('scenic-viewer'));
  return { page, errors };
}

/** Adds a viewer with `attrs` (in `parent`, a CSS selector, else the body); returns its index. */
function addViewer(page, attrs, parent = 'body') {
  return page.evaluate(([attrs, parent]) => {
    const v = document.createElement('scenic-viewer');
    (window.__viewerRefs ??= []).push(new WeakRef(v));
    for (const [k, val] of Object.entries(attrs)) v.setAttribute(k, val);
    document.querySelector(parent).append(v);
    return document.querySelectorAll('scenic-viewer').length - 1;
  }, [attrs, parent]);
}

const state = (page, i = 0) => page.evaluate((i) => document.querySelectorAll('scenic-viewer')[i]?.state, i);
const waitReady = (page, i = 0) => page.waitForFunction((i) => {
  const s = document.querySelectorAll('scenic-viewer')[i]?.state;
  if (s === 'error') throw new Error(document.querySelectorAll('scenic-viewer')[i].shadowRoot.querySelector('.message').textContent);
  return s === 'ready';
}, i, { timeout: 60000 });

/** Share of pixels that are not the sky/background: something was drawn. */
const drawnShare = (page, i = 0) => page.evaluate(async (i) => {
  const p = await document.querySelectorAll('scenic-viewer')[i].readPixels();
  let n = 0;
  for (let k = 0; k < p.data.length; k += 4) {
    const [r, g, b] = [p.data[k], p.data[k + 1], p.data[k + 2]];
    // The sky is blue-grey (b ≥ g ≥ r, low saturation); the lakeside's grass and the Box's red are not.
    if (!(b >= g - 8 && g >= r - 8)) n++;
  }
  return n / (p.data.length / 4);
}, i);

const stats = (page) => page.evaluate(() => customElements.get('scenic-viewer').gpuStats());

/** Viewers added by `addViewer` still alive after a garbage collection (forced via DevTools): each
 *  is held weakly from the moment it is added. (Not DevTools' `Runtime.queryObjects`, which did not
 *  return, in minutes, on a page whose wasm exports its function table, as the split lite modules
 *  do for their parts.) */
async function liveViewerObjects(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.detach();
  return page.evaluate(() => window.__viewerRefs.filter((r) => r.deref()).length);
}

test('two viewers on one page both render, sharing one wasm instance and one WebGPU device', async () => {
  const { page, errors } = await blank();
  const wasm = [];
  page.on('request', (r) => { if (r.url().endsWith('.wasm')) wasm.push(r.url()); });
  await addViewer(page, { src: LAKESIDE, backend: 'webgpu' });
  await addViewer(page, { src: BOX, backend: 'webgpu' });
  await waitReady(page, 0);
  await waitReady(page, 1);
  assert.ok(await drawnShare(page, 0) > 0.05, 'first viewer drew its scene');
  assert.ok(await drawnShare(page, 1) > 0.05, 'second viewer drew its scene');
  const s = await stats(page);
  assert.equal(s.viewers, 2);
  assert.equal(s.devices, 1, 'WebGPU viewers share one device');
  assert.equal(wasm.length, 1, `one wasm download: ${wasm.join(', ')}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a lazy viewer below the fold requests neither wasm nor model until scrolled into view', async () => {
  const { page } = await blank({ url: `${BASE}/fidelity/blank.html?lazy` });
  const requests = [];
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  await page.evaluate(() => {
    const spacer = document.createElement('div');
    spacer.style.height = '3000px';
    spacer.id = 'spacer';
    document.body.append(spacer);
  });
  await addViewer(page, { src: LAKESIDE, loading: 'lazy', poster: '/docs-poster.svg', backend: 'webgpu' });
  await page.waitForTimeout(1500);
  assert.equal(await state(page), 'idle');
  assert.deepEqual(requests.filter((u) => /\.(wasm|glb)$|\/pkg\//.test(u)), [], 'nothing heavy fetched yet');
  assert.ok(requests.includes('/docs-poster.svg'), 'the poster is shown meanwhile');
  await page.evaluate(() => document.querySelector('scenic-viewer').scrollIntoView());
  await waitReady(page);
  assert.ok(requests.some((u) => u.endsWith('.wasm')) && requests.includes(LAKESIDE), requests.join(' '));
  assert.ok(await drawnShare(page) > 0.05);
  // The poster fades out once the scene is drawn.
  await page.waitForFunction(() => getComputedStyle(document.querySelector('scenic-viewer').shadowRoot.querySelector('.poster')).opacity === '0');
  await page.close();
});

test('a lazy viewer starts when tapped', async () => {
  const { page } = await blank();
  await page.evaluate(() => { const d = document.createElement('div'); d.style.height = '3000px'; document.body.append(d); });
  await addViewer(page, { src: BOX, loading: 'lazy', backend: 'webgl2' });
  assert.equal(await state(page), 'idle');
  // Tapped where it is (dispatching, as if from a screen reader or a tap right at the edge).
  await page.evaluate(() => document.querySelector('scenic-viewer').shadowRoot.querySelector('.start').click());
  await waitReady(page);
  await page.close();
});

test('pois swap replaces the labels; src swap draws the new scene and frees the old one', async () => {
  const { page } = await blank();
  await addViewer(page, { src: LAKESIDE, pois: '/assets/lakeside-pois.geojson', backend: 'webgpu' });
  await waitReady(page);
  await page.waitForFunction(() => document.querySelector('scenic-viewer').poiList.length === 14);
  // POIs: the endpoint now answers with one of the fourteen, renamed (a data: URL stands in for it).
  const all = await (await fetch(`${BASE}/assets/lakeside-pois.geojson`)).json();
  const one = { type: 'FeatureCollection', features: [{ ...all.features[0], id: 'only', properties: { ...all.features[0].properties, id: 'only', name: 'Only one' } }] };
  await page.evaluate((url) => { document.querySelector('scenic-viewer').pois = url; }, `data:application/geo+json,${encodeURIComponent(JSON.stringify(one))}`);
  await page.waitForFunction(() => document.querySelector('scenic-viewer').poiList.length === 1);
  const labels = await page.evaluate(() => [...document.querySelector('scenic-viewer').shadowRoot.querySelectorAll('.poi .name')].map((n) => n.textContent));
  assert.deepEqual(labels, ['Only one']);
  const before = await stats(page);
  await page.evaluate((src) => { const v = document.querySelector('scenic-viewer'); v.pois = null; v.src = src; }, BOX);
  await page.waitForFunction(() => document.querySelector('scenic-viewer').info?.triangles === 12);
  await waitReady(page);
  const after = await stats(page);
  assert.equal(after.viewers, 1);
  // Box is a few hundred bytes of geometry; the lakeside scene's buffers are gone.
  assert.ok(before.sceneBytes > 200000, `lakeside holds ${before.sceneBytes} bytes`);
  assert.ok(after.sceneBytes < 20000, `after the swap ${after.sceneBytes} bytes remain`);
  const red = await page.evaluate(async () => {
    const p = await document.querySelector('scenic-viewer').readPixels();
    const i = ((p.height >> 1) * p.width + (p.width >> 1)) * 4;
    return [p.data[i], p.data[i + 1], p.data[i + 2]];
  });
  assert.ok(red[0] > 100 && red[1] < 60, `Box's red in the middle: ${red}`);
  await page.close();
});

test('removing viewers releases their GPU memory, devices, observers and listeners', async () => {
  const { page, errors } = await blank();
  await addViewer(page, { src: LAKESIDE, backend: 'webgpu' });
  await addViewer(page, { src: BOX, backend: 'webgl2' });
  await waitReady(page, 0);
  await waitReady(page, 1);
  assert.deepEqual(await stats(page).then((s) => [s.viewers, s.devices]), [2, 2]);
  assert.equal(await liveViewerObjects(page), 2);
  // Moving an element within the page keeps it (disconnect + connect in one task).
  await page.evaluate(() => { const v = document.querySelector('scenic-viewer'); document.body.append(v); });
  await page.waitForTimeout(200);
  assert.equal(await state(page, 1), 'ready');
  await page.evaluate(() => document.querySelectorAll('scenic-viewer').forEach((v) => v.remove()));
  await page.waitForTimeout(300);
  const s = await stats(page);
  assert.deepEqual([s.viewers, s.devices, s.gpuBytes], [0, 0, 0], JSON.stringify(s));
  // Nothing on the page (observers, media-query listeners, frames, wasm callbacks) keeps them alive.
  assert.equal(await liveViewerObjects(page), 0);
  // A viewer put back on the page starts again.
  await addViewer(page, { src: BOX, backend: 'webgpu' });
  await waitReady(page);
  assert.deepEqual(errors, []);
  await page.close();
});

test('multisampling is used below devicePixelRatio 2 on a GPU, skipped above it and on a CPU adapter (render targets in GPU bytes)', async () => {
  for (const dpr of [1, 2]) {
    const { page } = await blank({ deviceScaleFactor: dpr });
    // This machine's adapter is SwiftShader, a CPU rasteriser ("fallback adapter"), where 4×
    // MSAA triples the time of a frame; on a GPU the DPR 1 case gets 4 samples.
    const cpu = await page.evaluate(async () => (await navigator.gpu.requestAdapter()).info.isFallbackAdapter);
    const samples = dpr >= 2 || cpu ? 1 : 4;
    await addViewer(page, { src: BOX, backend: 'webgpu' });
    await waitReady(page);
    const s = await stats(page);
    const px = (200 * dpr) ** 2;
    // Depth (4 bytes) per sample, plus a 4-byte colour target only when multisampling; and the
    // preset sky's prefiltered levels (RGBA16F, 64 × 32 down to 8 × 4: ibl::sky_lighting) and
    // the split sum's BRDF table with the sheen's albedo (RGBA16F, 32 × 32: ibl::brdf).
    const targets = px * samples * (samples > 1 ? 8 : 4);
    const environment = [64, 32, 16, 8].reduce((sum, w) => sum + w * (w / 2) * 8, 0) + 32 * 32 * 8;
    assert.equal(s.gpuBytes - s.sceneBytes, targets + environment, `DPR ${dpr}: ${JSON.stringify(s)}`);
    const red = await page.evaluate(async () => {
      const p = await document.querySelector('scenic-viewer').readPixels();
      const i = ((p.height >> 1) * p.width + (p.width >> 1)) * 4;
      return [p.width, p.data[i], p.data[i + 1]];
    });
    assert.equal(red[0], 200 * dpr);
    assert.ok(red[1] > 100 && red[2] < 60, `Box drawn at DPR ${dpr}: ${red}`);
    await page.close();
  }
});

test('staging attributes: camera-orbit, environment, exposure, alt; wrong values warn and keep the viewer', async () => {
  const { page } = await blank();
  await addViewer(page, { src: LAKESIDE, backend: 'webgpu', 'camera-orbit': '90deg 30deg 150%', alt: 'Lakeside, 3D' });
  await waitReady(page);
  const orbit = await page.evaluate(() => document.querySelector('scenic-viewer').getCameraOrbit());
  assert.ok(Math.abs(orbit.yaw - 90) < 0.01 && Math.abs(orbit.pitch - 30) < 0.01, JSON.stringify(orbit));
  assert.equal(await page.evaluate(() => document.querySelector('scenic-viewer').cameraOrbit), '90deg 30deg 150%');
  assert.equal(await page.evaluate(() => document.querySelector('scenic-viewer').shadowRoot.querySelector('canvas').getAttribute('aria-label')), 'Lakeside, 3D');
  const skyTop = () => page.evaluate(async () => {
    const p = await document.querySelector('scenic-viewer').readPixels();
    const i = (2 * p.width + (p.width >> 1)) * 4;
    return p.data[i] + p.data[i + 1] + p.data[i + 2];
  });
  const day = await skyTop();
  await page.evaluate(() => { document.querySelector('scenic-viewer').environment = 'night'; });
  const night = await skyTop();
  assert.ok(night < day / 3, `night sky ${night} vs day ${day}`);
  await page.evaluate(() => { document.querySelector('scenic-viewer').exposure = 4; });
  const brighter = await skyTop();
  assert.ok(brighter > night, `exposure 4 brightens the night sky: ${brighter} vs ${night}`);
  // Wrong values: a message in the page, a warning event, and the viewer keeps working.
  const warnings = await page.evaluate(async () => {
    const v = document.querySelector('scenic-viewer');
    const got = [];
    v.addEventListener('warning', (e) => got.push(e.detail.message));
    v.setAttribute('camera-orbit', 'north 20deg');
    v.setAttribute('environment', '<b>studio</b>');
    v.setAttribute('exposure', 'bright');
    return got;
  });
  assert.equal(warnings.length, 3, warnings.join(' | '));
  assert.match(warnings[0], /yaw "north" is not a number/);
  assert.match(warnings[1], /not one of daylight, dusk, overcast, night/);
  const notice = await page.evaluate(() => document.querySelector('scenic-viewer').shadowRoot.querySelector('.notice'));
  assert.ok(notice !== undefined);
  assert.equal(await page.evaluate(() => document.querySelector('scenic-viewer').shadowRoot.querySelector('.notice').hidden), false);
  assert.equal(await page.evaluate(() => document.querySelector('scenic-viewer').shadowRoot.querySelectorAll('b').length), 0);
  assert.equal(await state(page), 'ready');
  await page.close();
});

test('auto-rotate turns the view while untouched, and a touch pauses it', async () => {
  const { page } = await blank();
  await addViewer(page, { src: LAKESIDE, backend: 'webgl2', 'auto-rotate': '', 'auto-rotate-speed': '90' });
  await waitReady(page);
  const yaw = () => page.evaluate(() => document.querySelector('scenic-viewer').getCameraOrbit().yaw);
  const a = await yaw();
  // 90°/s: 20° within a second on a steady machine.
  await eventually(page, (a) => Math.abs(document.querySelector('scenic-viewer').getCameraOrbit().yaw - a) > 20, a);
  const b = await yaw();
  assert.ok(Math.abs(b - a) > 20, `turned ${b - a}°`);
  const box = await page.evaluate(() => { const r = document.querySelector('scenic-viewer').getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; });
  await page.mouse.move(box[0], box[1]);
  await page.mouse.down();
  await page.mouse.move(box[0] + 1, box[1]);
  await page.mouse.up();
  await page.waitForTimeout(400);
  const c = await yaw();
  await page.waitForTimeout(1000);
  const d = await yaw();
  assert.ok(Math.abs(d - c) < 2, `paused after a touch: ${d - c}°`);
  await page.close();
});

test('theming: dark scheme, custom properties and right-to-left layout', async () => {
  const { page } = await blank({ colorScheme: 'dark' });
  await page.evaluate(() => {
    const wrap = document.createElement('div');
    wrap.dir = 'rtl';
    wrap.id = 'rtl';
    document.body.append(wrap);
  });
  await addViewer(page, { src: BOX, backend: 'webgl2' }, '#rtl');
  await addViewer(page, { src: BOX, backend: 'webgl2', theme: 'light', style: '--scenic-accent: rgb(194, 65, 12)' });
  await waitReady(page, 0);
  await waitReady(page, 1);
  const look = (i) => page.evaluate((i) => {
    const v = document.querySelectorAll('scenic-viewer')[i];
    const r = v.getBoundingClientRect();
    const bar = v.shadowRoot.querySelector('.toolbar').getBoundingClientRect();
    const btn = getComputedStyle(v.shadowRoot.querySelector('.reset'));
    return { bg: btn.backgroundColor, bar: getComputedStyle(v.shadowRoot.querySelector('.bar')).backgroundColor,
      toolbarLeft: bar.left - r.left, toolbarRight: r.right - bar.right };
  }, i);
  const dark = await look(0);
  const light = await look(1);
  assert.equal(dark.bg, 'rgb(35, 44, 55)', 'dark surface follows prefers-color-scheme');
  assert.equal(light.bg, 'rgb(255, 255, 255)', 'theme="light" overrides the scheme');
  assert.equal(light.bar, 'rgb(194, 65, 12)', '--scenic-accent colours the progress bar');
  // (The toolbar is as wide as its buttons: the walk button makes it about half the viewer.)
  assert.ok(dark.toolbarLeft < 20 && dark.toolbarRight > 40, `toolbar at the inline end (left) in RTL: ${JSON.stringify(dark)}`);
  assert.ok(light.toolbarRight < 20, 'toolbar on the right in LTR');
  await page.close();
});

/** Collects the frame's scenic messages on the parent page. */
async function parentWithFrame(parentBase, frameUrl) {
  const { page } = await blank({ url: `${parentBase}/fidelity/blank.html` });
  await page.evaluate((url) => {
    window.__msgs = [];
    window.addEventListener('message', (e) => { if (e.data?.type === 'scenic') window.__msgs.push({ origin: e.origin, ...e.data }); });
    const f = document.createElement('iframe');
    f.style.cssText = 'width: 400px; height: 300px; border: 0';
    f.src = url;
    document.body.append(f);
  }, frameUrl);
  return page;
}

const other = BASE.replace('127.0.0.1', 'localhost');

test('iframe embed: postMessage round trip with the embedding origin', async () => {
  const frame = `${BASE}/embed.html?src=${encodeURIComponent(LAKESIDE)}&pois=${encodeURIComponent('/assets/lakeside-pois.geojson')}&lang=en&backend=webgl2`;
  // The parent is on another origin (localhost vs 127.0.0.1); no `origin` parameter: the frame
  // trusts the page that embeds it.
  const page = await parentWithFrame(other, frame);
  await page.waitForFunction(() => window.__msgs.some((m) => m.event === 'load'), null, { timeout: 60000 });
  assert.ok(await page.evaluate(() => window.__msgs.some((m) => m.event === 'ready')));
  const send = (msg) => page.evaluate(([msg, origin]) => document.querySelector('iframe').contentWindow.postMessage({ type: 'scenic', ...msg }, origin), [msg, BASE]);
  // The POIs arrive after `load` (their own fetch); `poi-load` says when they are placed.
  await page.waitForFunction(() => window.__msgs.some((m) => m.event === 'poi-load' && m.detail.count === 14), null, { timeout: 20000 });
  await send({ id: 1, call: 'getPois' });
  await page.waitForFunction(() => window.__msgs.some((m) => m.id === 1), null, { timeout: 20000 });
  const pois = await page.evaluate(() => window.__msgs.find((m) => m.id === 1).result);
  assert.equal(pois.length, 14);
  const first = pois[0].id;
  await send({ id: 2, call: 'selectPoi', args: [first] });
  await page.waitForFunction((id) => window.__msgs.some((m) => m.event === 'poi-select' && m.detail.id === id), first);
  await send({ id: 3, call: 'getCameraOrbit' });
  await page.waitForFunction(() => window.__msgs.some((m) => m.id === 3 && typeof m.result?.distance === 'number'));
  await send({ id: 4, call: 'setAttribute', args: ['onload', 'alert(1)'] });
  await page.waitForFunction(() => window.__msgs.some((m) => m.id === 4));
  assert.match(await page.evaluate(() => window.__msgs.find((m) => m.id === 4).error), /not an attribute/);
  assert.ok(await page.evaluate((o) => window.__msgs.every((m) => m.origin === o), BASE));
  await page.close();
});

test('iframe embed: messages from a wrong origin are ignored, and events are not sent to it', async () => {
  const frame = `${BASE}/embed.html?src=${encodeURIComponent(BOX)}&backend=webgl2&origin=${encodeURIComponent('https://operator.example')}`;
  const page = await parentWithFrame(other, frame);
  // The frame loads (its own state, seen through the DOM of this test's browser) …
  const inner = await (await page.waitForSelector('iframe')).contentFrame();
  await inner.waitForURL(/embed\.html/);
  await inner.waitForFunction(() => document.querySelector('scenic-viewer')?.state === 'ready', null, { timeout: 60000 });
  // … but this parent is not https://operator.example: no event reached it, and its calls do nothing.
  await page.evaluate((origin) => document.querySelector('iframe').contentWindow.postMessage({ type: 'scenic', id: 9, call: 'setAttribute', args: ['environment', 'night'] }, origin), BASE);
  await page.waitForTimeout(1000);
  assert.deepEqual(await page.evaluate(() => window.__msgs), []);
  assert.equal(await inner.evaluate(() => document.querySelector('scenic-viewer').getAttribute('environment')), null);
  await page.close();
});

test('snippet page: typed values are escaped in the snippets and survive a round trip', async () => {
  const { page, errors } = await blank({ url: `${BASE}/snippet.html` });
  const hostile = 'Lake "view" <img src=x onerror=window.__pwned=1> & 湖';
  await page.fill('input[name=alt]', hostile);
  await page.fill('input[name=origin]', 'https://www.operator.example/path');
  await page.check('input[name=auto-rotate]');
  // The form updates 300 ms after the last input: on a slow machine the first fill may land alone, so wait for all three.
  await page.waitForFunction(() => {
    const [e, f] = ['element-snippet', 'iframe-snippet'].map((id) => document.getElementById(id).value);
    return [e, f].every((v) => v.includes('&quot;view&quot;') && v.includes('auto-rotate')) && f.includes('operator.example');
  });
  const [element, iframe] = await page.evaluate(() => [document.getElementById('element-snippet').value, document.getElementById('iframe-snippet').value]);
  const parsed = await page.evaluate(([element, iframe]) => {
    const doc = new DOMParser().parseFromString(`${element}${iframe}`, 'text/html');
    const v = doc.querySelector('scenic-viewer');
    const f = doc.querySelector('iframe');
    const q = new URL(f.src).searchParams;
    return { alt: v.getAttribute('alt'), rotate: v.hasAttribute('auto-rotate'), src: v.getAttribute('src'), imgs: doc.querySelectorAll('img').length,
      frameAlt: q.get('alt'), origin: q.get('origin'), title: f.title, script: doc.querySelector('script').getAttribute('src') };
  }, [element, iframe]);
  assert.equal(parsed.alt, hostile);
  assert.equal(parsed.frameAlt, hostile);
  assert.equal(parsed.title, hostile);
  assert.equal(parsed.imgs, 0);
  assert.equal(parsed.rotate, true);
  assert.equal(parsed.origin, 'https://www.operator.example');
  assert.equal(parsed.src, `${BASE}/assets/lakeside.glb`);
  assert.equal(parsed.script, `${BASE}/scenic-viewer.min.js`, 'the one-file build');
  await page.waitForFunction((h) => document.querySelector('#preview scenic-viewer')?.getAttribute('alt') === h, hostile);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the one-tag build fetches a rarer feature (tours, panoramas) as its own file, only for a page that uses it', async () => {
  const page = await browser.newPage({ viewport: { width: 400, height: 300 }, deviceScaleFactor: 1 });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const files = () => page.evaluate(() => performance.getEntriesByType('resource').map((r) => new URL(r.name).pathname).filter((n) => /\/(scenic-viewer[^/]*\.js|features\/[^/]+\.js)$/.test(n)));
  const ready = () => page.waitForFunction(() => document.querySelector('scenic-viewer')?.state === 'ready', null, { timeout: 60000 });
  // embed.html loads scenic-viewer.min.js; a model and POIs only: nothing more of the element.
  await page.goto(`${BASE}/embed.html?src=${encodeURIComponent(LAKESIDE)}&pois=${encodeURIComponent('/assets/lakeside-pois.geojson')}&lang=en&backend=webgl2`);
  await ready();
  assert.deepEqual((await files()).filter((f) => !f.endsWith('-worker.js')), ['/scenic-viewer.min.js']);
  // With a tour and panoramas: their two files, minified, and not AR's, 3D Tiles' or any source module.
  // The panorama list arrives after its module, maybe after the tour's button: noted as it loads.
  await page.addInitScript(() => document.addEventListener('panorama-load', () => { window.panoramasLoaded = true; }, true));
  await page.goto(`${BASE}/embed.html?src=${encodeURIComponent(LAKESIDE)}&pois=${encodeURIComponent('/assets/lakeside-pois.geojson')}&tour=${encodeURIComponent('/assets/lakeside-tour.jsonld')}&panoramas=${encodeURIComponent('/assets/lakeside-panoramas.json')}&lang=en&backend=webgl2`);
  await ready();
  await page.waitForFunction(() => document.querySelector('scenic-viewer').shadowRoot.querySelector('.tour-button'), null, { timeout: 30000 });
  assert.deepEqual((await files()).filter((f) => !f.endsWith('-worker.js')).sort(), ['/features/panorama.min.js', '/features/tour.min.js', '/scenic-viewer.min.js']);
  // And they work: the panorama opens.
  await page.waitForFunction(() => window.panoramasLoaded, null, { timeout: 30000 });
  assert.equal(await page.evaluate(() => document.querySelector('scenic-viewer').enterPanorama('shore')), 'shore');
  assert.deepEqual(errors, []);
  await page.close();
});

test('snippet preloads the element (its one-file build, all it fetches of it) and an eager viewer model, used once', async () => {
  const { page, errors } = await blank({ url: `${BASE}/snippet.html` });
  const snippet = () => page.evaluate(() => document.getElementById('element-snippet').value);
  await page.waitForFunction(() => document.getElementById('element-snippet').value.includes('modulepreload'));
  const links = (html) => page.evaluate((h) => [...new DOMParser().parseFromString(h, 'text/html').querySelectorAll('link')].map((l) => [l.rel, l.getAttribute('href')]), html);
  // Lazy (the form's default): the modules only, exactly those the element's page fetched.
  const fetched = await page.evaluate(() => performance.getEntriesByType('resource').map((r) => r.name).filter((n) => /\/(scenic-viewer(\.min)?\.js|features\/[^/]+\.js)$/.test(n)));
  assert.deepEqual(fetched, [`${BASE}/scenic-viewer.min.js`], 'one file, no feature modules');
  let l = await links(await snippet());
  assert.deepEqual(l.filter(([r]) => r === 'modulepreload').map(([, h]) => h).sort(), [...new Set(fetched)].sort());
  assert.ok(!l.some(([r]) => r === 'preload'), JSON.stringify(l));
  await page.selectOption('select[name=loading]', 'eager');
  await page.waitForFunction(() => document.getElementById('element-snippet').value.includes('rel="preload"'));
  const html = await snippet();
  l = await links(html);
  assert.deepEqual(l.find(([r]) => r === 'preload'), ['preload', `${BASE}/assets/lakeside.glb`]);
  assert.deepEqual(errors, []);
  await page.close();
  // An operator's page made of the snippet: the model is downloaded once (the preload is used).
  const site = await browser.newPage({ viewport: { width: 400, height: 300 } });
  await site.route(`${BASE}/operator-page.html`, (route) => route.fulfill({ contentType: 'text/html', body: `<!doctype html><html><head>${html.split('<scenic-viewer')[0]}</head><body><scenic-viewer${html.split('<scenic-viewer')[1]}</body></html>` }));
  const warnings = [];
  site.on('console', (m) => { if (m.type() === 'warning' || m.type() === 'error') warnings.push(m.text()); });
  await site.goto(`${BASE}/operator-page.html`);
  await site.waitForFunction(() => document.querySelector('scenic-viewer')?.state === 'ready', null, { timeout: 60000 });
  const models = await site.evaluate(() => performance.getEntriesByType('resource').filter((r) => r.name.endsWith('/assets/lakeside.glb')).map((r) => r.initiatorType));
  assert.deepEqual(models, ['link']);
  assert.ok(!warnings.some((w) => /preload/i.test(w)), warnings.join('\n'));
  await site.close();
});

test('the source element lists its own modules: exactly those a page loading it fetches', async () => {
  // For pages (and bundlers) that load the unminified modules; the one-file build lists itself.
  const { page, errors } = await blank({ url: `${BASE}/docs.html` });
  const { listed, fetched } = await page.evaluate(() => ({
    listed: customElements.get('scenic-viewer').modules.map((m) => new URL(m, location.href).href),
    fetched: performance.getEntriesByType('resource').map((r) => r.name).filter((n) => /\/(scenic-viewer(\.min)?\.js|features\/[^/]+\.js)$/.test(n)),
  }));
  assert.equal(listed.length, 16);
  // The docs page has an AR example: features/ar.js (with the sand table's sandtable.js) is
  // fetched for it, on its own, after the rest (features/tour.js and panorama.js likewise, once
  // their lazy examples start).
  assert.ok(fetched.some((f) => f.endsWith('/features/ar.js')));
  const lazy = (f) => ['ar', 'sandtable', 'tour', 'panorama'].some((m) => f.endsWith(`/features/${m}.js`));
  assert.deepEqual([...new Set(fetched)].filter((f) => !lazy(f)).sort(), listed.sort());
  assert.deepEqual(errors, []);
  await page.close();
});

test('pages run under a strict Content-Security-Policy (no inline script, no eval)', async () => {
  const page = await browser.newPage({ viewport: { width: 500, height: 500 } });
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  for (const path of ['/', '/docs.html', '/embed.html?src=%2Fassets%2Flakeside.glb', '/snippet.html']) {
    const response = await page.goto(`${BASE}${path}`);
    const csp = response.headers()['content-security-policy'];
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
    assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'/);
    await page.evaluate(() => document.querySelector('scenic-viewer')?.scrollIntoView());
    await page.waitForFunction(() => [...document.querySelectorAll('scenic-viewer')].some((v) => v.state === 'ready'), null, { timeout: 60000 });
    // The policy is in force: an inline script does not run.
    const ran = await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__inline = 1';
      document.head.append(s);
      return window.__inline === 1;
    });
    assert.equal(ran, false, path);
    const violations = await page.evaluate(() => window.__violations.filter((v) => !v.startsWith('script-src-elem inline')));
    assert.deepEqual(violations, [], path);
  }
  await page.close();
});

test('the Vite example (TypeScript, npm package) builds and renders', async () => {
  const { page, errors } = await blank({ url: `${BASE}/examples/vite/dist/index.html` });
  await page.waitForFunction(() => /triangles/.test(document.getElementById('status').textContent), null, { timeout: 60000 });
  assert.match(await page.evaluate(() => document.getElementById('status').textContent), /^webgpu|^webgl2/);
  assert.ok(await drawnShare(page) > 0.05);
  // The wasm came from Vite's fingerprinted assets, not from the package folder.
  // Its POI, read by the wasm part split off the lite module.
  await page.waitForFunction(() => [...document.getElementById('viewer').shadowRoot.querySelectorAll('.poi')].some((b) => b.dataset.id === 'pavilion'), null, { timeout: 30000 });
  const wasm = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.endsWith('.wasm')));
  assert.ok(wasm.length >= 2 && wasm.every((u) => /\/examples\/vite\/dist\/assets\/(scenic_bg|split_poi)-[\w-]+\.wasm$/.test(u)), wasm.join(' '));
  assert.ok(wasm.some((u) => /split_poi-/.test(u)), wasm.join(' '));
  assert.deepEqual(errors, []);
  await page.close();
});
