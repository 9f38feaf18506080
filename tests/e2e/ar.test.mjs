// Location AR and the AR map (www/features/ar.js, crate/src/ar) in headless Chromium: the camera
// from Chromium's fake device, the position from the context's geolocation, the compass from
// DevTools' absolute-orientation sensor override (what `deviceorientationabsolute` reads). The
// expected places are computed here, independently, from the POIs' coordinates (great-circle
// bearing and distance), not read back from the viewer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BASE, BACKENDS, launch, eventually } from './browser.mjs';

const POIS = '/corpus/poi/ningbo/ningbo_scenic_spots.sourced.geojson';
const SPOTS = JSON.parse(readFileSync(fileURLToPath(new URL(`../../../shared${POIS}`, import.meta.url)))).features
  .filter((f) => f.geometry?.type === 'Point').map((f) => ({ id: String(f.id ?? f.properties.id), lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1] }));
// 300 m south of Tianyi Square, in the middle of the Ningbo spots.
const HERE = { longitude: 121.554, latitude: 29.866 };
const W = 360, H = 640, FOV = 65;
const FAKE_CAMERA = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];

let browser;
before(async () => { browser = await launch(FAKE_CAMERA); });
after(async () => { await browser?.close(); });

const rad = (d) => (d * Math.PI) / 180;
/** Initial great-circle bearing (degrees from north) and haversine distance (m). */
function bearingDistance(from, to) {
  const [p1, p2, dl] = [rad(from.latitude), rad(to.lat), rad(to.lon - from.longitude)];
  const b = (Math.atan2(Math.sin(dl) * Math.cos(p2), Math.cos(p1) * Math.sin(p2) - Math.sin(p1) * Math.cos(p2) * Math.cos(dl)) * 180) / Math.PI;
  const a = Math.sin((p2 - p1) / 2) ** 2 + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) ** 2;
  return { bearing: (b + 360) % 360, distance: 2 * 6371008.8 * Math.asin(Math.sqrt(a)) };
}

/** The absolute-orientation quaternion of a phone held upright, its camera facing `heading`:
 *  Rz(alpha)·Rx(90°) with alpha = -heading (the W3C angles turn counter-clockwise). */
function upright(heading) {
  const a = rad(-heading) / 2, s = Math.SQRT1_2;
  // (0, 0, sin a, cos a) × (s, 0, 0, s)
  return { x: Math.cos(a) * s, y: Math.sin(a) * s, z: Math.sin(a) * s, w: Math.cos(a) * s };
}

// Motion sensors granted as a tap on a phone grants them (DeviceOrientationEvent.requestPermission).
const MOTION = ['accelerometer', 'gyroscope', 'magnetometer'];

async function open({ backend = 'webgl2', permissions = ['geolocation', 'camera', ...MOTION], geolocation = { ...HERE, accuracy: 5 }, init, sensor = true, lang = 'en' } = {}) {
  const context = await browser.newContext({ viewport: { width: W, height: H }, deviceScaleFactor: 1, permissions, geolocation });
  const page = await context.newPage();
  const logs = [];
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  // Every camera stream the page opens, to check that its tracks are stopped.
  await page.addInitScript(() => {
    window.__streams = [];
    window.__events = [];
    const gum = navigator.mediaDevices?.getUserMedia?.bind(navigator.mediaDevices);
    if (gum) navigator.mediaDevices.getUserMedia = async (c) => { const s = await gum(c); window.__streams.push(s); return s; };
  });
  if (init) await page.addInitScript(init);
  const cdp = await context.newCDPSession(page);
  if (sensor) await cdp.send('Emulation.setSensorOverrideEnabled', { enabled: true, type: 'absolute-orientation' });
  const face = async (heading) => {
    await cdp.send('Emulation.setSensorOverrideReadings', { type: 'absolute-orientation', reading: { quaternion: upright(heading) } });
  };
  if (sensor) await face(0);
  await page.goto(`${BASE}/fidelity/?backend=${backend}&ar&lang=${lang}&pois=${encodeURIComponent(POIS)}`);
  // The sourced Ningbo spots lie up to ~35 km apart.
  await page.evaluate(() => document.getElementById('viewer').setAttribute('ar-max-distance', '60000'));
  await page.evaluate(({ W, H }) => {
    const v = document.getElementById('viewer');
    Object.assign(v.style, { width: `${W}px`, height: `${H}px` });
    for (const e of ['ar-start', 'ar-end', 'ar-error', 'ar-position', 'poi-load']) v.addEventListener(e, (ev) => window.__events.push([e, ev.detail]));
  }, { W, H });
  await page.waitForFunction(() => document.getElementById('viewer').dataset.state === 'ready' && document.getElementById('viewer').poiList.length > 0, null, { timeout: 60000 });
  return { page, context, face, logs };
}

