// 360° panoramas (www/features/panorama.js, crate/src/panorama, crate/src/web/panorama.rs) in
// headless Chromium, both renderers. The photos are made here: equirectangular PNGs with a colour
// per direction, so the pixel in the middle of the view says which way the viewer looks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync, crc32 } from 'node:zlib';
import { BASE, BACKENDS, launch, pixels, at } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

function png(w, h, rgbAt) {
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0;
    for (let x = 0; x < w; x++) raw.set(rgbAt(x / w, y / h), y * (w * 3 + 1) + 1 + x * 3);
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 2;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

// Columns clockwise from the back (u 0 = yaw -180): ahead red, right green, behind blue, left
// yellow; the sky white and the ground black.
const COLOURS = { ahead: [255, 0, 0], right: [0, 200, 0], behind: [0, 0, 255], left: [255, 220, 0], up: [255, 255, 255], down: [0, 0, 0] };
function compass(u, v) {
  if (v < 0.15) return COLOURS.up;
  if (v > 0.85) return COLOURS.down;
  const yaw = u * 360 - 180;
  if (Math.abs(yaw) < 45) return COLOURS.ahead;
  if (yaw >= 45 && yaw < 135) return COLOURS.right;
  if (yaw <= -45 && yaw > -135) return COLOURS.left;
  return COLOURS.behind;
}
const PHOTOS = { '/pano/compass.png': png(512, 256, compass), '/pano/green.png': png(512, 256, () => [40, 160, 60]), '/pano/square.png': png(256, 256, () => [0, 0, 0]) };

async function open(backend) {
  const page = await browser.newPage({ viewport: { width: 320, height: 240 }, deviceScaleFactor: 1 });
  const logs = [];
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  await page.route('**/pano/*', (route) => {
    const body = PHOTOS[new URL(route.request().url()).pathname];
    return body ? route.fulfill({ status: 200, contentType: 'image/png', body }) : route.fulfill({ status: 404, body: 'no' });
  });
  await page.goto(`${BASE}/fidelity/?backend=${backend}&size=240&src=/assets/lakeside.glb&pois=/assets/lakeside-pois.geojson&lang=en`);
  await page.waitForFunction(() => document.getElementById('viewer').dataset.state === 'ready' && document.getElementById('viewer').poiList.length > 0, null, { timeout: 60000 });
  await page.evaluate(() => {
    window.__events = [];
    const v = document.getElementById('viewer');
    for (const e of ['panorama-enter', 'panorama-exit', 'panorama-error', 'warning']) v.addEventListener(e, (ev) => window.__events.push([e, ev.detail]));
  });
  const info = await page.evaluate(() => document.getElementById('viewer').setPanoramas([
    { id: 'shore', image: '/pano/compass.png', position: [-40, 6.5, 60], heading: 0, name: { en: 'West shore' },
      hotspots: [{ yaw: 90, pitch: 0, panorama: 'hill', label: { en: '<img src=x onerror="window.__pwned=1">' } }, { yaw: -90, poi: 'museum', label: 'Museum' }] },
    { id: 'hill', image: '/pano/green.png', poi: 'overlook', heading: 0 },
    { id: 'missing', image: '/pano/nothing.jpg', position: [0, 5, 0] },
    { id: 'square', image: '/pano/square.png', position: [0, 5, 0] },
    { id: 'evil', image: 'javascript:alert(1)', position: [0, 5, 0] },
  ]));
  return { page, logs, info };
}

/** Drags 60 px sideways from a point where nothing but the canvas is (labels and buttons take
 *  their own presses). */
async function drag(page, dx) {
  const [x, y] = await page.evaluate(() => {
    const v = document.getElementById('viewer');
    for (let y = 40; y < 200; y += 10) for (let x = 70; x < 170; x += 10) if (v.shadowRoot.elementFromPoint(x, y)?.tagName === 'CANVAS') return [x, y];
    return [120, 120];
  });
  await page.mouse.move(x, y); await page.mouse.down(); await page.mouse.move(x + dx, y, { steps: 5 }); await page.mouse.up();
}

const near = (px, c, tol = 40) => c.every((v, i) => Math.abs(px[i] - v) <= tol);

for (const backend of BACKENDS) {
  test(`panorama (${backend}): steps in from the 3D view; each direction shows its colour; a hotspot leads to the next; Back to 3D returns`, async () => {
    const { page, logs, info } = await open(backend);
    assert.deepEqual(info.panoramas, ['shore', 'hill', 'missing', 'square']);
    assert.match(info.skipped[0], /evil: the image must be an http\(s\) or relative URL/);
    const before = await page.evaluate(() => document.getElementById('viewer').getCameraOrbit());
    assert.equal(await page.evaluate(() => document.getElementById('viewer').enterPanorama('shore')), 'shore');
    assert.equal(await page.evaluate(() => document.getElementById('viewer').dataset.panorama), 'shore');
    // The middle of the view in each direction (a narrow field of view: one colour fills it).
    for (const [yaw, pitch, colour] of [[0, 0, 'ahead'], [90, 0, 'right'], [180, 0, 'behind'], [270, 0, 'left'], [30, 80, 'up'], [200, -80, 'down']]) {
      await page.evaluate(([y, p]) => document.getElementById('viewer').setPanoramaView({ yaw: y, pitch: p, fov: 30 }), [yaw, pitch]);
      const img = await pixels(page);
      const px = at(img, 0.5, 0.5);
      assert.ok(near(px, COLOURS[colour]), `looking ${yaw}°, ${pitch}°: ${px} is not ${colour} ${COLOURS[colour]}`);
    }
    // Dragging looks round: a drag to the left turns the view right (the photo follows the finger).
    await page.evaluate(() => document.getElementById('viewer').setPanoramaView({ yaw: 0, pitch: 0, fov: 70 }));
    await drag(page, -60);
    const view = await page.evaluate(() => document.getElementById('viewer').getPanoramaView());
    assert.ok(view.yaw > 10 && view.yaw < 90, `yaw after the drag: ${view.yaw}`);
    // The hotspot to "hill" sits at yaw 90: facing it, it is in the middle; its label is text.
    await page.evaluate(() => document.getElementById('viewer').setPanoramaView({ yaw: 90, pitch: 0, fov: 70 }));
    const hs = await page.evaluate(() => {
      const v = document.getElementById('viewer');
      const b = v.shadowRoot.querySelector('.hotspot[data-to="panorama:hill"]');
      const r = b.getBoundingClientRect(), h = v.getBoundingClientRect();
      return { hidden: b.hidden, x: (r.left + r.width / 2 - h.left) / h.width, y: (r.top + r.height / 2 - h.top) / h.height, text: b.textContent, imgs: v.shadowRoot.querySelectorAll('.pano-layer img').length };
    });
    assert.ok(!hs.hidden && Math.abs(hs.x - 0.5) < 0.03 && Math.abs(hs.y - 0.5) < 0.03, JSON.stringify(hs));
    assert.equal(hs.text, '<img src=x onerror="window.__pwned=1">');
    assert.equal(hs.imgs, 0);
    // The museum hotspot (yaw -90) is behind: hidden.
    assert.equal(await page.evaluate(() => document.getElementById('viewer').shadowRoot.querySelector('.hotspot[data-to="poi:museum"]').hidden), true);
    await page.locator('#viewer .hotspot[data-to="panorama:hill"]').click();
    await page.waitForFunction(() => document.getElementById('viewer').dataset.panorama === 'hill');
    assert.ok(near(at(await pixels(page), 0.5, 0.5), [40, 160, 60]), 'the hill panorama is shown');
    // Back to 3D: flown back to the view left.
    await page.locator('#viewer .pano-back').click();
    assert.equal(await page.evaluate(() => 'panorama' in document.getElementById('viewer').dataset), false);
    await page.waitForFunction((o) => { const c = document.getElementById('viewer').getCameraOrbit(); return Math.abs(c.distance - o.distance) < 1e-3 && Math.abs(c.yaw - o.yaw) < 1e-3; }, before, { timeout: 10000 });
    const events = await page.evaluate(() => window.__events.map(([e, d]) => `${e} ${d.id ?? ''}`));
    assert.deepEqual(events.filter((e) => e.startsWith('panorama')), ['panorama-enter shore', 'panorama-enter hill', 'panorama-exit hill']);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.deepEqual(logs, []);
    await page.close();
  });
}

// Multi-resolution cube tiles (Pannellum's multiRes): 1024-pixel faces of 128-pixel tiles,
// levels 1–4 (1, 2, 4 and 8 tiles across a face). Each tile is one colour: red says its face,
// green its level, so the middle pixel says which tile is drawn there.
const FACES = 'frblud';
const tileColour = (level, face) => [FACES.indexOf(face) * 50, (level - 1) * 80, 128];
const TILED = { basePath: '/tiles/t', path: '/%l/%s%y_%x', extension: 'png', tileResolution: 128, maxLevel: 4, cubeResolution: 1024 };

async function openTiled(backend) {
  const page = await browser.newPage({ viewport: { width: 320, height: 240 }, deviceScaleFactor: 1 });
  const logs = [], requested = [];
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  await page.route('**/tiles/**', (route) => {
    const path = new URL(route.request().url()).pathname;
    const m = /^\/tiles\/t\/(\d)\/([frblud])(\d+)_(\d+)\.png$/.exec(path);
    if (!m) return route.fulfill({ status: 404, body: 'no' });
    const [level, face, y, x] = [Number(m[1]), m[2], Number(m[3]), Number(m[4])];
    requested.push({ level, face, x, y });
    // The left face's level 3 is missing on the server.
    if (level === 3 && face === 'l') return route.fulfill({ status: 404, body: 'no' });
    const size = Math.min(128, (1024 >> (4 - level)));
    return route.fulfill({ status: 200, contentType: 'image/png', body: png(size, size, () => tileColour(level, face)) });
  });
  await page.goto(`${BASE}/fidelity/?backend=${backend}&size=240&src=/assets/lakeside.glb&lang=en`);
  await page.waitForFunction(() => document.getElementById('viewer').dataset.state === 'ready', null, { timeout: 60000 });
  await page.evaluate(() => {
    window.__events = [];
    const v = document.getElementById('viewer');
    for (const e of ['panorama-error', 'warning']) v.addEventListener(e, (ev) => window.__events.push([e, ev.detail]));
  });
  const info = await page.evaluate((t) => document.getElementById('viewer').setPanoramas([
    { id: 'tiled', multiRes: t, position: [0, 5, 0] },
    { id: 'gone', multiRes: { ...t, basePath: '/tiles/none' }, position: [0, 5, 0] },
    { id: 'bad', multiRes: { ...t, path: '/%l/%s' }, position: [0, 5, 0] },
  ]), TILED);
  return { page, logs, requested, info };
}

/** Waits until no tile has been asked for in 500 ms. */
async function settle(page, requested) {
  let n = -1;
  while (n !== requested.length) { n = requested.length; await page.waitForTimeout(500); }
}

/** Waits until the middle of the view shows `colour`; returns the last pixel seen. */
async function waitMiddle(page, colour, ms = 8000) {
  const until = Date.now() + ms;
  let px;
  do {
    px = at(await pixels(page), 0.5, 0.5);
    if (near(px, colour, 24)) return px;
    await page.waitForTimeout(100);
  } while (Date.now() < until);
  return px;
}

for (const backend of BACKENDS) {
  test(`panorama (${backend}): a tiled panorama fetches its lowest level, then only the tiles in view at the level the view needs`, async () => {
    const { page, logs, requested, info } = await openTiled(backend);
    assert.deepEqual(info.panoramas, ['tiled', 'gone']);
    assert.match(info.skipped[0], /bad: multiRes\.path: %x is missing/);
    // Stepped in from an orbit facing -Z, the panorama opens looking at its front face.
    await page.evaluate(() => { document.getElementById('viewer').cameraOrbit = '0deg 20deg 40m'; });
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => document.getElementById('viewer').enterPanorama('tiled')), 'tiled');
    assert.ok(Math.abs(((await page.evaluate(() => document.getElementById('viewer').getPanoramaView())).yaw + 180) % 360 - 180) < 1);
    // Before anything else, the six faces of level 1 (nothing is blank while turning).
    assert.deepEqual(requested.slice(0, 6).map((t) => `${t.level}${t.face}`).sort(), ['1b', '1d', '1f', '1l', '1r', '1u']);
    // Looking ahead at 70° on a 240-pixel view: 171 screen px per radian, so level 3 (256), not
    // level 2 (128) nor 4; of the front and its neighbours only, never the back.
    await page.evaluate(() => document.getElementById('viewer').setPanoramaView({ yaw: 0, pitch: 0, fov: 70 }));
    let px = await waitMiddle(page, tileColour(3, 'f'));
    assert.ok(near(px, tileColour(3, 'f'), 24), `ahead: ${px} is not level 3 of the front ${tileColour(3, 'f')}`);
    const upper = () => requested.filter((t) => t.level > 1);
    assert.ok(upper().length > 0 && upper().every((t) => t.level === 3 && t.face !== 'b'), JSON.stringify(upper()));
    assert.ok(upper().filter((t) => t.face === 'f').length <= 16 && upper().length < 40, `${upper().length} of the 96 tiles of level 3`);
    // Turning round: the back's level 3 comes, and only now.
    await settle(page, requested);
    const n = requested.length;
    await page.evaluate(() => document.getElementById('viewer').setPanoramaView({ yaw: 180, pitch: 0, fov: 70 }));
    px = await waitMiddle(page, tileColour(3, 'b'));
    assert.ok(near(px, tileColour(3, 'b'), 24), `behind: ${px}`);
    assert.ok(requested.slice(n).some((t) => t.face === 'b') && requested.slice(n).every((t) => t.level === 3 && t.face !== 'f'), JSON.stringify(requested.slice(n)));
    // Zooming in to 25°: level 4, a few tiles round the middle of the back face.
    await settle(page, requested);
    const m = requested.length;
    await page.evaluate(() => document.getElementById('viewer').setPanoramaView({ yaw: 180, pitch: 0, fov: 25 }));
    px = await waitMiddle(page, tileColour(4, 'b'));
    assert.ok(near(px, tileColour(4, 'b'), 24), `zoomed: ${px}`);
    const zoomed = requested.slice(m);
    assert.ok(zoomed.length >= 1 && zoomed.length <= 16 && zoomed.every((t) => t.level === 4 && t.face === 'b' && t.x >= 2 && t.x <= 5 && t.y >= 2 && t.y <= 5), JSON.stringify(zoomed));
    // A tile the server lacks: said once; the lower level stays drawn there.
    await page.evaluate(() => document.getElementById('viewer').setPanoramaView({ yaw: 270, pitch: 0, fov: 70 }));
    await page.waitForFunction(() => window.__events.some(([e, d]) => e === 'warning' && /tile/.test(d.message)), null, { timeout: 8000 });
    px = await waitMiddle(page, tileColour(1, 'l'));
    assert.ok(near(px, tileColour(1, 'l'), 24), `a missing tile leaves level 1: ${px}`);
    await page.waitForTimeout(500);
    const warnings = await page.evaluate(() => window.__events.filter(([e, d]) => e === 'warning' && /tile/.test(d.message)).map(([, d]) => d.message));
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.match(String(warnings[0]), /a tile could not be loaded.*\/tiles\/t\/3\/l.*404/);
    assert.ok(requested.every((t) => t.level !== 2), 'level 2 is never the one needed');
    assert.equal(requested.filter((t) => t.level === 3 && t.face === 'l').length, new Set(requested.filter((t) => t.level === 3 && t.face === 'l').map((t) => `${t.x},${t.y}`)).size, 'a failed tile is not asked for again');
    assert.deepEqual(logs, []);
    await page.close();
  });
}

