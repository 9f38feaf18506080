// The element on the engines tourists use beyond Chromium: Firefox ESR and WebKitGTK (the engine
// of iOS Safari and of WeChat on iOS), through WebDriver (tests/e2e/webdriver.mjs), on every
// renderer each offers. What the element, embedding and POI suites check most: the model drawn,
// a wrong attribute and a broken file said in the page with the viewer going on, POIs placed
// with their text as text and their card, the iframe embed's postMessage API. Pages come from
// the same server, under the same strict Content-Security-Policy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BASE, launch, openFixture, pixels, difference, changedPixels } from './browser.mjs';
import { Session, startDisplay, startDriver } from './webdriver.mjs';
import { SIZE as SPHERES_SIZE, hdr, spheresGlb, seenUnderHdr, assertLitByHdr } from './spheres.mjs';

const DUCK = '/corpus/gltf/models/Duck/glTF-Binary/Duck.glb';
const BROKEN = '/corpus/invalid/glTF-Validator/test/base/data/glb/chunk_too_big.glb';
let display, browser;
const drivers = [];
/** Chromium's frames of the Duck, per renderer: what the other engines are held to. */
const chromium = {};
before(async () => {
  display = await startDisplay();
  browser = await launch();
  for (const backend of ['webgl2', 'webgpu']) {
    const { page } = await openFixture(browser, DUCK, backend, 256);
    chromium[backend] = await pixels(page);
    await page.close();
  }
});
after(async () => { for (const d of drivers) d.stop(); display?.stop(); await browser?.close(); });

// Content beyond the core glTF, each staged the same way in Chromium and in the engine, and held
// to Chromium's frame on the same renderer (the Chromium suites check what each must show):
// compressed geometry and textures (their decoder modules fetched and run), animation (keyframes
// and skinning, posed at a time), the contact shadow. `stage` runs in the page: it sets
// attributes (null removes one), poses the clip at `time`, lets `wait` ms and two frames pass,
// and returns the frame.
const CONTENT = {
  'Draco Duck': { src: '/corpus/gltf/models/Duck/glTF-Draco/Duck.gltf' },
  'meshopt Duck': { src: '/generated/meshopt/duck-ext.glb' },
  'KTX2 ETC1S Duck': { src: '/generated/ktx2/duck-etc1s.gltf' },
  'InterpolationTest at 0.6 s': { src: '/corpus/gltf/models/InterpolationTest/glTF/InterpolationTest.gltf', time: 0.6, moved: true },
  'skinned CesiumMan at 1 s': { src: '/corpus/gltf/models/CesiumMan/glTF/CesiumMan.gltf', time: 1, moved: true },
  'contact shadow under a box': { src: '/corpus/gltf/models/Box/glTF-Binary/Box.glb', attrs: { 'camera-orbit': '0deg 35deg 4m', 'shadow-intensity': '1' }, shadow: true },
};
async function stage({ attrs = {}, time, panoramaView, wait = 300 }) {
  const v = document.getElementById('viewer');
  for (const [k, val] of Object.entries(attrs)) if (val === null) v.removeAttribute(k); else v.setAttribute(k, val);
  if (time !== undefined) v.currentTime = time;
  if (panoramaView) v.setPanoramaView(panoramaView);
  await new Promise((r) => setTimeout(r, wait));
  const frame = async () => {
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const p = await v.readPixels();
    return { width: p.width, height: p.height, data: Array.from(p.data) };
  };
  // The settled picture: a contact shadow is made by a GPU read-back, which a loaded machine
  // (CI, Firefox's WebGPU) can finish after the wait. Two frames 150 ms apart alike, or 2 s.
  let last = await frame();
  for (let i = 0; i < 12; i++) {
    await new Promise((r) => setTimeout(r, 150));
    const next = await frame();
    if (next.data.every((x, j) => x === last.data[j])) return next;
    last = next;
  }
  return last;
}
// The rooms of the full bundle, fetched when a page turns to them: a 3D Tiles tileset (Cesium's
// one-tile box sample, z-up tiles, a y-up glTF) in a viewer made without a model, and the lakeside
// demo's panorama seen level. Each in-page function returns the frame and what was said. The
// panorama case found that Firefox stops every requestAnimationFrame of a tab for good when a
// WebGPU device is destroyed with frames in flight, as it was when the lite viewer made way for
// the full one (the flight into the panorama never landed); devices now go once their work is
// done (render/webgpu's Gpu). Their frames are then read settled, by `stage` (tiles and panorama
// levels arrive one after another).
async function tilesInPage({ tiles, backend, size }) {
  await import('/scenic-viewer.js');
  const v = document.createElement('scenic-viewer');
  v.id = 'viewer';
  v.style.cssText = `display:block;width:${size}px;height:${size}px`;
  v.setAttribute('backend', backend);
  const said = new Promise((resolve) => { for (const e of ['tiles-ready', 'tiles-error', 'error']) v.addEventListener(e, (ev) => resolve([e, ev.detail?.message ?? '']), { once: true }); });
  v.setAttribute('tiles', tiles);
  document.body.append(v);
  const event = await Promise.race([said, new Promise((r) => setTimeout(() => r(['timeout', '']), 60000))]);
  return { event, info: v.tilesInfo() };
}
async function panoramaInPage() {
  const v = document.getElementById('viewer');
  const loaded = await new Promise((resolve) => {
    v.addEventListener('panorama-load', (e) => resolve(e.detail), { once: true });
    v.addEventListener('warning', (e) => resolve(e.detail.message), { once: true });
    v.setAttribute('panoramas', '/assets/lakeside-panoramas.json');
  });
  return { loaded, entered: await v.enterPanorama('shore') };
}
/** The panorama's settled frames looking level and up, after panoramaInPage; `run` runs an in-page function. */
async function panoramaFrames(run) {
  const at = (pitch) => run(stage, { panoramaView: { yaw: 0, pitch, fov: 60 }, wait: 500 });
  return { level: await at(0), up: await at(80) };
}
// The lakeside demo's guided tour: where its first two stops put the camera, read from its files.
const asset = (name) => JSON.parse(readFileSync(new URL(`../../assets/${name}`, import.meta.url)));
const TOUR_STOPS = asset('lakeside-tour.jsonld').itinerary.itemListElement.map((li) => ({ poi: li.item['@id'], heading: li.heading, pitch: li.pitch, distance: li.distance }));
const POI_AT = Object.fromEntries(asset('lakeside-pois.geojson').features.map((f) => [f.id, f.properties.position]));
const TILES = '/corpus/tiles/1.1/BoundingBoxTests/0_0_0-1_1_2/tileset.json';
const LAKESIDE = { src: '/assets/lakeside.glb', pois: '/assets/lakeside-pois.geojson', lang: 'en', size: '256' };