/** Labels as the tourist sees them: id, where the anchor is (bottom centre; an arrow's centre),
 *  the distance shown, whether it is an arrow. */
function labels(page) {
  return page.evaluate(() => {
    const v = document.getElementById('viewer');
    const host = v.getBoundingClientRect();
    return [...v.shadowRoot.querySelectorAll('.poi')].filter((b) => !b.hidden).map((b) => {
      const r = b.getBoundingClientRect();
      const edge = b.hasAttribute('data-edge');
      return { id: b.dataset.id, x: r.left + r.width / 2 - host.left, y: (edge ? r.top + r.height / 2 : r.bottom) - host.top, edge, clustered: !b.querySelector('.count').hidden, dist: b.querySelector('.dist').textContent, meters: Number(b.dataset.distance), transform: b.style.transform, width: r.width };
    });
  });
}

/** The magnetic declination the viewer applies (the sensors give magnetic north): checked
 *  against NOAA's charts for Ningbo (about 6° west in 2025–2029), then used for true bearings. */
async function declination(page) {
  await page.waitForFunction(() => document.getElementById('viewer').arStatus?.declination != null, null, { timeout: 10000 });
  const d = await page.evaluate(() => document.getElementById('viewer').arStatus.declination);
  assert.ok(d > -7 && d < -5, `declination ${d}° is not Ningbo's`);
  return d;
}

