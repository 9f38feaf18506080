// The mini-map (www/features/minimap.js, crate/src/web/minimap.rs) on the lakeside, both
// renderers: the top-down picture shows the lake where the generator put it and land around it,
// the POI dots sit at the POIs' places, the camera marker follows the camera, and a tap flies
// there. Places are computed here from the generator's scene and POI files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BASE, BACKENDS, launch } from './browser.mjs';

const POIS = JSON.parse(readFileSync(fileURLToPath(new URL('../../assets/lakeside-pois.geojson', import.meta.url)))).features.map((f) => ({ id: f.id, p: f.properties.position }));

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function open(backend) {
  const page = await browser.newPage({ viewport: { width: 480, height: 360 }, deviceScaleFactor: 1 });
  const logs = [];
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  await page.goto(`${BASE}/fidelity/?backend=${backend}&src=/assets/lakeside.glb&pois=/assets/lakeside-pois.geojson&lang=en`);
  await page.waitForFunction(() => document.getElementById('viewer').dataset.state === 'ready' && document.getElementById('viewer').poiList.length > 0, null, { timeout: 60000 });
  await page.evaluate(() => document.getElementById('viewer').setAttribute('minimap', ''));
  await page.waitForFunction(() => document.getElementById('viewer').shadowRoot.querySelector('.minimap')?.dataset.square, null, { timeout: 20000 });
  return { page, logs };
}

const map = (page) => page.evaluate(() => {
  const m = document.getElementById('viewer').shadowRoot.querySelector('.minimap');
  const r = m.getBoundingClientRect();
  return {
    rect: { x: r.left, y: r.top, w: r.width, h: r.height },
    square: m.dataset.square.split(',').map(Number),
    camera: m.dataset.camera.split(',').map(Number),
    dots: [...m.querySelectorAll('.dot')].map((d) => [Number(d.getAttribute('cx')), Number(d.getAttribute('cy'))]),
    hidden: m.hidden,
  };
});

for (const backend of BACKENDS) {
  test(`mini-map (${backend}): the lake in the middle, dots on the POIs, the camera marker, and a tap flies there`, async () => {
    const { page, logs } = await open(backend);
    let m = await map(page);
    assert.equal(m.hidden, false);
    const uv = ([x, , z]) => [(x - m.square[0]) / (m.square[2] - m.square[0]), (z - m.square[1]) / (m.square[3] - m.square[1])];
    // The generator's lake fills the basin round (0, 0): water is blue over green; the corners
    // (hills at ±110 m) are land.
    const lakeUv = uv([0, 0, -6]);
    const px = await page.evaluate(([u, v]) => { const c = document.getElementById('viewer').shadowRoot.querySelector('.minimap canvas'); return Array.from(c.getContext('2d').getImageData(Math.floor(u * c.width), Math.floor(v * c.height), 1, 1).data); }, lakeUv);
    assert.ok(px[2] > px[0] && px[2] > px[1] * 0.9, `the lake at the map's (${lakeUv}) is ${px}`);
    for (const [u, v] of [uv([-100, 0, -100]), uv([100, 0, 100])]) {
      const land = await page.evaluate(([u, v]) => { const c = document.getElementById('viewer').shadowRoot.querySelector('.minimap canvas'); return Array.from(c.getContext('2d').getImageData(Math.floor(u * c.width), Math.floor(v * c.height), 1, 1).data); }, [u, v]);
      assert.ok(land[1] > land[2] && land[1] > land[0], `land at (${u.toFixed(2)}, ${v.toFixed(2)}) is ${land}`);
    }
    // A dot per POI, where its position falls on the map.
    const want = POIS.map((q) => uv(q.p)).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const got = [...m.dots].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    assert.equal(got.length, want.length);
    got.forEach((d, i) => assert.ok(Math.hypot(d[0] - want[i][0], d[1] - want[i][1]) < 0.002, `dot ${d} for ${want[i]}`));
    // The marker is the camera's eye, computed from its orbit.
    const eyeUv = async () => {
      const o = await page.evaluate(() => document.getElementById('viewer').getCameraOrbit());
      const [y, p] = [o.yaw, o.pitch].map((d) => (d * Math.PI) / 180);
      return uv([o.target[0] + Math.sin(y) * Math.cos(p) * o.distance, 0, o.target[2] + Math.cos(y) * Math.cos(p) * o.distance]);
    };
    let e = await eyeUv();
    assert.ok(Math.hypot(m.camera[0] - e[0], m.camera[1] - e[1]) < 0.005, `marker ${m.camera} for the eye at ${e}`);
    // A tap on the pagoda's hill: the camera flies to look at the ground there (a map pixel is
    // about 2 m).
    const [tu, tv] = uv([40, 0, -60]);
    await page.mouse.click(m.rect.x + tu * m.rect.w, m.rect.y + tv * m.rect.h);
    await page.waitForFunction(([x, z]) => { const t = document.getElementById('viewer').getCameraOrbit().target; return Math.hypot(t[0] - x, t[2] - z) < 3; }, [40, -60], { timeout: 10000 });
    await page.waitForTimeout(300);
    m = await map(page);
    e = await eyeUv();
    assert.ok(Math.hypot(m.camera[0] - e[0], m.camera[1] - e[1]) < 0.005, `after the flight: marker ${m.camera} for the eye at ${e}`);
    assert.deepEqual(logs, []);
    await page.close();
  });
}

test('mini-map: the visitor (a position from the page) is a dot where the geo-reference puts them', async () => {
  const page = await browser.newPage({ viewport: { width: 480, height: 360 }, deviceScaleFactor: 1 });
  const [lon0, lat0] = [121.5445, 29.8705];
  await page.goto(`${BASE}/fidelity/?backend=webgl2&src=/assets/lakeside.glb&geo=${lon0},${lat0},0,0&lang=en`);
  await page.waitForFunction(() => document.getElementById('viewer').dataset.state === 'ready', null, { timeout: 60000 });
  await page.evaluate(() => document.getElementById('viewer').setAttribute('minimap', ''));
  await page.waitForFunction(() => document.getElementById('viewer').shadowRoot.querySelector('.minimap')?.dataset.square, null, { timeout: 20000 });
  assert.equal(await page.evaluate(() => document.getElementById('viewer').shadowRoot.querySelector('.minimap .visitor').hasAttribute('hidden')), true, 'no position yet: no dot');
  // 30 m east and 40 m north of the scene's origin (north is -z).
  const R = 6371008.8, rad = Math.PI / 180;
  const here = { longitude: lon0 + 30 / (R * Math.cos(lat0 * rad)) / rad, latitude: lat0 + 40 / R / rad, accuracy: 5 };
  await page.evaluate((p) => document.getElementById('viewer').setVisitorPosition(p), here);
  await page.waitForFunction(() => document.getElementById('viewer').shadowRoot.querySelector('.minimap').dataset.visitor, null, { timeout: 10000 });
  const m = await page.evaluate(() => { const b = document.getElementById('viewer').shadowRoot.querySelector('.minimap'); return { square: b.dataset.square.split(',').map(Number), visitor: b.dataset.visitor.split(',').map(Number) }; });
  const want = [(30 - m.square[0]) / (m.square[2] - m.square[0]), (-40 - m.square[1]) / (m.square[3] - m.square[1])];
  assert.ok(Math.hypot(m.visitor[0] - want[0], m.visitor[1] - want[1]) < 0.003, `visitor dot at ${m.visitor}, expected ${want}`);
  await page.close();
});