test('panorama: a tiled panorama whose lowest level cannot be fetched is said and the 3D view stays', async () => {
  const { page, logs } = await openTiled('webgl2');
  assert.equal(await page.evaluate(() => document.getElementById('viewer').enterPanorama('gone')), null);
  const err = (await page.evaluate(() => window.__events.filter(([e]) => e === 'panorama-error')))[0][1];
  assert.equal(err.id, 'gone');
  assert.match(err.message, /Could not load the panorama: .*\/tiles\/none\/1\/.*404/);
  assert.equal(await page.evaluate(() => document.getElementById('viewer').panorama), null);
  assert.deepEqual(logs, []);
  await page.close();
});

test('panorama: a missing photo and a photo that is not 2:1 are said and the 3D view stays; a POI card offers its panorama', async () => {
  const { page } = await open('webgl2');
  assert.equal(await page.evaluate(() => document.getElementById('viewer').enterPanorama('missing')), null);
  let err = (await page.evaluate(() => window.__events.filter(([e]) => e === 'panorama-error')))[0][1];
  assert.match(err.message, /Could not load the panorama: .*404/);
  assert.equal(await page.evaluate(() => document.getElementById('viewer').enterPanorama('square')), null);
  err = (await page.evaluate(() => window.__events.filter(([e]) => e === 'panorama-error')))[1][1];
  assert.match(err.message, /twice as wide as it is high, not 256 × 256/);
  assert.equal(await page.evaluate(() => document.getElementById('viewer').panorama), null);
  // Still the 3D view: a drag orbits.
  const a = await page.evaluate(() => document.getElementById('viewer').getCameraOrbit());
  await drag(page, 60);
  await page.waitForTimeout(300);
  assert.notEqual((await page.evaluate(() => document.getElementById('viewer').getCameraOrbit())).yaw.toFixed(2), a.yaw.toFixed(2));
  // The overlook's card has a "360°" button that opens the hill panorama.
  await page.evaluate(() => document.getElementById('viewer').selectPoi('overlook'));
  await page.locator('#viewer .card .pano').click();
  await page.waitForFunction(() => document.getElementById('viewer').dataset.panorama === 'hill', null, { timeout: 15000 });
  await page.close();
});

