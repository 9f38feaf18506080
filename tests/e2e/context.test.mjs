// A lost GPU context (WEBGL_lose_context on WebGL2, GPUDevice.destroy() on WebGPU, as a driver
// reset or a GPU process crash would do): the viewer draws again on a new context, with the camera
// where it was and the POI labels back, and says so with `context-restored`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, BASE, pixels, at } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const LOSE = {
  // The page takes the canvas's own context (getContext returns the one the viewer has).
  webgl2: () => document.getElementById('viewer').shadowRoot.querySelector('canvas').getContext('webgl2').getExtension('WEBGL_lose_context').loseContext(),
  // Every device the page asked for was noted by the init script below.
  webgpu: () => window.__devices.forEach((d) => d.destroy()),
};

for (const backend of ['webgl2', 'webgpu']) {
  test(`${backend}: a lost GPU context is rebuilt with the camera and labels kept`, async () => {
    const page = await browser.newPage({ viewport: { width: 320, height: 320 }, deviceScaleFactor: 1 });
    const logs = [];
    page.on('console', (m) => logs.push(m.text()));
    await page.addInitScript(() => {
      window.__devices = [];
      window.__restored = [];
      if (globalThis.GPUAdapter) {
        const request = GPUAdapter.prototype.requestDevice;
        GPUAdapter.prototype.requestDevice = async function (...args) {
          const d = await request.apply(this, args);
          window.__devices.push(d);
          return d;
        };
      }
      document.addEventListener('DOMContentLoaded', () => {
        document.getElementById('viewer').addEventListener('context-restored', (e) => window.__restored.push(e.detail));
      });
    });
    const q = new URLSearchParams({ backend, src: '/corpus/gltf/models/Box/glTF-Binary/Box.glb', size: '320', pois: '/assets/lakeside-pois.geojson' });
    await page.goto(`${BASE}/fidelity/?${q}`);
    await page.waitForFunction(() => document.getElementById('viewer')?.poiList.length > 0, null, { timeout: 60000 });
    // Turn the camera away from its framed pose (keys, as a visitor would), so keeping it is seen.
    for (let i = 0; i < 6; i++) await page.locator('#viewer').press('ArrowLeft');
    // Damping hands the motion out over frames (slowly on a loaded machine): wait until it is still.
    const orbit = () => page.evaluate(() => document.getElementById('viewer').getCameraOrbit());
    let before = await orbit();
    for (let settled = 0; settled < 3;) {
      await page.waitForTimeout(150);
      const now = await orbit();
      settled = Math.abs(now.yaw - before.yaw) < 1e-4 ? settled + 1 : 0;
      before = now;
    }
    assert.ok(Math.abs(before.yaw) > 5, `turned: yaw ${before.yaw}`);
    const labels = () => page.evaluate(() => document.getElementById('viewer').shadowRoot.querySelectorAll('.poi').length);
    const labelCount = await labels();
    const picture = await pixels(page);
    assert.ok(labelCount > 0);

    await page.evaluate(LOSE[backend]);
    await page.waitForFunction(() => window.__restored.length > 0, null, { timeout: 60000 }).catch(() => {
      throw new Error(`no context-restored; console: ${logs.join(' | ')}`);
    });
    assert.deepEqual(await page.evaluate(() => window.__restored[0]), { backend, lostBackend: backend });
    await page.waitForFunction(() => document.getElementById('viewer').poiList.length > 0, null, { timeout: 30000 });
    const v = await page.evaluate(() => ({ state: document.getElementById('viewer').dataset.state, backend: document.getElementById('viewer').activeBackend }));
    assert.deepEqual(v, { state: 'ready', backend });
    const after = await orbit();
    for (const k of ['yaw', 'pitch', 'distance']) assert.ok(Math.abs(after[k] - before[k]) < 1e-2, `${k}: ${before[k]} -> ${after[k]}`);
    assert.equal(await labels(), labelCount);
    // The same picture as before the loss: the red box in the middle of the sky.
    const again = await pixels(page);
    const centre = at(again, 0.5, 0.5);
    assert.ok(centre[0] > 150 && centre[1] < 80, `centre ${centre}`);
    let diff = 0;
    for (let k = 0; k < again.data.length; k++) diff = Math.max(diff, Math.abs(again.data[k] - picture.data[k]));
    assert.ok(diff <= 8, `max channel difference from before the loss: ${diff}`);
    await page.close();
  });
}