/** Waits until the labels have glided to where the sensors say, and one more frame is drawn. */
async function settle(page) {
  await page.waitForTimeout(100);
  await page.waitForFunction(() => !document.getElementById('viewer').arStatus?.settling, null, { timeout: 5000 });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

for (const backend of BACKENDS) {
  test(`location AR (${backend}): the camera picture behind labels at their bearings for headings 0, 90, 180, 270`, async () => {
    const { page, context, face, logs } = await open({ backend });
    // As a tourist does: a tap on the toolbar's AR button (a real gesture: motion permission).
    await page.locator('#viewer .ar').click();
    await page.waitForFunction(() => document.getElementById('viewer').dataset.ar === 'location', null, { timeout: 10000 });
    assert.equal(await page.evaluate(() => document.getElementById('viewer').arMode), 'location', logs.join('\n'));
    // The fake camera plays behind the labels; the 3D canvas is out of the way.
    await page.waitForFunction(() => document.getElementById('viewer').shadowRoot.querySelector('.ar-video').videoWidth > 0);
    assert.equal(await page.evaluate(() => getComputedStyle(document.getElementById('viewer').shadowRoot.querySelector('canvas')).visibility), 'hidden');
    const half = Math.tan(rad(FOV) / 2) * (W / H);
    const D = await declination(page);
    let checked = 0;
    // The four compass points (true north), then facing each spot in turn (six around the city).
    const facing = SPOTS.map((s) => Math.round(bearingDistance(HERE, s).bearing));
    for (const heading of [0, 90, 180, 270, ...facing]) {
      // The compass reads magnetic north: the phone faces `heading` when it reads heading − D.
      await face(heading - D);
      await settle(page);
      const shown = await labels(page);
      assert.ok(shown.length > 0, `heading ${heading}: no labels`);
      for (const l of shown) {
        const spot = SPOTS.find((s) => s.id === l.id);
        const { bearing, distance } = bearingDistance(HERE, spot);
        const off = ((bearing - heading + 540) % 360) - 180;
        if (l.edge) {
          // An arrow on the side to turn to.
          assert.ok(Math.abs(off) > FOV / 4, `${l.id} at ${bearing.toFixed(1)}° is in view at heading ${heading} but shown as an arrow`);
          if (Math.abs(off) < 170) assert.equal(l.x > W / 2, off > 0, `${l.id}: arrow on the wrong side (heading ${heading}, bearing ${bearing.toFixed(1)})`);
          continue;
        }
        const want = (W / 2) * (1 + Math.tan(rad(off)) / half);
        assert.ok(Math.abs(l.x - want) < 4, `${l.id} at heading ${heading}: x ${l.x.toFixed(1)}, its bearing ${bearing.toFixed(1)}° puts it at ${want.toFixed(1)} (${l.transform}, ${l.width})`);
        assert.ok(Math.abs(l.meters - distance) < distance * 0.01 + 2, `${l.id}: ${l.meters} m shown, ${distance.toFixed(0)} m away`);
        assert.match(l.dist, /\d (m|km)$/);
        checked++;
      }
    }
    assert.ok(checked >= SPOTS.length, `only ${checked} labels were in view over ${4 + facing.length} headings`);
    const status = await page.evaluate(() => document.getElementById('viewer').shadowRoot.querySelector('.ar-status').textContent);
    assert.match(status, /Position ±\d+ m/);
    await page.evaluate(() => document.getElementById('viewer').exitAR());
    assert.equal(await page.evaluate(() => document.getElementById('viewer').dataset.ar), undefined);
    assert.deepEqual(await page.evaluate(() => window.__streams.flatMap((s) => s.getTracks().map((t) => t.readyState))), ['ended'], 'the camera is let go on exit');
    assert.deepEqual(logs, []);
    await context.close();
  });
}

test('location AR: moving updates distances and their order; a bad fix is ignored and said', async () => {
  const { page, context } = await open();
  await page.evaluate(() => document.getElementById('viewer').enterAR('map'));
  await settle(page);
  const order = (ls) => ls.filter((l) => !l.clustered).sort((a, b) => a.meters - b.meters).map((l) => l.id);
  const before = await labels(page);
  // 2 km north-west: another part of the city.
  const there = { longitude: 121.535, latitude: 29.88 };
  await context.setGeolocation({ ...there, accuracy: 5 });
  await page.waitForFunction(() => window.__events.filter((e) => e[0] === 'ar-position').length >= 2);
  await settle(page);
  const after = await labels(page);
  for (const l of after.filter((l) => !l.edge)) {
    const { distance } = bearingDistance(there, SPOTS.find((s) => s.id === l.id));
    assert.ok(Math.abs(l.meters - distance) < distance * 0.01 + 2, `${l.id}: ${l.meters} m shown, ${distance.toFixed(0)} m from the new position`);
  }
  assert.notDeepEqual(order(after), order(before), 'the nearest spots changed');
  // A fix of ±800 m (a phone indoors): nothing moves, and the visitor is told.
  await context.setGeolocation({ longitude: 121.6, latitude: 29.9, accuracy: 800 });
  await page.waitForFunction(() => window.__events.some((e) => e[0] === 'ar-position' && !e[1].accepted));
  await settle(page);
  const same = await labels(page);
  assert.deepEqual(same.map((l) => [l.id, l.meters]), after.map((l) => [l.id, l.meters]));
  const status = await page.evaluate(() => document.getElementById('viewer').shadowRoot.querySelector('.ar-status').textContent);
  assert.match(status, /±800 m position fix was ignored/);
  await context.close();
});

test('AR map: each POI on the dial at its bearing from the heading, the dial turning with the phone', async () => {
  const { page, context, face } = await open({ permissions: ['geolocation', ...MOTION] });
  assert.equal(await page.evaluate(() => document.getElementById('viewer').enterAR('map')), 'map');
  const D = await declination(page);
  for (const heading of [0, 90, 225]) {
    await face(heading - D);
    await settle(page);
    const shown = (await labels(page)).filter((l) => !l.edge);
    assert.ok(shown.length >= 3, `heading ${heading}: ${shown.length} labels`);
    for (const l of shown) {
      const { bearing } = bearingDistance(HERE, SPOTS.find((s) => s.id === l.id));
      const onScreen = ((Math.atan2(l.x - W / 2, -(l.y - H / 2)) * 180) / Math.PI + 360) % 360;
      const want = (bearing - heading + 360) % 360;
      const diff = Math.abs(((onScreen - want + 540) % 360) - 180);
      assert.ok(diff < 1.5, `heading ${heading}: ${l.id} at ${onScreen.toFixed(1)}° on the dial, bearing says ${want.toFixed(1)}°`);
    }
    const dial = Number(await page.evaluate(() => document.getElementById('viewer').shadowRoot.querySelector('.ar-map').dataset.heading));
    assert.ok(Math.abs(((dial - heading + 540) % 360) - 180) <= 1, `the dial shows ${dial}°, the phone faces ${heading}°`);
  }
  // Tap opens the card.
  const id = (await labels(page)).find((l) => !l.edge && !l.clustered).id;
  await page.evaluate((id) => document.getElementById('viewer').shadowRoot.querySelector(`.poi[data-id="${id}"]`).click(), id);
  assert.equal(await page.evaluate(() => !document.getElementById('viewer').shadowRoot.querySelector('.card').hidden), true);
  assert.deepEqual(await page.evaluate(() => window.__streams.length), 0, 'the map needs no camera');
  await context.close();
});

test('iOS: a relative alpha is corrected by webkitCompassHeading', async () => {
  const { page, context } = await open({ sensor: false });
  await page.evaluate(() => document.getElementById('viewer').enterAR('location'));
  // Safari's event: alpha relative to wherever the page started, plus the compass heading.
  const fire = (compass) => page.evaluate((compass) => {
    const e = new Event('deviceorientation');
    Object.defineProperties(e, { alpha: { value: 123 }, beta: { value: 90 }, gamma: { value: 0 }, absolute: { value: false }, webkitCompassHeading: { value: compass }, webkitCompassAccuracy: { value: 10 } });
    window.dispatchEvent(e);
  }, compass);
  const D = await declination(page);
  for (const compass of [40, 300]) {
    await fire(compass);
    await settle(page);
    const status = await page.evaluate(() => document.getElementById('viewer').arStatus);
    assert.equal(status.heading, 'reliable');
    const heading = compass + D; // webkitCompassHeading is magnetic
    assert.ok(Math.abs(((status.headingDeg - heading + 540) % 360) - 180) < 0.5, `compass ${compass}: heading ${status.headingDeg}`);
    const half = Math.tan(rad(FOV) / 2) * (W / H);
    for (const l of (await labels(page)).filter((l) => !l.edge)) {
      const { bearing } = bearingDistance(HERE, SPOTS.find((s) => s.id === l.id));
      const want = (W / 2) * (1 + Math.tan(rad(((bearing - heading + 540) % 360) - 180)) / half);
      assert.ok(Math.abs(l.x - want) < 4, `${l.id}: x ${l.x} vs ${want}`);
    }
  }
  // A poor compass accuracy asks for calibration.
  await page.evaluate(() => {
    const e = new Event('deviceorientation');
    Object.defineProperties(e, { alpha: { value: 0 }, beta: { value: 90 }, gamma: { value: 0 }, absolute: { value: false }, webkitCompassHeading: { value: 10 }, webkitCompassAccuracy: { value: -1 } });
    window.dispatchEvent(e);
  });
  await settle(page);
  assert.match(await page.evaluate(() => document.getElementById('viewer').shadowRoot.querySelector('.ar-status').textContent), /figure-eight/);
  await context.close();
});

/** WGS84 → GCJ-02, written here from the published algorithm (eviltransform), apart from
 *  crate/src/poi/geo.rs. */
function gcj02(lon, lat) {
  const a = 6378245.0, ee = 0.00669342162296594323;
  const x = lon - 105, y = lat - 35;
  let dLat = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  dLat += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
  dLat += ((20 * Math.sin(y * Math.PI) + 40 * Math.sin((y / 3) * Math.PI)) * 2) / 3;
  dLat += ((160 * Math.sin((y / 12) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30)) * 2) / 3;
  let dLon = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  dLon += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
  dLon += ((20 * Math.sin(x * Math.PI) + 40 * Math.sin((x / 3) * Math.PI)) * 2) / 3;
  dLon += ((150 * Math.sin((x / 12) * Math.PI) + 300 * Math.sin((x / 30) * Math.PI)) * 2) / 3;
  const r = rad(lat), m = 1 - ee * Math.sin(r) ** 2, s = Math.sqrt(m);
  return [lon + (dLon * 180) / ((a / s) * Math.cos(r) * Math.PI), lat + (dLat * 180) / (((a * (1 - ee)) / (m * s)) * Math.PI)];
}

test("WeChat: a GCJ-02 position from the page lands at its WGS84 place, and AR runs without the browser's", async () => {
  const { page, context } = await open({ permissions: [...MOTION] });
  const [lon, lat] = gcj02(HERE.longitude, HERE.latitude);
  assert.ok(Math.abs(lon - HERE.longitude) > 0.003, 'GCJ-02 is hundreds of metres off in Ningbo');
  await page.evaluate(([lon, lat]) => document.getElementById('viewer').setVisitorPosition({ longitude: lon, latitude: lat, accuracy: 8, crs: 'gcj02' }), [lon, lat]);
  assert.equal(await page.evaluate(() => document.getElementById('viewer').enterAR('map')), 'map');
  await page.waitForTimeout(500);
  const s = await page.evaluate(() => ({ status: document.getElementById('viewer').arStatus, ar: document.getElementById('viewer').dataset.ar }));
  assert.equal(s.ar, 'map', 'a refused browser position does not end AR when the page gives positions');
  const { distance } = bearingDistance(HERE, { lon: s.status.longitude, lat: s.status.latitude });
  assert.ok(distance < 1, `${distance.toFixed(2)} m from the WGS84 place`);
  // Leaving and coming back keeps the page's position (the page may have given it once).
  await page.evaluate(async () => { const v = document.getElementById('viewer'); v.exitAR(); await v.enterAR('map'); });
  assert.equal(await page.evaluate(() => document.getElementById('viewer').arStatus.position), true);
  await context.close();
});

test('a refused camera falls back to the AR map with a message, and no track is left open', async () => {
  const { page, context } = await open({
    init: () => { navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError')); },
  });
  assert.equal(await page.evaluate(() => document.getElementById('viewer').enterAR('location')), 'map');
  const v = await page.evaluate(() => {
    const v = document.getElementById('viewer');
    return { ar: v.dataset.ar, notice: v.shadowRoot.querySelector('.notice').textContent, error: window.__events.find((e) => e[0] === 'ar-error')?.[1] };
  });
  assert.equal(v.ar, 'map');
  assert.match(v.notice, /camera could not be opened/);
  assert.equal(v.error.fallback, 'map');
  assert.equal(v.error.reason, 'NotAllowedError');
  await context.close();
});

test('a refused position ends AR in the 3D view with a message; the camera is stopped', async () => {
  const { page, context } = await open({ permissions: ['camera', ...MOTION] });
  await page.evaluate(() => document.getElementById('viewer').enterAR('location'));
  await page.waitForFunction(() => window.__events.some((e) => e[0] === 'ar-error'));
  const v = await page.evaluate(() => {
    const v = document.getElementById('viewer');
    return { ar: v.dataset.ar ?? null, notice: v.shadowRoot.querySelector('.notice').textContent, error: window.__events.find((e) => e[0] === 'ar-error')[1], tracks: window.__streams.flatMap((s) => s.getTracks().map((t) => t.readyState)) };
  });
  assert.equal(v.ar, null);
  assert.equal(v.error.reason, 'geolocation-denied');
  assert.equal(v.error.fallback, '3d');
  assert.match(v.notice, /Location permission was refused/);
  assert.ok(v.tracks.every((t) => t === 'ended'), `tracks ${v.tracks}`);
  await context.close();
});

test('no compass: location AR falls back to a north-up map and says so', async () => {
  const { page, context } = await open({ sensor: false });
  await page.evaluate(() => document.getElementById('viewer').enterAR('location'));
  await page.waitForFunction(() => document.getElementById('viewer').dataset.ar === 'map', null, { timeout: 5000 });
  const v = await page.evaluate(() => ({ notice: document.getElementById('viewer').shadowRoot.querySelector('.notice').textContent, error: window.__events.find((e) => e[0] === 'ar-error')?.[1], tracks: window.__streams.flatMap((s) => s.getTracks().map((t) => t.readyState)) }));
  assert.match(v.notice, /No compass/);
  assert.equal(v.error.reason, 'no-orientation');
  assert.ok(v.tracks.every((t) => t === 'ended'), 'the camera is let go');
  await context.close();
});

test('a hidden page and a removed element let go of the camera', async () => {
  const { page, context } = await open();
  await page.evaluate(() => document.getElementById('viewer').enterAR('location'));
  await page.waitForFunction(() => window.__streams.length === 1 && window.__streams[0].active);
  await page.evaluate(() => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  assert.deepEqual(await page.evaluate(() => window.__streams[0].getTracks().map((t) => t.readyState)), ['ended']);
  await page.evaluate(() => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => false });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await page.waitForFunction(() => window.__streams.length === 2 && window.__streams[1].active);
  await page.evaluate(() => document.getElementById('viewer').remove());
  await page.waitForTimeout(100);
  assert.deepEqual(await page.evaluate(() => window.__streams.flatMap((s) => s.getTracks().map((t) => t.readyState))), ['ended', 'ended']);
  await context.close();
});

test('a wrong AR attribute is said in the page and AR keeps working with the default', async () => {
  const { page, context } = await open({ permissions: ['geolocation', ...MOTION] });
  const r = await page.evaluate(async () => {
    const v = document.getElementById('viewer');
    let warned = null;
    v.addEventListener('warning', (e) => { warned = e.detail.message; });
    v.setAttribute('ar-fov', 'wide');
    const mode = await v.enterAR('map');
    return { warned, mode, notice: v.shadowRoot.querySelector('.notice').textContent };
  });
  assert.match(r.warned, /ar-fov="wide" is not a number above 0/);
  assert.match(r.notice, /ar-fov="wide"/);
  assert.equal(r.mode, 'map');
  await context.close();
});

test('a page without AR does not fetch its code', async () => {
  const page = await browser.newPage();
  await page.goto(`${BASE}/fidelity/?backend=webgl2&pois=${encodeURIComponent(POIS)}`);
  await page.waitForFunction(() => document.getElementById('viewer').dataset.state === 'ready', null, { timeout: 60000 });
  const fetched = await page.evaluate(() => performance.getEntriesByType('resource').map((r) => r.name));
  assert.ok(fetched.some((f) => f.endsWith('/scenic-viewer.js')));
  for (const m of ['ar', 'sandtable']) assert.ok(!fetched.some((f) => f.endsWith(`/features/${m}.js`)), `features/${m}.js was fetched`);
  assert.equal(await page.evaluate(() => document.getElementById('viewer').shadowRoot.querySelector('.ar')), null, 'no AR button');
  await page.close();
});

test('POIs alone (no src) load, show in the 3D view, and AR needs a secure page', async () => {
  const { page, context } = await open();
  await page.waitForFunction(() => [...document.getElementById('viewer').shadowRoot.querySelectorAll('.poi')].some((b) => !b.hidden), null, { timeout: 5000 }).catch(() => {});
  const v = await page.evaluate(() => ({ state: document.getElementById('viewer').dataset.state, shown: [...document.getElementById('viewer').shadowRoot.querySelectorAll('.poi')].filter((b) => !b.hidden).length, button: document.getElementById('viewer').shadowRoot.querySelector('.ar').hidden }));
  assert.equal(v.state, 'ready');
  assert.ok(v.shown > 0, 'labels show in the 3D view around their own centre');
  assert.equal(v.button, false, 'the AR button shows with the ar attribute');
  // Reset goes back to the view that frames the POIs.
  const framed = await page.evaluate(() => document.getElementById('viewer').getCameraOrbit().distance);
  await page.mouse.move(180, 320);
  await page.mouse.wheel(0, 600);
  await eventually(page, (d) => document.getElementById('viewer').getCameraOrbit().distance > d * 1.2, framed);
  assert.ok(await page.evaluate(() => document.getElementById('viewer').getCameraOrbit().distance) > framed * 1.2, 'the wheel zoomed out');
  await page.evaluate(() => document.getElementById('viewer').resetView());
  await eventually(page, (d) => Math.abs(document.getElementById('viewer').getCameraOrbit().distance - d) < d * 0.01, framed);
  const back = await page.evaluate(() => document.getElementById('viewer').getCameraOrbit().distance);
  assert.ok(Math.abs(back - framed) < framed * 0.01, `reset: ${back} m, framed at ${framed} m`);
  await context.close();
  // The same page from a name that is not this machine: not a secure context.
  const insecure = await launch(['--host-resolver-rules=MAP scenic.test 127.0.0.1']);
  try {
    const p = await insecure.newPage();
    const port = new URL(BASE).port;
    await p.goto(`http://scenic.test:${port}/fidelity/?backend=webgl2&ar&pois=${encodeURIComponent(POIS)}`);
    await p.waitForFunction(() => document.getElementById('viewer').dataset.state === 'ready', null, { timeout: 60000 });
    const r = await p.evaluate(async () => {
      const v = document.getElementById('viewer');
      let error = null;
      v.addEventListener('ar-error', (e) => { error = e.detail; });
      const mode = await v.enterAR('location');
      return { mode, error, notice: v.shadowRoot.querySelector('.notice').textContent, secure: isSecureContext };
    });
    assert.equal(r.secure, false);
    assert.equal(r.mode, null);
    assert.equal(r.error.reason, 'insecure');
    assert.match(r.notice, /secure \(https\)/);
  } finally {
    await insecure.close();
  }
});