test('panorama: a page that stops drawing frames is told after 10 s of waiting, not left silent; the view is usable again', async () => {
  const { page, logs } = await open('webgl2');
  // As Firefox did with a WebGPU device destroyed mid-frame: the frames asked for do not run
  // (held here, to be let go afterwards).
  await page.evaluate(() => { window.__raf = window.requestAnimationFrame; window.__held = []; window.requestAnimationFrame = (cb) => (window.__held.push(cb), 0); });
  const began = Date.now();
  assert.equal(await page.evaluate(() => document.getElementById('viewer').enterPanorama('shore')), null);
  assert.ok(Date.now() - began >= 9500, `gave up after ${Date.now() - began} ms`);
  const err = (await page.evaluate(() => window.__events.filter(([e]) => e === 'panorama-error')))[0][1];
  assert.equal(err.id, 'shore');
  assert.match(err.message, /^Could not load the panorama: the view did not get there in 10 s \(no frames were drawn\)$/);
  assert.match(await page.evaluate(() => document.getElementById('viewer').shadowRoot.querySelector('.notice').textContent), /did not get there/);
  assert.equal(await page.evaluate(() => document.getElementById('viewer').panorama), null);
  assert.equal(await page.evaluate(() => document.getElementById('viewer').dataset.panorama), undefined);
  // Frames again: the same panorama opens.
  await page.evaluate(() => { window.requestAnimationFrame = window.__raf; for (const cb of window.__held) requestAnimationFrame(cb); });
  assert.equal(await page.evaluate(() => document.getElementById('viewer').enterPanorama('shore')), 'shore');
  assert.deepEqual(logs, []);
  await page.close();
});

