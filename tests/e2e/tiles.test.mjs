// 3D Tiles streaming (the `tiles` attribute: www/features/tiles.js, crate/src/tiles,
// crate/src/web/tiles.rs) in headless Chromium, both renderers: Cesium's samples from
// ../shared/corpus/tiles drawn where their screenshots show content, failing tiles said with the
// parent kept, and a quadtree made here (one unlit colour per level) zoomed into and out of: finer
// tiles come, coarse ones are freed under the budget, and no frame on the way shows a hole.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, BACKENDS, launch, pixels, fraction } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const CORPUS = '/corpus/tiles';

async function open(backend, tiles, { routes = {}, attrs = {}, size = 256 } = {}) {
  const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
  const logs = [];
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  const fetched = [];
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  await page.route('**/gen/**', (route) => {
    const r = routes[new URL(route.request().url()).pathname];
    if (!r) return route.fulfill({ status: 404, body: 'no' });
    return route.fulfill(r);
  });
  await page.goto(`${BASE}/fidelity/blank.html`);
  await page.evaluate(async ({ tiles, attrs, size }) => {
    window.__events = [];
    await import('/scenic-viewer.js');
    const v = document.createElement('scenic-viewer');
    v.id = 'viewer';
    v.style.cssText = `display:block;width:${size}px;height:${size}px`;
    for (const e of ['tiles-load', 'tiles-error', 'tiles-ready', 'warning', 'error']) v.addEventListener(e, (ev) => window.__events.push([e, ev.detail]));
    for (const [k, val] of Object.entries(attrs)) v.setAttribute(k, val);
    v.setAttribute('tiles', tiles);
    document.body.append(v);
  }, { tiles, attrs: { backend, ...attrs }, size });
  return { page, logs, fetched };
}

const events = (page, name) => page.evaluate((n) => window.__events.filter((e) => e[0] === n).map((e) => e[1]), name);
const info = (page) => page.evaluate(() => document.getElementById('viewer').tilesInfo());
/** Waits until nothing more is wanted for the view (tiles-ready after `after` of them). */
async function settled(page, after = 0) {
  await page.waitForFunction((n) => window.__events.filter((e) => e[0] === 'tiles-ready').length > n || window.__events.some((e) => e[0] === 'tiles-error'), after, { timeout: 60000 });
  return info(page);
}
const readyCount = (page) => page.evaluate(() => window.__events.filter((e) => e[0] === 'tiles-ready').length);

/** The share of the view's middle (64 × 64 px of 256) showing a tile's colour (counted in the page: read-backs are large to pass out). */
const coverage = (page) => page.evaluate(async () => {
  const p = await document.getElementById('viewer').readPixels();
  let n = 0;
  for (let y = 96; y < 160; y++) for (let x = 96; x < 160; x++) {
    const i = (y * p.width + x) * 4;
    if (Math.max(p.data[i], p.data[i + 1], p.data[i + 2]) - Math.min(p.data[i], p.data[i + 1], p.data[i + 2]) > 80) n++;
  }
  return n / (64 * 64);
});

/** The bounding box of pixels for which `pred` holds, in fractions of the image. */
function extent(img, pred) {
  let [x0, y0, x1, y1] = [1, 1, 0, 0];
  for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width; x++) {
    const i = (y * img.width + x) * 4;
    if (pred(img.data.slice(i, i + 4))) { x0 = Math.min(x0, x / img.width); x1 = Math.max(x1, x / img.width); y0 = Math.min(y0, y / img.height); y1 = Math.max(y1, y / img.height); }
  }
  return { w: x1 - x0, h: y1 - y0 };
}

const yellow = ([r, g, b]) => r > 90 && g > 90 && b < 50;
const blue = ([r, g, b]) => b > 80 && b > r + 50 && b > g + 50;
const treeGreen = ([r, g, b]) => g > r + 8 && g > b && r + g + b < 330;

