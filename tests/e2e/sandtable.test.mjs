// The WebXR sand table (enterAR('webxr'); www/features/sandtable.js, crate/src/ar/table.rs) in
// headless Chromium, with an AR phone emulated by Meta's WebXR runtime (npm `iwer`) and a room
// with a table from its Synthetic Environment Module (`@iwer/sem`) for the hit test. The phone
// is posed by the test; touches come through DevTools as a finger's would. Where things should
// land is worked out here from the pose, the table and the documented placing rule (bottom
// centre on the surface, 0.6 m across, front towards the tourist), not read from the viewer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { BASE, launch } from './browser.mjs';

const IWER = fileURLToPath(new URL('../../node_modules/iwer/build/iwer.min.js', import.meta.url));
const SEM = fileURLToPath(new URL('../../node_modules/@iwer/sem/build/iwer-sem.min.js', import.meta.url));
const BOX = '/corpus/gltf/models/Box/glTF-Binary/Box.glb'; // a unit cube, red (0.8, 0, 0)
const NINGBO = '/corpus/poi/ningbo/ningbo_scenic_spots.sourced.geojson';
const W = 400, H = 640;
const FOVY = Math.PI / 3;
// The table top's centre, 0.75 m up; the phone 2 m from it, looking 36° down at it.
const TABLE = [0.1, 0.75, -0.6];
const PITCH = Math.PI / 5, REACH = 2;
const PHONE = [TABLE[0], TABLE[1] + REACH * Math.sin(PITCH), TABLE[2] + REACH * Math.cos(PITCH)];
// Labels just above the cube's top face: its middle and one corner.
const POIS = [
  { id: 'top', name: { en: 'Top', zh: '顶' }, position: [0, 0.6, 0] },
  { id: 'corner', name: { en: 'Corner', zh: '角' }, position: [0.5, 0.6, 0.5] },
];

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A room with a floor and a table top (OpenXR scene planes, as the module's captures are). */
const ROOM = {
  type: 'scene', version: 1,
  spatialEntities: [
    { uuid: 'floor', semanticLabel_META: 'FLOOR', locatable_META: { orientation: { x: 1, y: 0, z: 0, w: 0 }, position: { x: 0, y: 0, z: 0 } }, bounded2D_META: { offset: { x: -2, y: -2 }, extent: { width: 4, height: 4 } } },
    { uuid: 'table', semanticLabel_META: 'TABLE', locatable_META: { orientation: { x: 1, y: 0, z: 0, w: 0 }, position: { x: TABLE[0], y: TABLE[1], z: TABLE[2] } }, bounded2D_META: { offset: { x: -0.6, y: -0.4 }, extent: { width: 1.2, height: 0.8 } } },
  ],
};

/** A page whose browser offers immersive AR through the emulated phone (or not, `xr: false`). */
async function open({ backend = 'auto', xr = true, src = BOX, pois = '', lang = 'en' } = {}) {
  const context = await browser.newContext({ viewport: { width: W, height: H }, deviceScaleFactor: 1, hasTouch: true });
  const page = await context.newPage();
  const logs = [];
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message} (${e.stack?.split('\n')[1]?.trim()})`));
  // (The browser's own favicon request is no page's error.)
  page.on('console', (m) => { if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) logs.push(m.text()); });
  if (xr) {
    await page.addInitScript({ path: IWER });
    await page.addInitScript({ path: SEM });
    await page.addInitScript(({ room, phone, pitch, fovy }) => {
      const device = new IWER.XRDevice({
        name: 'Test phone', controllerConfig: undefined, supportedSessionModes: ['inline', 'immersive-ar'],
        supportedFeatures: ['viewer', 'local', 'local-floor', 'hit-test', 'dom-overlay', 'anchors', 'plane-detection'],
        supportedFrameRates: [60], isSystemKeyboardSupported: false, internalNominalFrameRate: 60,
        environmentBlendModes: { 'immersive-ar': 'alpha-blend' }, interactionMode: 'screen-space', userAgent: navigator.userAgent,
      }, { stereoEnabled: false, fovy, ipd: 0 }); // one camera: no eye offset
      // Pitched down about x (its forward is -z).
      device.position.set(...phone);
      device.quaternion.set(Math.sin(-pitch / 2), 0, 0, Math.cos(-pitch / 2));
      device.installRuntime({ forceInstall: true });
      device.installSEM(IWER_SEM.SyntheticEnvironmentModule);
      device.sem.loadEnvironment(room);
      // On a phone the DOM overlay is on top: let touches through the emulator's full-screen layer.
      device.canvasContainer.style.pointerEvents = 'none';
      window.__xr = device;
      window.__events = [];
    }, { room: ROOM, phone: PHONE, pitch: PITCH, fovy: FOVY });
  } else {
    await page.addInitScript(() => { window.__events = []; });
  }
  await page.goto(`${BASE}/fidelity/?backend=${backend}&ar&lang=${lang}&src=${encodeURIComponent(src)}&pois=${encodeURIComponent(pois)}`);
  await page.evaluate(({ W, H }) => {
    const v = document.getElementById('viewer');
    Object.assign(v.style, { position: 'fixed', left: '0', top: '0', width: `${W}px`, height: `${H}px` });
    for (const e of ['ar-start', 'ar-end', 'ar-error', 'load', 'error']) v.addEventListener(e, (ev) => window.__events.push([e, ev.detail?.mode ?? null, ev.detail?.fallback ?? null]));
  }, { W, H });
  await page.waitForFunction(() => document.getElementById('viewer').dataset.state === 'ready', null, { timeout: 60000 });
  const cdp = await context.newCDPSession(page);
  return { page, context, cdp, logs };
}

const table = (page) => page.evaluate(() => document.getElementById('viewer').arTable);

async function enter(page) {
  await page.locator('scenic-viewer button.ar-table').click();
  await page.waitForFunction(() => document.getElementById('viewer').arTable?.surface === true, null, { timeout: 60000 });
}

/** Fingers down, moved in `steps` to their end places, lifted: [[x0, y0, x1, y1], …] per finger. */
async function touch(cdp, fingers, steps = 8) {
  const at = (k) => fingers.map(([x0, y0, x1, y1], id) => ({ x: x0 + ((x1 - x0) * k) / steps, y: y0 + ((y1 - y0) * k) / steps, id }));
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(0) });
  for (let k = 1; k <= steps; k++) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(k) });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

/** Two fingers turning by `angle` (radians, clockwise on screen) about (cx, cy), `r` px apart / 2. */
async function twist(cdp, cx, cy, r, angle, steps = 12) {
  const p = (a, s) => [cx + s * r * Math.cos(a), cy + s * r * Math.sin(a)];
  const pts = (k) => { const a = (angle * k) / steps; return [p(a, -1), p(a, 1)].map(([x, y], id) => ({ x, y, id })); };
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: pts(0) });
  for (let k = 1; k <= steps; k++) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: pts(k) });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

/** Where a point in the reference space shows on screen (CSS px), through the posed phone. */
function project(p, phone = PHONE) {
  // Into the phone's frame: undo its position, then its pitch (about x).
  const d = [p[0] - phone[0], p[1] - phone[1], p[2] - phone[2]];
  const c = Math.cos(PITCH), s = Math.sin(PITCH); // rotate by +PITCH undoes the -PITCH pose
  const v = [d[0], d[1] * c - d[2] * s, d[1] * s + d[2] * c];
  const f = 1 / Math.tan(FOVY / 2);
  const ndc = [(f / (W / H)) * v[0] / -v[2], f * v[1] / -v[2]];
  return [(ndc[0] + 1) / 2 * W, (1 - ndc[1]) / 2 * H];
}

/** A scene point (Box's units) on the table: bottom centre on the anchor, turned by `yaw`
 *  radians about the vertical, 0.6 m across times `zoom`. */
function onTable(q, anchor, yaw, zoom) {
  const k = 0.6 * zoom; // Box is 1 unit across
  const [x, y, z] = [q[0] * k, (q[1] + 0.5) * k, q[2] * k];
  return [anchor[0] + x * Math.cos(yaw) + z * Math.sin(yaw), anchor[1] + y, anchor[2] - x * Math.sin(yaw) + z * Math.cos(yaw)];
}

/** Each shown label's bottom centre (where its anchor is), by id. */
function labels(page) {
  return page.evaluate(() => {
    const v = document.getElementById('viewer');
    const out = {};
    for (const b of v.shadowRoot.querySelectorAll('.poi')) {
      if (b.hidden) continue;
      const r = b.getBoundingClientRect();
      out[b.dataset.id] = [r.left + r.width / 2, r.bottom];
    }
    return out;
  });
}

/** The red cube's pixels on screen: count, centre and bounding box. */
async function red(page) {
  const png = PNG.sync.read(await page.screenshot());
  let n = 0, sx = 0, sy = 0, x0 = Infinity, x1 = -1, y0 = Infinity, y1 = -1;
  for (let y = 0; y < png.height; y++) for (let x = 0; x < png.width; x++) {
    const i = (y * png.width + x) * 4;
    const [r, g, b] = [png.data[i], png.data[i + 1], png.data[i + 2]];
    if (r > 40 && r > 2.5 * Math.max(g, b)) { n++; sx += x; sy += y; x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
  }
  return { n, cx: sx / n, cy: sy / n, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

const near = (a, b, tol, what) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a.toFixed(3)} vs ${b.toFixed(3)} (±${tol})`);
const settle = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 50)))));