test('panorama: the lakeside demo panoramas open from the list file, sky above and ground below, linked to each other', async () => {
  const page = await browser.newPage({ viewport: { width: 320, height: 240 }, deviceScaleFactor: 1 });
  await page.goto(`${BASE}/fidelity/?backend=webgl2&size=240&src=/assets/lakeside.glb&pois=/assets/lakeside-pois.geojson&lang=zh`);
  await page.waitForFunction(() => document.getElementById('viewer').dataset.state === 'ready' && document.getElementById('viewer').poiList.length > 0, null, { timeout: 60000 });
  const loaded = await page.evaluate(() => new Promise((resolve) => {
    const v = document.getElementById('viewer');
    v.addEventListener('panorama-load', (e) => resolve(e.detail), { once: true });
    v.setAttribute('panoramas', '/assets/lakeside-panoramas.json');
  }));
  assert.deepEqual(loaded, { panoramas: ['shore', 'hill'], skipped: [] });
  // Its photos are relative to the list file.
  assert.equal(await page.evaluate(() => document.getElementById('viewer').enterPanorama('shore')), 'shore');
  await page.evaluate(() => document.getElementById('viewer').setPanoramaView({ yaw: 0, pitch: 80, fov: 30 }));
  const up = at(await pixels(page), 0.5, 0.5);
  await page.evaluate(() => document.getElementById('viewer').setPanoramaView({ yaw: 0, pitch: -80, fov: 30 }));
  const down = at(await pixels(page), 0.5, 0.5);
  assert.ok(up[2] > up[0] && up[2] > up[1], `sky above: ${up}`);
  assert.ok(down[1] > down[2] && down[1] > down[0], `ground below: ${down}`);
  const labels = await page.evaluate(() => [...document.getElementById('viewer').shadowRoot.querySelectorAll('.hotspot')].map((b) => b.textContent));
  assert.deepEqual(labels, ['去观景台', '湖心亭']);
  assert.equal(await page.evaluate(() => document.getElementById('viewer').shadowRoot.querySelector('.pano-back').textContent), '返回三维');
  // The hill is tiled (assets/pano-hill/): sky above and ground below too, from tiles of the
  // demo's own folder.
  assert.equal(await page.evaluate(() => document.getElementById('viewer').enterPanorama('hill')), 'hill');
  await page.evaluate(() => document.getElementById('viewer').setPanoramaView({ yaw: 0, pitch: 80, fov: 30 }));
  await page.waitForTimeout(500);
  const hillUp = at(await pixels(page), 0.5, 0.5);
  await page.evaluate(() => document.getElementById('viewer').setPanoramaView({ yaw: 0, pitch: -80, fov: 30 }));
  await page.waitForTimeout(500);
  const hillDown = at(await pixels(page), 0.5, 0.5);
  assert.ok(hillUp[2] > hillUp[0] && hillUp[2] > hillUp[1], `hill, sky above: ${hillUp}`);
  assert.ok(hillDown[1] > hillDown[2] && hillDown[1] > hillDown[0], `hill, ground below: ${hillDown}`);
  const tiles = await page.evaluate(() => performance.getEntriesByType('resource').map((r) => new URL(r.name).pathname).filter((p) => p.includes('/pano-hill/')));
  assert.ok(tiles.filter((p) => p.includes('/pano-hill/1/')).length === 6 && tiles.length < 30, JSON.stringify(tiles));
  await page.close();
});

