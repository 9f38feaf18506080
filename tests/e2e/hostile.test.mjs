// Hostile sizes in the browser (issue 18): an image that declares 65,536 × 65,536 pixels and a POI
// feed far larger than any scenic area's. Each ends in seconds with the viewer drawing and a
// message, not a hung or crashed tab. (The loader's own limits are tested natively:
// crate/tests/hostile.rs.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, BASE, png } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A PNG whose header says `w` × `h` RGBA pixels, followed by a few rows' worth of data. */
const liarPng = (w, h) => png(w, h, Buffer.alloc(4096));

/** A GLB: one textured triangle whose texture is `png`. */
function texturedTriangle(png) {
  const f32 = (a) => Buffer.from(new Float32Array(a).buffer);
  const parts = [f32([0, 0, 0, 1, 0, 0, 0, 1, 0]), f32([0, 0, 1, 0, 0, 1]), png];
  const views = [];
  let offset = 0;
  for (const p of parts) { views.push({ buffer: 0, byteOffset: offset, byteLength: p.length }); offset += Math.ceil(p.length / 4) * 4; }
  const bin = Buffer.alloc(offset);
  parts.forEach((p, i) => p.copy(bin, views[i].byteOffset));
  const json = Buffer.from(JSON.stringify({
    asset: { version: '2.0' }, scene: 0, scenes: [{ nodes: [0] }], nodes: [{ mesh: 0 }],
    meshes: [{ primitives: [{ attributes: { POSITION: 0, TEXCOORD_0: 1 }, material: 0 }] }],
    materials: [{ pbrMetallicRoughness: { baseColorTexture: { index: 0 } } }], textures: [{ source: 0 }],
    images: [{ bufferView: 2, mimeType: 'image/png' }],
    accessors: [{ bufferView: 0, componentType: 5126, count: 3, type: 'VEC3', min: [0, 0, 0], max: [1, 1, 0] }, { bufferView: 1, componentType: 5126, count: 3, type: 'VEC2' }],
    bufferViews: views, buffers: [{ byteLength: bin.length }],
  }));
  const jsonPadded = Buffer.concat([json, Buffer.alloc((4 - (json.length % 4)) % 4, 0x20)]);
  const header = Buffer.alloc(12);
  header.write('glTF', 0, 'latin1'); header.writeUInt32LE(2, 4); header.writeUInt32LE(12 + 8 + jsonPadded.length + 8 + bin.length, 8);
  const ch = (len, type) => { const b = Buffer.alloc(8); b.writeUInt32LE(len, 0); b.writeUInt32LE(type, 4); return b; };
  return Buffer.concat([header, ch(jsonPadded.length, 0x4e4f534a), jsonPadded, ch(bin.length, 0x004e4942), bin]);
}

test('an image declaring 65536×65536 pixels leaves the model drawn without it, with a warning', async () => {
  const page = await browser.newPage({ viewport: { width: 256, height: 256 } });
  try {
    const glb = texturedTriangle(liarPng(65536, 65536));
    await page.route('**/liar.glb', (route) => route.fulfill({ body: glb, contentType: 'model/gltf-binary' }));
    const started = Date.now();
    await page.goto(`${BASE}/fidelity/?backend=webgl2&src=${encodeURIComponent('/liar.glb')}`);
    await page.waitForFunction(() => ['ready', 'error'].includes(document.getElementById('viewer')?.dataset.state), null, { timeout: 30000 });
    const info = await page.evaluate(() => ({ state: document.getElementById('viewer').dataset.state, warnings: document.getElementById('viewer').info?.warnings ?? [] }));
    assert.equal(info.state, 'ready');
    assert.ok(info.warnings.some((w) => w.startsWith('/images/0:')), JSON.stringify(info.warnings));
    assert.ok(Date.now() - started < 20000, `took ${Date.now() - started} ms`);
  } finally {
    await page.close();
  }
});

test('a feed of 20,000 POIs shows the first 5,000 and says the rest are left out', async () => {
  const page = await browser.newPage({ viewport: { width: 400, height: 300 } });
  try {
    await page.goto(`${BASE}/fidelity/?backend=webgl2&src=${encodeURIComponent('/assets/lakeside.glb')}`);
    await page.waitForFunction(() => document.getElementById('viewer')?.dataset.state === 'ready', null, { timeout: 60000 });
    const result = await page.evaluate(async () => {
      const v = document.getElementById('viewer');
      const warned = new Promise((r) => v.addEventListener('poi-warning', (e) => r(e.detail), { once: true }));
      const loaded = new Promise((r) => v.addEventListener('poi-load', (e) => r(e.detail), { once: true }));
      const pois = Array.from({ length: 20000 }, (_, i) => ({ id: `p${i}`, name: { en: `Spot ${i}` }, category: 'viewpoint', position: [(i % 100) - 50, 1, Math.floor(i / 100) - 100] }));
      const t = performance.now();
      await v.setPois(pois);
      const [warning, load] = await Promise.all([warned, loaded]);
      return { warning, load, ms: performance.now() - t, labels: v.shadowRoot.querySelectorAll('.labels .poi').length };
    });
    assert.equal(result.load.count, 5000);
    assert.equal(result.labels, 5000);
    assert.ok(result.warning.reasons.some((r) => r.includes('15000 more POIs than the 5000 shown are left out')), JSON.stringify(result.warning));
    assert.ok(result.ms < 20000, `took ${result.ms} ms`);
  } finally {
    await page.close();
  }
});