for (const backend of BACKENDS) {
  test(`tiles (${backend}): Cesium's box samples stand the y-up glTF up in z-up tiles`, async () => {
    // 0_0_0-1_1_2 is twice as tall as it is wide (z up); 0_0_0-2_1_1 twice as wide.
    const shapes = {};
    for (const name of ['0_0_0-1_1_2', '0_0_0-2_1_1']) {
      const { page, logs } = await open(backend, `${CORPUS}/1.1/BoundingBoxTests/${name}/tileset.json`);
      const i = await settled(page);
      assert.deepEqual([i.loaded, i.drawn, i.failed], [1, 1, 0], JSON.stringify(i));
      const img = await pixels(page);
      assert.ok(fraction(img, yellow) > 0.05, `${name}: the box is drawn`);
      shapes[name] = extent(img, yellow);
      assert.deepEqual(logs, []);
      await page.close();
    }
    assert.ok(shapes['0_0_0-1_1_2'].h > shapes['0_0_0-1_1_2'].w * 1.3, JSON.stringify(shapes));
    assert.ok(shapes['0_0_0-2_1_1'].w > shapes['0_0_0-2_1_1'].h * 1.3, JSON.stringify(shapes));
  });

  test(`tiles (${backend}): the i3dm trees stand in rows on the earth; the billboard root's unsupported shader is said and its child drawn`, async () => {
    const { page, logs } = await open(backend, `${CORPUS}/1.0/TilesetWithTreeBillboards/tileset.json`);
    const i = await settled(page);
    assert.deepEqual([i.loaded, i.drawn, i.failed], [1, 1, 1], JSON.stringify(i));
    const warnings = (await events(page, 'warning')).map((w) => w.message);
    assert.ok(warnings.some((w) => /tree_billboard\.i3dm/.test(w) && /KHR_techniques_webgl/.test(w)), warnings.join(' | '));
    const img = await pixels(page);
    assert.ok(fraction(img, treeGreen) > 0.002, 'trees are drawn');
    // 25 trees in a 5 × 5 grid: tree pixels across at least 5 of 16 columns, and upright
    // (each tree taller than wide on screen: the whole set spans more rows than one tree).
    const cols = new Set();
    for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width; x++) {
      const k = (y * img.width + x) * 4;
      if (treeGreen(img.data.slice(k, k + 4))) cols.add(Math.floor((x / img.width) * 16));
    }
    assert.ok(cols.size >= 5, `trees in ${cols.size} columns`);
    assert.deepEqual(logs, []);
    await page.close();
  });

  test(`tiles (${backend}): the implicit sparse quadtree reads its subtrees and draws its 32 contents`, async () => {
    const { page, logs, fetched } = await open(backend, `${CORPUS}/1.1/SparseImplicitQuadtree/tileset.json`);
    const i = await settled(page);
    assert.deepEqual([i.loaded, i.drawn, i.failed], [32, 32, 0], JSON.stringify(i));
    assert.equal(fetched.filter((p) => p.endsWith('.subtree')).length, 9, 'the root subtree and its 8 children');
    const img = await pixels(page);
    assert.ok(fraction(img, blue) > 0.002, 'the squares are drawn');
    const e = extent(img, blue);
    assert.ok(e.w > 0.2, `spread across the view: ${JSON.stringify(e)}`);
    assert.deepEqual(logs, []);
    await page.close();
  });
}

test('tiles: an earth tileset is drawn where the geo-reference puts the scene (as POIs are)', async () => {
  // The tree sample's region centre, and a geo-reference 400 m west of it: the trees then stand
  // 400 m east (+x) of the scene's origin, and none are to its west.
  const [w, s, e, n] = [-1.3197004795898053, 0.6988582109, -1.3196595204101946, 0.6988897891];
  const [lon, lat] = [((w + e) / 2) * 180 / Math.PI, ((s + n) / 2) * 180 / Math.PI];
  const west = lon - (400 / (6378137 * Math.cos((lat * Math.PI) / 180))) * 180 / Math.PI;
  const { page, logs } = await open('webgl2', `${CORPUS}/1.0/TilesetWithTreeBillboards/tileset.json`, {
    attrs: { 'geo-reference': `${west},${lat},0`, 'camera-target': '400 10 0', 'camera-orbit': '0deg 35deg 300m' },
  });
  await settled(page);
  const east = fraction(await pixels(page), treeGreen);
  await page.evaluate(() => { document.getElementById('viewer').cameraTarget = '-400 10 0'; });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const westward = fraction(await pixels(page), treeGreen);
  assert.ok(east > 0.002 && westward < east / 20, `trees 400 m east: ${east}, west: ${westward}`);
  assert.deepEqual(logs, []);
  await page.close();
});