test('sand table: the button shows only where the browser offers immersive AR', async () => {
  const without = await open({ xr: false, backend: 'webgl2' });
  try {
    // Give the support check its turn.
    await without.page.waitForFunction(() => !document.getElementById('viewer').shadowRoot.querySelector('button.ar').hidden);
    assert.equal(await without.page.evaluate(() => document.getElementById('viewer').shadowRoot.querySelector('button.ar-table').hidden), true);
    // Asked anyway: a message, the 3D view kept, no session.
    const mode = await without.page.evaluate(() => document.getElementById('viewer').enterAR('webxr'));
    assert.equal(mode, null);
    const events = await without.page.evaluate(() => window.__events.filter((e) => e[0] === 'ar-error'));
    assert.deepEqual(events, [['ar-error', 'webxr', '3d']]);
    assert.match(await without.page.evaluate(() => document.getElementById('viewer').shadowRoot.querySelector('.notice').textContent), /WebXR/);
    assert.equal(await without.page.evaluate(() => document.getElementById('viewer').dataset.ar), undefined);
  } finally { await without.context.close(); }
  const withXr = await open();
  try {
    await withXr.page.waitForFunction(() => !document.getElementById('viewer').shadowRoot.querySelector('button.ar-table').hidden);
    assert.equal(await withXr.page.evaluate(() => document.getElementById('viewer').shadowRoot.querySelector('button.ar-table').textContent), 'AR sand table');
    // An AR page where the sand table may run opens on WebGL2 at once (XR layers take WebGL).
    assert.equal(await withXr.page.evaluate(() => document.getElementById('viewer').activeBackend), 'webgl2');
  } finally { await withXr.context.close(); }
});