/** Chromium's frames of each staged case, per renderer, made when first asked for. */
const chromiumContent = {};
async function chromiumStaged(name, backend) {
  const key = `${name} ${backend}`;
  if (!chromiumContent[key]) {
    const c = CONTENT[name];
    const { page, logs } = await openFixture(browser, c.src, backend, 256);
    assert.equal(await page.evaluate(() => document.getElementById('viewer').dataset.state), 'ready', logs.join('\n'));
    chromiumContent[key] = await page.evaluate(stage, { attrs: c.attrs, time: c.time });
    await page.close();
  }
  return chromiumContent[key];
}

/** The fixture page on `backend`, settled: `{ state, backend, message, notice }`. */
async function fixture(s, query) {
  await s.goto(`${BASE}/fidelity/?${new URLSearchParams(query)}`);
  return s.waitFor(() => {
    const v = document.getElementById('viewer');
    return ['ready', 'error'].includes(v?.dataset.state) && { state: v.dataset.state, backend: v.activeBackend, message: v.shadowRoot.querySelector('.message').textContent, notice: v.shadowRoot.querySelector('.notice').textContent };
  }, [], 90000, 'the viewer to settle');
}

/** The frame (`{ width, height, data }`, as browser.mjs's `pixels`) and the colours at the middle
 *  and near the top. */
const frame = (s) => s.run(async () => {
  const p = await document.getElementById('viewer').readPixels();
  const at = (fx, fy) => { const i = (Math.floor(fy * p.height) * p.width + Math.floor(fx * p.width)) * 4; return [p.data[i], p.data[i + 1], p.data[i + 2]]; };
  return { width: p.width, height: p.height, data: Array.from(p.data), middle: at(0.5, 0.55), top: at(0.5, 0.05) };
});

/** Asserts that `frame` is `ref`, Chromium's, within `[rms, share of outliers]` (browser.mjs's
 *  `difference`), and prints the figures under `label`. */
