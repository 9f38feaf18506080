// 3D Tiles on the generated terrain (`cargo xtask gen-tiles`, made by the test command into
// target/test-content/terrain: a 6-level quadtree of 1,365 GLB tiles, 21M triangles at full
// detail), both renderers: descending over the town fetches finer levels step by step, down to
// the leaves under the camera and no others; the buildings are drawn; backing out under a small
// budget frees what is not drawn, and GPU and wasm memory stay bounded; walk mode stands and
// runs on the tiles. (Holes while streaming
// are judged on the saturated quadtree of tiles.test.mjs.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, BACKENDS, launch, pixels, fraction } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const TERRAIN = '/generated/terrain/tileset.json';
const MiB = 1024 * 1024;
/** Roofs: red-brown, unlike grass, rock, snow, streets and walls. */
const roof = ([r, g, b]) => r > g + 40 && r > b + 50;

for (const backend of BACKENDS) {
  test(`tiles (${backend}): the generated terrain streams finer levels on the way down to the town, and frees them on the way out`, async () => {
    const page = await browser.newPage({ viewport: { width: 256, height: 256 }, deviceScaleFactor: 1 });
    const logs = [];
    page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
    const fetched = [];
    page.on('request', (r) => { const m = /\/t\/(\d)\/(\d+)_(\d+)\.glb$/.exec(new URL(r.url()).pathname); if (m) fetched.push(m.slice(1).map(Number)); });
    await page.goto(`${BASE}/fidelity/blank.html`);
    await page.evaluate(async ({ backend, tiles }) => {
      await import('/scenic-viewer.js');
      const v = document.createElement('scenic-viewer');
      v.id = 'viewer';
      v.style.cssText = 'display:block;width:256px;height:256px';
      v.setAttribute('backend', backend);
      v.setAttribute('camera-target', '0 20 0');
      v.setAttribute('camera-orbit', '0deg 89deg 3000m');
      v.setAttribute('tiles-budget', '64');
      v.setAttribute('tiles', tiles);
      document.body.append(v);
    }, { backend, tiles: TERRAIN });
    const info = () => page.evaluate(() => document.getElementById('viewer').tilesInfo());
    // Settled: for five animation frames in a row after the camera moved, nothing wanted,
    // pending or streaming (a view that needs nothing new fires no second tiles-ready).
    const settle = async (orbit) => {
      await page.evaluate((o) => { window.__quiet = 0; if (o) document.getElementById('viewer').cameraOrbit = o; }, orbit);
      await page.waitForFunction(() => {
        const v = document.getElementById('viewer'), t = v.tilesInfo();
        window.__quiet = t && t.wanted === 0 && t.pending === 0 && !v.hasAttribute('data-tiles-streaming') ? window.__quiet + 1 : 0;
        return window.__quiet >= 5;
      }, null, { timeout: 90000, polling: 'raf' }).catch(async (e) => { throw new Error(`${orbit}: ${JSON.stringify(await info())}, ${fetched.length} fetched: ${e.message}`); });
      return info();
    };
    try {
      let i = await settle();
      assert.equal(i.tiles, 1365);
      const deepest = () => Math.max(...fetched.map((f) => f[0]));
      assert.ok(deepest() <= 2, `from 3 km only coarse levels: ${JSON.stringify(fetched)}`);
      // Down over the town's centre (where four leaves meet): each step fetches finer tiles.
      const levels = [deepest()];
      for (const d of [1500, 700, 300, 120]) {
        i = await settle(`0deg 89deg ${d}m`);
        levels.push(deepest());
      }
      assert.ok(levels.every((l, k) => k === 0 || l >= levels[k - 1]) && levels.at(-1) === 5 && levels[0] < levels.at(-1), `levels by step: ${levels}`);
      // The leaves fetched are those under the camera, not the 1,020 others.
      const leaves = fetched.filter((f) => f[0] === 5);
      assert.ok(leaves.length >= 1 && leaves.every(([, x, y]) => x >= 15 && x <= 16 && y >= 15 && y <= 16), JSON.stringify(leaves));
      assert.ok(fetched.length < 60, `${fetched.length} tiles fetched`);
      const img = await pixels(page);
      console.log(`${backend}: roofs ${fraction(img, roof).toFixed(4)} of the frame from 120 m`);
      assert.ok(fraction(img, roof) > 0.08, `the town's roofs are drawn: ${fraction(img, roof)}`);
      const zoomedIn = i.loaded;
      // Out again under an 8 MiB budget: what the view no longer draws is freed.
      await page.evaluate(() => document.getElementById('viewer').setAttribute('tiles-budget', '8'));
      i = await settle('0deg 89deg 3000m');
      await page.waitForFunction(() => { const t = document.getElementById('viewer').tilesInfo(); return t.bytes <= 8 * 1024 * 1024 || t.loaded === t.drawn; }, null, { timeout: 30000 });
      i = await info();
      assert.ok(i.loaded < zoomedIn && i.bytes <= 8 * MiB, `freed: ${zoomedIn} → ${JSON.stringify(i)}`);
      const stats = await page.evaluate(() => customElements.get('scenic-viewer').gpuStats());
      assert.ok(stats.sceneBytes <= 8 * MiB, `GPU bytes under the budget: ${JSON.stringify(stats)}`);
      // wasm memory holds no tile once it is on the GPU: a few MB after streaming ~50 MB of tiles.
      assert.ok(stats.wasmBytes < 32 * MiB, `wasm memory: ${stats.wasmBytes}`);
      assert.deepEqual(logs, []);
    } finally {
      await page.close();
    }
  });
}