for (const backend of ['webgl2', 'webgpu']) {
  test(`sand table (${backend} page): placed on the table by a tap, pinched, twisted, labels on it, and back to the 3D view`, async () => {
    const { page, context, cdp, logs } = await open({ backend });
    try {
      await page.evaluate((pois) => document.getElementById('viewer').setPois(pois), POIS);
      const before = await page.evaluate(() => document.getElementById('viewer').readPixels().then((p) => Array.from(p.data.slice(0, 4))));
      await enter(page);
      const v = (f, arg) => page.evaluate(f, arg);
      assert.equal(await v(() => document.getElementById('viewer').dataset.ar), 'webxr');
      // XR layers take a WebGL context: a WebGPU page moved to WebGL2 on the way in.
      assert.equal(await v(() => document.getElementById('viewer').activeBackend), 'webgl2');
      let t = await table(page);
      // The hit test under the screen's centre found the table top.
      for (let i = 0; i < 3; i++) near(t.anchor[i], TABLE[i], 0.01, `anchor ${'xyz'[i]}`);
      assert.equal(t.placed, false);
      near(t.scale, 0.6, 1e-4, 'metres per unit (a 1-unit cube 0.6 m across)');
      // Front towards the phone, which stands straight behind the table (+z).
      near(((t.yaw + 540) % 360) - 180, 0, 0.5, 'yaw');
      await settle(page);
      // The cube previews there: its middle on screen where the independent projection puts it.
      let shot = await red(page);
      let mid = project(onTable([0, 0, 0], TABLE, 0, 1));
      assert.ok(shot.n > 2000, `the cube is drawn (${shot.n} red px); ${logs.join(' | ')}`);
      near(shot.cx, mid[0], 12, 'cube centre x');
      near(shot.cy, mid[1], 30, 'cube centre y');
      // Labels stand where their anchors project.
      let l = await labels(page);
      for (const p of POIS) {
        const e = project(onTable(p.position, TABLE, 0, 1));
        near(l[p.id][0], e[0], 4, `${p.id} label x`);
        near(l[p.id][1], e[1], 4, `${p.id} label y`);
      }

      // A tap puts it down; then the phone steps 20 cm right and the cube stays on the table.
      await touch(cdp, [[W / 2, H * 0.85, W / 2, H * 0.85]], 1);
      await page.waitForFunction(() => document.getElementById('viewer').arTable.placed);
      assert.equal(await v(() => !document.getElementById('viewer').shadowRoot.querySelector('button.ar-move').hidden), true);
      const moved = [PHONE[0] + 0.2, PHONE[1], PHONE[2]];
      await v((p) => { window.__xr.position.set(...p); }, moved);
      await settle(page);
      t = await table(page);
      for (let i = 0; i < 3; i++) near(t.anchor[i], TABLE[i], 0.01, `placed anchor ${'xyz'[i]}`);
      shot = await red(page);
      mid = project(onTable([0, 0, 0], TABLE, 0, 1), moved);
      near(shot.cx, mid[0], 12, 'placed cube x after the phone moved');
      l = await labels(page);
      const corner = project(onTable(POIS[1].position, TABLE, 0, 1), moved);
      near(l.corner[0], corner[0], 4, 'corner label x after the phone moved');
      await v((p) => { window.__xr.position.set(...p); }, PHONE);

      // Pinch: fingers from 200 px to 100 px apart → half the size.
      await settle(page);
      const wide = (await red(page)).width;
      await touch(cdp, [[W / 2 - 100, H * 0.85, W / 2 - 50, H * 0.85], [W / 2 + 100, H * 0.85, W / 2 + 50, H * 0.85]]);
      await settle(page);
      t = await table(page);
      near(t.zoom, 0.5, 0.01, 'zoom after the pinch');
      near(t.scale, 0.3, 0.005, 'metres per unit after the pinch');
      assert.equal(t.placed, true, 'a pinch does not pick it up');
      shot = await red(page);
      near(shot.width / wide, 0.5, 0.1, 'on-screen width ratio');

      // Twist: a quarter turn clockwise on screen turns the model clockwise seen from above.
      await twist(cdp, W / 2, H * 0.85, 60, Math.PI / 2);
      await settle(page);
      t = await table(page);
      near(((t.yaw + 540) % 360) - 180, -90, 1, 'yaw after the twist');
      l = await labels(page);
      // The corner (+x, +z of the cube) was front right; turned clockwise it is front left.
      const turned = project(onTable(POIS[1].position, TABLE, (t.yaw * Math.PI) / 180, t.zoom));
      near(l.corner[0], turned[0], 5, 'corner label x after the twist');
      near(l.corner[1], turned[1], 5, 'corner label y after the twist');
      assert.ok(l.corner[0] < W / 2, 'the corner came round to the left');

      // A label opens its card in the overlay (at half size the top's label folds into the corner's).
      await page.locator('scenic-viewer .poi[data-id="corner"]').click();
      assert.equal(await v(() => document.getElementById('viewer').shadowRoot.querySelector('.card').hidden), false);
      assert.equal((await table(page)).placed, true, 'tapping a label does not move the table');

      // Exit: the session ends, the 3D view is drawn again, under the labels and toolbar.
      await page.locator('scenic-viewer button.ar').click();
      await page.waitForFunction(() => !document.getElementById('viewer').dataset.ar);
      assert.equal(await v(() => window.__xr.activeSession), undefined);
      assert.equal(await v(() => document.getElementById('viewer').arTable), null);
      assert.equal(await v(() => document.getElementById('viewer').shadowRoot.querySelector('canvas').nextElementSibling.className), 'poster');
      const after = await page.evaluate(() => document.getElementById('viewer').readPixels().then((p) => Array.from(p.data.slice(0, 4))));
      for (let c = 0; c < 4; c++) near(after[c], before[c], 3, `the 3D view draws its sky again (channel ${c})`);
      const events = await v(() => window.__events.filter((e) => e[0].startsWith('ar-')));
      assert.deepEqual(events, [['ar-start', 'webxr', null], ['ar-end', 'webxr', null]]);
      assert.deepEqual(logs, []);
    } finally { await context.close(); }
  });
}