function assertLikeChromium(label, frame, ref, [maxRms, maxOutliers]) {
  const { rms, outliers } = difference(frame, ref);
  console.log(`${label}: RMS ${rms.toFixed(2)} from Chromium's frame, outliers ${(100 * outliers).toFixed(2)} %`);
  assert.ok(rms <= maxRms && outliers <= maxOutliers, `${label}: RMS ${rms.toFixed(2)}, outliers ${outliers}`);
}
/** The staged content's limits per engine: WebKit multisamples where Chromium does not (see the
 *  Duck's test), so its edges differ more. */
const CONTENT_LIMITS = { firefox: [2, 0.005], webkit: [6, 0.02] };

let port = 4600;
for (const engine of ['firefox', 'webkit']) {
  let session;
  const open = async () => {
    if (session) return session;
    const d = await startDriver(engine, port++, display.display);
    drivers.push(d);
    session = await Session.open(d.url, engine);
    return session;
  };
  after(() => session?.close());

  /** The renderers the engine offers here: `{ webgl2, webgpu }`. */
  let offered;
  const offers = async (s) => {
    // Asked of a page from the server (navigator.gpu is only in secure contexts, which
    // about:blank is not).
    await s.goto(`${BASE}/fidelity/blank.html`);
    offered ??= await s.run(async () => ({ webgl2: !!document.createElement('canvas').getContext('webgl2'), webgpu: !!(navigator.gpu && await navigator.gpu.requestAdapter().catch(() => null)) }));
    return offered;
  };

  test(`${engine}: draws the Duck on every renderer the engine offers; one it lacks is said`, async () => {
    const s = await open();
    const has = await offers(s);
    console.log(`${engine}: WebGL2 ${has.webgl2}, WebGPU ${has.webgpu}`);
    assert.ok(has.webgl2, `${engine} has no WebGL2 here`);
    for (const backend of ['webgl2', 'webgpu']) {
      const r = await fixture(s, { backend, src: DUCK, size: '256' });
      if (!has[backend]) {
        assert.equal(r.state, 'error');
        assert.match(r.message, /no way to draw here/, `${backend} absent: ${JSON.stringify(r)}`);
        continue;
      }
      assert.deepEqual([r.state, r.backend], ['ready', backend], JSON.stringify(r));
      const f = await frame(s);
      console.log(`${engine} ${backend}: middle ${f.middle}, top ${f.top}`);
      // The Duck's yellow in the middle (red and green well over blue), the sky above it.
      const [r0, g0, b0] = f.middle;
      assert.ok(r0 > 100 && g0 > 80 && b0 < 60, `middle ${f.middle}`);
      const [r1, g1, b1] = f.top;
      assert.ok(b1 > 150 && b1 >= r1 && b1 >= g1, `top ${f.top}`);
      // And the whole frame as Chromium draws it on the same renderer (the parity suite's
      // measure: RMS of the largest channel difference, a one-pixel shift allowed). WebKit names
      // every GPU "Apple GPU", so the viewer cannot tell this one rasterises on the CPU and draws
      // with 4× multisampling, which Chromium on SwiftShader is spared: its edges are smoother
      // (measured RMS 3.6, 0.6 % of pixels), the rest the same.
      assertLikeChromium(`${engine} ${backend}`, f, chromium[backend], engine === 'webkit' ? [5, 0.01] : [2, 0.005]);
    }
  });

  test(`${engine}: environment-image lights three spheres with the photo's colours where they face them (lighting.test.mjs's scene), on every renderer the engine offers`, async () => {
    const s = await open();
    const has = await offers(s);
    const glb = Buffer.from(spheresGlb()).toString('base64');
    const photo = Buffer.from(hdr(128)).toString('base64');
    for (const backend of ['webgl2', 'webgpu'].filter((b) => has[b])) {
      const r = await fixture(s, { backend, src: DUCK, size: String(SPHERES_SIZE) });
      assert.deepEqual([r.state, r.backend], ['ready', backend], JSON.stringify(r));
      const got = await s.run(async (glb, photo) => {
        const v = document.getElementById('viewer');
        const blob = (b64) => URL.createObjectURL(new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))]));
        const when = (ok, bad, act) => new Promise((resolve) => {
          const done = (e) => { v.removeEventListener(ok, done); v.removeEventListener(bad, done); resolve({ type: e.type, detail: e.detail }); };
          v.addEventListener(ok, done);
          v.addEventListener(bad, done);
          act();
        });
        const loaded = await when('load', 'error', () => {
          v.setAttribute('camera-target', '0m 0m 0m');
          v.setAttribute('camera-orbit', '0deg 0deg 8m');
          v.setAttribute('src', blob(glb));
        });
        const lit = await when('environment-change', 'warning', () => v.setAttribute('environment-image', blob(photo)));
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        const p = await v.readPixels();
        return { loaded: loaded.type, lit, width: p.width, height: p.height, data: Array.from(p.data) };
      }, glb, photo);
      assert.equal(got.loaded, 'load');
      assert.equal(got.lit.type, 'environment-change', JSON.stringify(got.lit));
      assert.equal(got.width, SPHERES_SIZE);
      const seen = seenUnderHdr(got);
      console.log(`${engine} ${backend}: ${JSON.stringify(seen)}`);
      assertLitByHdr(seen);
    }
  });

  test(`${engine}: compressed content, animation, skinning and the contact shadow look as in Chromium, on every renderer the engine offers`, async () => {
    const s = await open();
    const has = await offers(s);
    for (const backend of ['webgl2', 'webgpu'].filter((b) => has[b])) {
      for (const [name, c] of Object.entries(CONTENT)) {
        const r = await fixture(s, { backend, src: c.src, size: '256' });
        assert.deepEqual([r.state, r.backend, r.notice], ['ready', backend, ''], `${name}: ${JSON.stringify(r)}`);
        const rest = (c.moved || c.shadow) && await s.run(stage, { time: c.moved ? 0 : undefined, attrs: c.shadow ? { ...c.attrs, 'shadow-intensity': null } : {} });
        const f = await s.run(stage, { attrs: c.attrs, time: c.time });
        // It is what it should be by itself: posed away from its rest, or shadowed.
        if (c.moved) assert.ok(changedPixels(rest, f) > 500, `${name}: the pose at ${c.time} s is the rest pose (${changedPixels(rest, f)} pixels changed)`);
        if (c.shadow) {
          const luma = (img, i) => 0.299 * img.data[i * 4] + 0.587 * img.data[i * 4 + 1] + 0.114 * img.data[i * 4 + 2];
          let darker = 0;
          for (let i = 0; i < f.width * f.height; i++) if (luma(f, i) < luma(rest, i) - 12) darker++;
          assert.ok(darker > 400, `${name}: ${darker} pixels darkened`);
        }
        // And as Chromium draws it (the Duck's tolerances; WebKit multisamples, see above).
        assertLikeChromium(`${engine} ${backend} ${name}`, f, await chromiumStaged(name, backend), CONTENT_LIMITS[engine]);
      }
    }
  });

  test(`${engine}: 3D Tiles and panoramas (the full bundle, fetched when turned to) look as in Chromium, on every renderer the engine offers`, async () => {
    const s = await open();
    const has = await offers(s);
    for (const backend of ['webgl2', 'webgpu'].filter((b) => has[b])) {
      await s.goto(`${BASE}/fidelity/blank.html`);
      const t = { ...await s.run(tilesInPage, { tiles: TILES, backend, size: 256 }), ...await s.run(stage, {}) };
      assert.deepEqual([t.event[0], t.info.drawn, t.info.failed], ['tiles-ready', 1, 0], JSON.stringify([t.event, t.info]));
      const yellow = t.data.filter((_, i) => i % 4 === 0 && t.data[i] > 90 && t.data[i + 1] > 90 && t.data[i + 2] < 50).length / (t.width * t.height);
      assert.ok(yellow > 0.05, `the tile's box is drawn: ${yellow}`);
      const page = await browser.newPage({ viewport: { width: 256, height: 256 }, deviceScaleFactor: 1 });
      await page.goto(`${BASE}/fidelity/blank.html`);
      await page.evaluate(tilesInPage, { tiles: TILES, backend, size: 256 });
      const ct = await page.evaluate(stage, {});
      await page.goto(`${BASE}/fidelity/?${new URLSearchParams({ ...LAKESIDE, backend })}`);
      await page.waitForFunction(() => document.getElementById('viewer').dataset.state === 'ready', null, { timeout: 60000 });
      await page.evaluate(panoramaInPage);
      const cp = await panoramaFrames((f, arg) => page.evaluate(f, arg));
      await page.close();
      const r = await fixture(s, { ...LAKESIDE, backend });
      assert.equal(r.state, 'ready', JSON.stringify(r));
      const p = { ...await s.run(panoramaInPage), ...await panoramaFrames((f, arg) => s.run(f, arg)) };
      assert.deepEqual([p.loaded, p.entered], [{ panoramas: ['shore', 'hill'], skipped: [] }, 'shore'], JSON.stringify([p.loaded, p.entered]));
      // Looking up from the shore: sky.
      const [ur, ug, ub] = [0, 1, 2].map((c) => p.up.data[(128 * 256 + 128) * 4 + c]);
      assert.ok(ub > ur && ub > ug, `sky above the shore: ${[ur, ug, ub]}`);
      for (const [name, a, b] of [['tiles', t, ct], ['panorama, level', p.level, cp.level], ['panorama, up', p.up, cp.up]]) {
        assertLikeChromium(`${engine} ${backend} ${name}`, a, b, CONTENT_LIMITS[engine]);
      }
    }
  });

  test(`${engine}: the lakeside tour flies from stop to stop and says each, on every renderer the engine offers`, async () => {
    const s = await open();
    const has = await offers(s);
    for (const backend of ['webgl2', 'webgpu'].filter((b) => has[b])) {
      const r = await fixture(s, { ...LAKESIDE, backend, tour: '/assets/lakeside-tour.jsonld' });
      assert.equal(r.state, 'ready', JSON.stringify(r));
      await s.waitFor(() => !!document.getElementById('viewer').tourInfo, [], 30000, 'the tour');
      const stopAt = (n) => s.run((n) => new Promise((resolve) => {
        const v = document.getElementById('viewer');
        v.addEventListener('tour-stop', (e) => {
          const p = v.shadowRoot.querySelector('.tour');
          resolve({ detail: e.detail, orbit: v.getCameraOrbit(), count: p.querySelector('.count').textContent, title: p.querySelector('h2').textContent });
        }, { once: true });
        v.shadowRoot.querySelector(n === 1 ? '.tour-button' : '.tour .next').click();
      }), n);
      for (const n of [1, 2]) {
        const got = await stopAt(n);
        const want = TOUR_STOPS[n - 1], poi = POI_AT[want.poi];
        assert.deepEqual([got.detail.stop, got.detail.poi, got.count], [n, want.poi, `Stop ${n} of ${TOUR_STOPS.length}`], JSON.stringify(got));
        const off = Math.hypot(...got.orbit.target.map((t, i) => t - poi[i]));
        const dYaw = ((got.orbit.yaw - want.heading) % 360 + 540) % 360 - 180;
        assert.ok(off < 0.05 && Math.abs(dYaw) < 0.1 && Math.abs(got.orbit.pitch - want.pitch) < 0.1 && Math.abs(got.orbit.distance - want.distance) < 0.05, `${backend} stop ${n}: ${JSON.stringify(got.orbit)} against ${JSON.stringify(want)} at ${poi}`);
        console.log(`${engine} ${backend} tour stop ${n}: ${got.title}`);
      }
    }
  });

  test(`${engine}: a lost WebGL context (WEBGL_lose_context, as iOS does to a page in the background) is drawn again with the camera kept`, async () => {
    const s = await open();
    const r = await fixture(s, { backend: 'webgl2', src: '/corpus/gltf/models/Box/glTF-Binary/Box.glb', size: '256' });
    assert.equal(r.state, 'ready', JSON.stringify(r));
    const before = await s.run(stage, { attrs: { 'camera-orbit': '40deg 60deg 4m' } });
    const orbit = await s.run(() => document.getElementById('viewer').getCameraOrbit());
    const restored = await s.run(() => new Promise((resolve) => {
      const v = document.getElementById('viewer');
      const timer = setTimeout(() => resolve({ timeout: true }), 60000);
      v.addEventListener('context-restored', (e) => { clearTimeout(timer); resolve(e.detail); }, { once: true });
      v.shadowRoot.querySelector('canvas').getContext('webgl2').getExtension('WEBGL_lose_context').loseContext();
    }));
    assert.deepEqual(restored, { backend: 'webgl2', lostBackend: 'webgl2' });
    await s.waitFor(() => document.getElementById('viewer').dataset.state === 'ready', [], 30000, 'ready again');
    const after = await s.run(stage, {});
    const kept = await s.run(() => document.getElementById('viewer').getCameraOrbit());
    for (const k of ['yaw', 'pitch', 'distance']) assert.ok(Math.abs(kept[k] - orbit[k]) < 1e-2, `${k}: ${orbit[k]} -> ${kept[k]}`);
    const { rms, outliers } = difference(after, before);
    console.log(`${engine}: after the lost context, RMS ${rms.toFixed(2)} from the frame before, outliers ${(100 * outliers).toFixed(2)} %`);
    assert.ok(rms <= 1 && outliers <= 0.002, `RMS ${rms.toFixed(2)}, outliers ${outliers}`);
  });

  test(`${engine}: a wrong attribute is said, a broken file is an error in the page, and the viewer goes on`, async () => {
    const s = await open();
    const r = await fixture(s, { backend: 'webgl2', src: DUCK });
    assert.equal(r.state, 'ready');
    const notice = await s.run(() => new Promise((resolve) => {
      const v = document.getElementById('viewer');
      v.addEventListener('warning', (e) => resolve([e.detail.message, v.shadowRoot.querySelector('.notice').textContent, v.dataset.state]), { once: true });
      v.setAttribute('camera-orbit', 'north');
    }));
    assert.match(notice[0], /camera-orbit/);
    assert.equal(notice[1], notice[0]);
    assert.equal(notice[2], 'ready');
    const load = (src) => s.run((src) => new Promise((resolve) => {
      const v = document.getElementById('viewer');
      const done = (e) => { v.removeEventListener('load', done); v.removeEventListener('error', done); resolve([e.type, v.dataset.state, v.shadowRoot.querySelector('.message').textContent]); };
      v.addEventListener('load', done);
      v.addEventListener('error', done);
      v.setAttribute('src', src);
    }), src);
    const broken = await load(BROKEN);
    assert.equal(broken[0], 'error');
    assert.match(broken[2], /chunk_too_big\.glb/);
    const again = await load(DUCK);
    assert.deepEqual(again.slice(0, 2), ['load', 'ready']);
  });

  test(`${engine}: POIs are placed as labels with their text as text, and a card opens and closes`, async () => {
    const s = await open();
    const r = await fixture(s, { backend: 'webgl2', src: '/assets/lakeside.glb', pois: '/assets/lakeside-pois.geojson', lang: 'en' });
    assert.equal(r.state, 'ready');
    await s.waitFor(() => document.getElementById('viewer').poiList.length > 0, [], 30000, 'the POIs');
    const hostile = '<img src=x onerror="window.__pwned=1">Pagoda';
    const got = await s.run(async (hostile) => {
      const v = document.getElementById('viewer');
      await v.setPois([{ id: 'p1', name: { en: hostile }, position: [0, 5, 0], description: { en: '<b>not bold</b>' } }, { id: 'p2', name: 'Bridge', position: [30, 2, 10] }]);
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const labels = [...v.shadowRoot.querySelectorAll('.poi')].map((b) => [b.dataset.id, b.querySelector('.name').textContent]);
      const opened = new Promise((r) => v.addEventListener('poi-select', (e) => r(e.detail.id), { once: true }));
      await v.selectPoi('p1');
      const card = v.shadowRoot.querySelector('.card');
      const shown = [await opened, card.hidden, card.querySelector('h2')?.textContent, card.querySelectorAll('img, b').length];
      v.closeCard();
      return { labels, shown, closed: card.hidden, pwned: !!window.__pwned };
    }, hostile);
    assert.deepEqual(got.labels, [['p1', hostile], ['p2', 'Bridge']]);
    assert.deepEqual(got.shown, ['p1', false, hostile, 0]);
    assert.equal(got.closed, true);
    assert.equal(got.pwned, false);
  });

  test(`${engine}: the iframe embed loads and answers postMessage calls`, async () => {
    const s = await open();
    await s.goto(`${BASE}/fidelity/blank.html`);
    const frameUrl = `${BASE}/embed.html?src=${encodeURIComponent(DUCK)}&backend=webgl2&lang=en`;
    const info = await s.run((url) => new Promise((resolve, reject) => {
      const f = document.createElement('iframe');
      f.style.cssText = 'width: 400px; height: 300px; border: 0';
      const timer = setTimeout(() => reject(new Error('no answer from the frame')), 60000);
      window.addEventListener('message', (e) => {
        if (e.data?.type !== 'scenic') return;
        if (e.data.event === 'load') f.contentWindow.postMessage({ type: 'scenic', id: 7, call: 'getInfo' }, new URL(url).origin);
        if (e.data.id === 7) { clearTimeout(timer); resolve(e.data.result ?? { error: e.data.error }); }
      });
      f.src = url;
      document.body.append(f);
    }), frameUrl);
    assert.deepEqual([info.state, info.backend], ['ready', 'webgl2'], JSON.stringify(info));
    assert.equal(info.info.triangles, 4212);
  });
}