for (const backend of BACKENDS) {
  test(`tiles (${backend}): walk mode stands on the terrain's tiles and follows their ground through the town`, async () => {
    const page = await browser.newPage({ viewport: { width: 256, height: 256 }, deviceScaleFactor: 1 });
    const logs = [];
    page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
    await page.goto(`${BASE}/fidelity/blank.html`);
    await page.evaluate(async ({ backend, tiles }) => {
      await import('/scenic-viewer.js');
      const v = document.createElement('scenic-viewer');
      v.id = 'viewer';
      v.style.cssText = 'display:block;width:256px;height:256px';
      v.setAttribute('backend', backend);
      v.setAttribute('camera-target', '0 20 0');
      v.setAttribute('camera-orbit', '0deg 60deg 200m');
      v.setAttribute('tiles', tiles);
      document.body.append(v);
    }, { backend, tiles: TERRAIN });
    try {
      await page.waitForFunction(() => document.getElementById('viewer').tilesInfo()?.drawn > 0, null, { timeout: 60000 });
      // The walk button is offered over tiles alone (no src).
      assert.equal(await page.evaluate(() => document.getElementById('viewer').shadowRoot.querySelector('.walk-button').hidden), false);
      // Tiles that came without triangles are fetched again with them: until then there is
      // no ground, and asking says so (a warning) and can be asked again.
      await page.waitForFunction(() => {
        const v = document.getElementById('viewer');
        if (v.getWalkPose()) return true;
        v.setCameraMode('walk');
        return false;
      }, null, { timeout: 60000, polling: 500 });
      const pose = () => page.evaluate(() => document.getElementById('viewer').getWalkPose());
      const start = await pose();
      assert.ok(Math.abs(start.eye[1] - start.feet[1] - 1.6) < 1e-3, JSON.stringify(start));
      // Running on, the feet stay on the tiles' ground (a fall through would drop them by tens
      // of metres, a wall of nothing would stop them).
      const heights = [start.feet[1]];
      await page.evaluate(() => { const v = document.getElementById('viewer'); v.focus(); });
      await page.keyboard.down('Shift');
      await page.keyboard.down('KeyW');
      for (let k = 0; k < 6; k++) {
        await page.waitForTimeout(500);
        heights.push((await pose()).feet[1]);
      }
      await page.keyboard.up('KeyW');
      await page.keyboard.up('Shift');
      const end = await pose();
      const moved = Math.hypot(end.feet[0] - start.feet[0], end.feet[2] - start.feet[2]);
      assert.ok(moved > 3, `walked ${moved.toFixed(1)} m: ${JSON.stringify([start, end])}`);
      assert.ok(heights.every((h, k) => k === 0 || Math.abs(h - heights[k - 1]) < 10), `no fall: ${heights}`);
      const img = await pixels(page);
      // At eye height over the town, the lower half is ground and buildings, not sky.
      const lower = fraction({ ...img, data: img.data.slice(img.data.length / 2), height: img.height / 2 }, ([r, g, b]) => !(b > r + 20 && b > g));
      console.log(`${backend}: ground ${lower.toFixed(3)} of the lower half`);
      assert.ok(lower > 0.5, `ground in the lower half: ${lower}`);
      assert.deepEqual(logs, []);
    } finally {
      await page.close();
    }
  });
}