test('sand table: a lost GPU context ends the session, and the viewer draws again on a new one', async () => {
  const { page, context, logs } = await open();
  try {
    await enter(page);
    const restored = page.evaluate(() => new Promise((r) => document.getElementById('viewer').addEventListener('context-restored', (e) => r(e.detail), { once: true })));
    // The emulator shows the viewer's canvas while the session runs.
    await page.evaluate(() => window.__xr.appCanvas.getContext('webgl2').getExtension('WEBGL_lose_context').loseContext());
    assert.deepEqual(await restored, { backend: 'webgl2', lostBackend: 'webgl2' });
    await page.waitForFunction(() => !document.getElementById('viewer').dataset.ar && document.getElementById('viewer').dataset.state === 'ready');
    assert.equal(await page.evaluate(() => window.__xr.activeSession), undefined);
    assert.deepEqual(await page.evaluate(() => window.__events.filter((e) => e[0].startsWith('ar-')).map((e) => e[0])), ['ar-start', 'ar-end']);
    // The emulator's own frame loop reads the clear colour of the lost context (null) once; a
    // browser's XR runtime ends the session itself.
    assert.deepEqual(logs.filter((l) => !l.includes('iwer.min.js')), []);
  } finally { await context.close(); }
});

test('sand table with POIs alone (no model): the spots stand on the table', async () => {
  const { page, context } = await open({ src: '', pois: NINGBO });
  try {
    await page.waitForFunction(() => document.getElementById('viewer').poiList.length > 0);
    await enter(page);
    const t = await table(page);
    for (let i = 0; i < 3; i++) near(t.anchor[i], TABLE[i], 0.01, `anchor ${'xyz'[i]}`);
    await settle(page);
    const l = await labels(page);
    const shown = Object.entries(l);
    // Every spot is on the table: shown, or folded into a shown label's cluster (whose badge
    // counts it).
    const counts = await page.evaluate(() => [...document.getElementById('viewer').shadowRoot.querySelectorAll('.poi:not([hidden])')]
      .map((b) => (b.lastChild.hidden ? 1 : Number(b.lastChild.textContent))));
    const all = await page.evaluate(() => document.getElementById('viewer').poiList.length);
    assert.ok(shown.length >= 2, `labels shown: ${shown.length}`);
    assert.equal(counts.reduce((a, b) => a + b, 0), all, `cluster counts ${counts} for ${all} spots`);
    // Every label stands within the table-top square (0.6 m across, turned to face the phone)
    // round the anchor, as the projection of its corners bounds it on screen.
    const corners = [[-0.3, -0.3], [0.3, -0.3], [0.3, 0.3], [-0.3, 0.3]].map(([x, z]) => project([TABLE[0] + x, TABLE[1], TABLE[2] + z]));
    const [xs, ys] = [corners.map((c) => c[0]), corners.map((c) => c[1])];
    for (const [id, [x, y]] of shown) {
      assert.ok(x >= Math.min(...xs) - 2 && x <= Math.max(...xs) + 2 && y >= Math.min(...ys) - 2 && y <= Math.max(...ys) + 2, `${id} at ${x.toFixed(0)},${y.toFixed(0)} is off the table (${xs.map(Math.round)} / ${ys.map(Math.round)})`);
    }
    // Spread over it, not in a heap: the spots span most of the square's width.
    const spread = Math.max(...shown.map(([, p]) => p[0])) - Math.min(...shown.map(([, p]) => p[0]));
    assert.ok(spread > 0.4 * (Math.max(...xs) - Math.min(...xs)), `labels spread ${spread.toFixed(0)} px`);
  } finally { await context.close(); }
});