test('panorama: gyro look turns the photo with the phone', async () => {
  const context = await browser.newContext({ viewport: { width: 320, height: 240 }, deviceScaleFactor: 1, permissions: ['accelerometer', 'gyroscope', 'magnetometer'] });
  const page = await context.newPage();
  await page.route('**/pano/*', (route) => route.fulfill({ status: 200, contentType: 'image/png', body: PHOTOS['/pano/compass.png'] }));
  const cdp = await context.newCDPSession(page);
  const types = ['relative-orientation', 'absolute-orientation'];
  for (const type of types) await cdp.send('Emulation.setSensorOverrideEnabled', { enabled: true, type });
  // Upright, facing `heading` (Rz(-heading)·Rx(90°), as in ar.test.mjs).
  const face = async (heading) => {
    const a = (-heading * Math.PI) / 360, s = Math.SQRT1_2;
    for (const type of types) await cdp.send('Emulation.setSensorOverrideReadings', { type, reading: { quaternion: { x: Math.cos(a) * s, y: Math.sin(a) * s, z: Math.sin(a) * s, w: Math.cos(a) * s } } });
    await page.waitForTimeout(400);
  };
  await face(0);
  await page.goto(`${BASE}/fidelity/?backend=webgl2&size=240&src=/assets/lakeside.glb&lang=en`);
  await page.waitForFunction(() => document.getElementById('viewer').dataset.state === 'ready', null, { timeout: 60000 });
  await page.evaluate(() => document.getElementById('viewer').setPanoramas([{ id: 'c', image: '/pano/compass.png', position: [0, 5, 0] }]));
  assert.equal(await page.evaluate(() => document.getElementById('viewer').enterPanorama('c')), 'c');
  await page.evaluate(() => document.getElementById('viewer').setPanoramaView({ yaw: 0, pitch: 0, fov: 30 }));
  await page.locator('#viewer .gyro-button').click();
  await face(0);
  assert.ok(near(at(await pixels(page), 0.5, 0.5), COLOURS.ahead), 'gyro on: still looking ahead');
  await face(90);
  const v = await page.evaluate(() => document.getElementById('viewer').getPanoramaView());
  assert.ok(Math.abs(v.yaw - 90) < 1 && Math.abs(v.pitch) < 1, JSON.stringify(v));
  assert.ok(near(at(await pixels(page), 0.5, 0.5), COLOURS.right), 'a quarter turn right shows the right');
  await context.close();
});