// A GLB of one unlit square (tile frame, z up: written y-up as glTF) in one colour.
function square(x0, y0, x1, y1, z, rgb) {
  const pos = new Float32Array([x0, z, -y0, x1, z, -y0, x1, z, -y1, x0, z, -y1]);
  const nrm = new Float32Array([0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0]);
  const idx = new Uint16Array([0, 1, 2, 0, 2, 3, 0, 0]);
  const bin = Buffer.concat([Buffer.from(pos.buffer), Buffer.from(nrm.buffer), Buffer.from(idx.buffer)]);
  const json = {
    asset: { version: '2.0' }, extensionsUsed: ['KHR_materials_unlit'], scene: 0, scenes: [{ nodes: [0] }], nodes: [{ mesh: 0 }],
    meshes: [{ primitives: [{ attributes: { POSITION: 0, NORMAL: 1 }, indices: 2, material: 0 }] }],
    materials: [{ pbrMetallicRoughness: { baseColorFactor: [...rgb.map((c) => c / 255), 1] }, extensions: { KHR_materials_unlit: {} }, doubleSided: true }],
    buffers: [{ byteLength: bin.length }],
    bufferViews: [{ buffer: 0, byteOffset: 0, byteLength: 48 }, { buffer: 0, byteOffset: 48, byteLength: 48 }, { buffer: 0, byteOffset: 96, byteLength: 12 }],
    accessors: [
      { bufferView: 0, componentType: 5126, count: 4, type: 'VEC3', min: [Math.min(x0, x1), z, -Math.max(y0, y1)], max: [Math.max(x0, x1), z, -Math.min(y0, y1)] },
      { bufferView: 1, componentType: 5126, count: 4, type: 'VEC3' },
      { bufferView: 2, componentType: 5123, count: 6, type: 'SCALAR' },
    ],
  };
  let j = Buffer.from(JSON.stringify(json));
  if (j.length % 4) j = Buffer.concat([j, Buffer.alloc(4 - (j.length % 4), 0x20)]);
  const head = Buffer.alloc(12); head.write('glTF', 0); head.writeUInt32LE(2, 4); head.writeUInt32LE(12 + 8 + j.length + 8 + bin.length, 8);
  const ch = (len, type) => { const b = Buffer.alloc(8); b.writeUInt32LE(len, 0); b.write(type, 4); return b; };
  return Buffer.concat([head, ch(j.length, 'JSON'), j, ch(bin.length, 'BIN\0'), bin]);
}

const LEVEL_COLOURS = [[230, 30, 30], [30, 200, 30], [30, 60, 230], [230, 30, 230]];
/** A 4-level quadtree over a 1024 m square (tile frame z = 0), root error 64 halving per level;
 *  each tile a square of its level's colour. `fail`: paths answered badly instead. */
function quadtree(fail = {}) {
  const routes = {};
  const tile = (level, x, y) => {
    const size = 1024 / 2 ** level;
    const [x0, y0] = [x * size, y * size];
    const uri = `/gen/q/${level}-${x}-${y}.glb`;
    routes[uri] = fail[uri] ?? { status: 200, contentType: 'model/gltf-binary', body: square(x0, y0, x0 + size, y0 + size, 0, LEVEL_COLOURS[level]) };
    return {
      boundingVolume: { box: [x0 + size / 2, y0 + size / 2, 0, size / 2, 0, 0, 0, size / 2, 0, 0, 0, 1] },
      geometricError: level < 3 ? 64 / 2 ** level : 0, content: { uri },
      children: level < 3 ? [0, 1, 2, 3].map((k) => tile(level + 1, 2 * x + (k % 2), 2 * y + (k >> 1))) : [],
    };
  };
  const set = { asset: { version: '1.1' }, geometricError: 128, root: { ...tile(0, 0, 0), refine: 'REPLACE' } };
  routes['/gen/q/tileset.json'] = { status: 200, contentType: 'application/json', body: JSON.stringify(set) };
  return routes;
}
// Tone mapping lightens the colours: told apart by which channels stand out.
const LEVEL_TESTS = [
  ([r, g, b]) => r > g + 80 && r > b + 80,
  ([r, g, b]) => g > r + 80 && g > b + 80,
  ([r, g, b]) => b > r + 80 && b > g + 80,
  ([r, g, b]) => r > g + 80 && b > g + 80,
];
const isLevel = (l) => LEVEL_TESTS[l];