test('sand table: a session the browser refuses leaves the 3D view with a message; a hidden page ends a running one', async () => {
  const { page, context } = await open({ lang: 'zh' });
  try {
    // The phone's runtime refuses (as a denied camera permission would).
    await page.evaluate(() => { const x = navigator.xr; x.__request = x.requestSession; x.requestSession = () => Promise.reject(new DOMException('denied', 'NotAllowedError')); });
    assert.equal(await page.evaluate(() => document.getElementById('viewer').enterAR('webxr')), null);
    assert.deepEqual(await page.evaluate(() => window.__events.filter((e) => e[0] === 'ar-error')), [['ar-error', 'webxr', '3d']]);
    assert.match(await page.evaluate(() => document.getElementById('viewer').shadowRoot.querySelector('.notice').textContent), /AR 沙盘无法启动/);
    assert.equal(await page.evaluate(() => document.getElementById('viewer').dataset.state), 'ready');
    // Granted this time; then the page is hidden (the tourist switched apps): the session ends.
    await page.evaluate(() => { const x = navigator.xr; x.requestSession = x.__request; });
    await enter(page);
    assert.equal(await page.evaluate(() => document.getElementById('viewer').shadowRoot.querySelector('.ar-status').textContent), '轻点屏幕，把沙盘放在这里');
    await page.evaluate(() => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await page.waitForFunction(() => !document.getElementById('viewer').dataset.ar);
    assert.equal(await page.evaluate(() => window.__xr.activeSession), undefined);
  } finally { await context.close(); }
});