// A wasm trap (a panic, which the release build turns into `unreachable`; memory that cannot
// grow) in the middle of a load: stood in for by a GPU call that throws the RuntimeError a trap
// throws, through the module's frames. Without a restart the load never settles ('loading' for
// ever). The viewer moves to a new instance and loads again, saying so; a second trap within a
// minute stops with the message in the page; a new src then loads.
for (const backend of ['webgl2', 'webgpu']) {
  test(`${backend}: a wasm trap in a load restarts the viewer; a second one is shown, and a new src loads`, async () => {
    const page = await browser.newPage({ viewport: { width: 320, height: 320 }, deviceScaleFactor: 1 });
    await page.addInitScript(() => {
      window.__traps = 0;
      window.__warnings = [];
      const arm = (proto, name) => {
        const f = proto[name];
        proto[name] = function (...args) {
          if (window.__traps > 0) { window.__traps--; throw new WebAssembly.RuntimeError('unreachable'); }
          return f.apply(this, args);
        };
      };
      if (globalThis.WebGL2RenderingContext) arm(WebGL2RenderingContext.prototype, 'bufferData');
      if (globalThis.GPUDevice) arm(GPUDevice.prototype, 'createBuffer');
      document.addEventListener('DOMContentLoaded', () => {
        document.getElementById('viewer').addEventListener('warning', (e) => window.__warnings.push(e.detail.message));
      });
    });
    const DUCK = '/corpus/gltf/models/Duck/glTF-Binary/Duck.glb';
    const BOX = '/corpus/gltf/models/Box/glTF-Binary/Box.glb';
    await page.goto(`${BASE}/fidelity/?${new URLSearchParams({ backend, src: DUCK, size: '320' })}`);
    const state = (s) => page.waitForFunction((s) => document.getElementById('viewer').dataset.state === s, s, { timeout: 60000 });
    await state('ready');
    const load = (src) => page.evaluate((src) => {
      window.__traps = 1;
      const v = document.getElementById('viewer');
      v.src = src;
    }, src);
    const redBox = async () => {
      const centre = at(await pixels(page), 0.5, 0.5);
      assert.ok(centre[0] > 150 && centre[1] < 80, `the red box in the middle: ${centre}`);
    };

    // A POI read before the trap: the lite bundle's POI reader is a wasm part linked to the
    // instance that fetched it, so after the restart it must be instantiated again for the new one.
    await page.evaluate(() => document.getElementById('viewer').setPois([{ id: 'gate', name: { zh: '大门', en: 'Gate' }, category: 'viewpoint', position: [0, 0.5, 0] }]));
    const labels = () => page.evaluate(() => [...document.getElementById('viewer').shadowRoot.querySelectorAll('.poi')].map((b) => b.dataset.id));
    assert.deepEqual(await labels(), ['gate']);
    const partFetches = () => page.evaluate(() => performance.getEntriesByType('resource').filter((e) => /\/split_poi\.wasm$/.test(e.name)).length);
    assert.equal(await partFetches(), 1, 'the POI reader is its own part, fetched once');

    await load(BOX);
    await page.waitForFunction(() => window.__warnings.length > 0 && document.getElementById('viewer').dataset.state === 'ready', null, { timeout: 60000 });
    assert.equal(await page.evaluate(() => window.__traps), 0, 'the trap was met');
    assert.match((await page.evaluate(() => window.__warnings))[0], /stopped on an internal error \(unreachable\) and started again/);
    assert.equal(await page.evaluate(() => document.getElementById('viewer').activeBackend), backend);
    await redBox();
    await page.waitForFunction(() => document.getElementById('viewer').shadowRoot.querySelectorAll('.poi').length === 1, null, { timeout: 30000 });
    assert.deepEqual(await labels(), ['gate'], 'the POI is read again by the new instance');
    assert.equal(await partFetches(), 2, 'the POI reader was instantiated again for the new instance');

    // Again within a minute: stopped, and said in the page (text), not restarted in a loop.
    await load(DUCK);
    await state('error');
    const shown = await page.evaluate(() => document.getElementById('viewer').shadowRoot.querySelector('[part~="message"], .message')?.textContent);
    assert.match(shown ?? '', /internal error \(unreachable\) twice/);

    // A new src loads on a new instance.
    await page.evaluate((src) => { document.getElementById('viewer').src = src; }, BOX);
    await state('ready');
    await redBox();
    await page.close();
  });
}