test('tiles: a POI under the tiles drawn is hidden behind them, one above them shows, also when the POIs come after the tiles', async () => {
  const { page, logs } = await open('webgl2', '/gen/q/tileset.json', { routes: quadtree(), attrs: { 'camera-target': '300 0 -300', 'camera-orbit': '0deg 60deg 600m' } });
  // The tiles arrive first, without the triangles line of sight needs (no POIs yet): no wasm
  // memory held for them.
  const before = await settled(page);
  assert.equal(before.wasmBytes, 0);
  assert.equal(before.bytes, before.gpuBytes);
  const n = await readyCount(page);
  await page.evaluate(() => document.getElementById('viewer').setPois([
    // Far apart on screen (no decluttering between them); `below` is 30 m under the squares.
    { id: 'above', name: 'Above', position: [180, 30, -180] },
    { id: 'below', name: 'Below', position: [420, -30, -420] },
  ]));
  // The POIs ask the tiles drawn for their triangles: fetched again (the browser's cache
  // answers), they hide the label under them.
  const after = await settled(page, n);
  await page.waitForTimeout(300);
  const shown = await page.evaluate(() => [...document.getElementById('viewer').shadowRoot.querySelectorAll('.poi')].filter((b) => !b.hidden).map((b) => b.dataset.id));
  assert.deepEqual(shown, ['above']);
  // Their line of sight is wasm memory, and counts in the budget beside the GPU's bytes.
  assert.ok(after.wasmBytes > 0 && after.bytes === after.gpuBytes + after.wasmBytes, JSON.stringify(after));
  assert.deepEqual(logs, []);
  await page.close();
});

for (const backend of BACKENDS) {
  test(`tiles (${backend}): zooming in fetches finer tiles, zooming out frees them under the budget, and no frame on the way shows a hole`, async () => {
    const { page, logs } = await open(backend, '/gen/q/tileset.json', { routes: quadtree(), attrs: { 'camera-orbit': '0deg 89deg 2500m' } });
    let i = await settled(page);
    let img = await pixels(page);
    assert.ok(fraction(img, isLevel(0)) > 0.15, 'from afar the root alone (red)');
    assert.deepEqual([i.drawn, i.loaded], [1, 1], JSON.stringify(i));
    // Down to 40 m over (300, 300) (the renderer's frame: x east, −z north: a tileset near its
    // origin keeps its own metres), in steps; every frame read on the way must be covered where
    // the square is.
    const path = [1500, 800, 400, 200, 100, 60, 40];
    const holes = [];
    for (const d of path) {
      await page.evaluate((d) => { const v = document.getElementById('viewer'); v.cameraTarget = '300 0 -300'; v.cameraOrbit = `0deg 89deg ${d}m`; }, d);
      for (let k = 0; k < 3; k++) {
        // The middle of the view is over the square all the way down: every pixel there is one
        // of the tiles' colours.
        const covered = await coverage(page);
        if (covered < 0.999) holes.push(`${d} m: ${(100 * covered).toFixed(1)}% covered`);
        await page.waitForTimeout(50);
      }
    }
    assert.deepEqual(holes, [], 'a hole was drawn while tiles streamed');
    const before = await readyCount(page);
    i = await settled(page, before - 1);
    img = await pixels(page);
    assert.ok(fraction(img, isLevel(3)) > 0.5, 'close up the leaves (magenta) underfoot');
    const zoomedIn = i.loaded;
    assert.ok(zoomedIn >= 4, JSON.stringify(i));
    // A budget of nothing: back out, everything not drawn now is freed. The root was freed
    // while the leaves were drawn: until it is back they stand in for it, so no frame on the
    // way out shows a hole either. Read until the camera is there and nothing streams.
    await page.evaluate(() => { const v = document.getElementById('viewer'); v.setAttribute('tiles-budget', '0'); v.cameraOrbit = '0deg 89deg 2500m'; v.cameraTarget = 'auto'; });
    const quiet = () => page.evaluate(() => {
      const v = document.getElementById('viewer');
      const t = v.tilesInfo();
      return Math.abs(v.getCameraOrbit().distance - 2500) < 1 && t.wanted === 0 && t.pending === 0 && t.drawn >= 1 && t.loaded === t.drawn;
    });
    const until = Date.now() + 30000;
    for (let calm = 0; calm < 3 && Date.now() < until; ) {
      const covered = await coverage(page);
      if (covered < 0.999) holes.push(`out: ${(100 * covered).toFixed(1)}% covered`);
      calm = (await quiet()) ? calm + 1 : 0;
      await page.waitForTimeout(50);
    }
    assert.deepEqual(holes, [], 'a hole was drawn while backing out');
    i = await info(page);
    img = await pixels(page);
    assert.ok(fraction(img, isLevel(0)) > 0.15, 'the root again');
    assert.ok(i.loaded < zoomedIn && i.loaded === i.drawn, `freed: ${zoomedIn} → ${JSON.stringify(i)}`);
    const stats = await page.evaluate(() => customElements.get('scenic-viewer').gpuStats());
    assert.ok(stats.sceneBytes <= i.bytes + 1024, `GPU bytes follow the tiles: ${JSON.stringify(stats)} ${JSON.stringify(i)}`);
    assert.deepEqual(logs, []);
    await page.close();
  });
}

test('tiles (webgpu): 404, 500, truncated and wrong-magic tiles are each said by name, their parent stays drawn, streaming goes on', async () => {
  const routes = quadtree();
  const bad = {
    '/gen/q/1-0-0.glb': { status: 404, body: 'not found' },
    '/gen/q/1-1-0.glb': { status: 500, body: 'oops' },
    '/gen/q/1-0-1.glb': { status: 200, body: routes['/gen/q/1-0-1.glb'].body.subarray(0, 40) },
  };
  const { page, logs } = await open('webgpu', '/gen/q/tileset.json', { routes: quadtree({ ...bad, '/gen/q/1-1-1.glb': { status: 200, contentType: 'text/html', body: '<html><script>window.__pwned=1</script></html>' } }), attrs: { 'camera-orbit': '0deg 89deg 900m' } });
  const i = await settled(page);
  const warnings = (await events(page, 'warning')).map((w) => w.message);
  for (const name of ['1-0-0.glb', '1-1-0.glb', '1-0-1.glb', '1-1-1.glb']) assert.ok(warnings.some((w) => w.includes(name)), `${name} named: ${warnings.join(' | ')}`);
  assert.ok(warnings.some((w) => /HTTP 404/.test(w)) && warnings.some((w) => /HTTP 500/.test(w)) && warnings.some((w) => /magic/.test(w)), warnings.join(' | '));
  assert.equal(i.failed, 4, JSON.stringify(i));
  const img = await pixels(page);
  assert.ok(fraction(img, isLevel(0)) > 0.15, 'the root stays drawn');
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  // The notice shows the last message as text.
  const notice = await page.evaluate(() => document.getElementById('viewer').shadowRoot.querySelector('.notice').textContent);
  assert.ok(/tiles: /.test(notice), notice);
  // Still usable: a good tileset streams in its place.
  // Counted before the switch: the one-tile set can be ready before a count taken after its load.
  const ready = await readyCount(page);
  await page.evaluate(() => document.getElementById('viewer').setAttribute('tiles', '/corpus/tiles/1.1/BoundingBoxTests/0_0_0-1_1_2/tileset.json'));
  await page.waitForFunction(() => window.__events.filter((e) => e[0] === 'tiles-load').length >= 2, null, { timeout: 30000 });
  const j = await settled(page, ready);
  assert.deepEqual([j.loaded, j.failed], [1, 0], JSON.stringify(j));
  assert.deepEqual(logs, []);
  await page.close();
});

test('tiles: a tileset that cannot be read is a tiles-error in the page, and the viewer stays usable', async () => {
  const { page } = await open('webgl2', '/gen/broken/tileset.json', { routes: { '/gen/broken/tileset.json': { status: 200, contentType: 'application/json', body: '{"asset":{"version":"1.0"},"geometricError":1,"root":{"geometricError":1}}' } } });
  await page.waitForFunction(() => window.__events.some((e) => e[0] === 'tiles-error'), null, { timeout: 30000 });
  const [err] = await events(page, 'tiles-error');
  assert.match(err.message, /root: no boundingVolume/);
  assert.equal(await page.evaluate(() => document.getElementById('viewer').dataset.state), 'ready');
  const notice = await page.evaluate(() => document.getElementById('viewer').shadowRoot.querySelector('.notice').textContent);
  assert.match(notice, /no boundingVolume/);
  await page.close();
});
