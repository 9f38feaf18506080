// Textures (issue 13), with models made in the page: an unlit quad with an orange texture.
// - An image larger than the GPU's texture limit (16384×8 here, where both renderers' limit is
//   8192, as on many phones it is 4096) is scaled down to fit and drawn, with a warning — not
//   refused by the GPU, not a black model.
// - EXT_texture_webp: a WebP image as the texture's only source (the extension required).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, BASE, BACKENDS, pixels, at } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** In the page: a GLB of one unlit quad with a `type` (image/png, image/webp) texture, as a blob: URL. */
async function makeModel(page, width, height, type = 'image/png') {
  return page.evaluate(async ([width, height, type]) => {
    const canvas = new OffscreenCanvas(width, height);
    const g = canvas.getContext('2d');
    g.fillStyle = 'rgb(255, 128, 0)';
    g.fillRect(0, 0, width, height);
    const png = new Uint8Array(await (await canvas.convertToBlob({ type })).arrayBuffer());
    const webp = type === 'image/webp';
    const f32 = (a) => new Uint8Array(new Float32Array(a).buffer);
    const positions = f32([-1, -1, 0, 1, -1, 0, 1, 1, 0, -1, 1, 0]);
    const uvs = f32([0, 1, 1, 1, 1, 0, 0, 0]);
    const indices = new Uint8Array(new Uint16Array([0, 1, 2, 0, 2, 3]).buffer);
    const parts = [positions, uvs, indices, png];
    const views = [];
    let offset = 0;
    for (const p of parts) { views.push({ buffer: 0, byteOffset: offset, byteLength: p.length }); offset += Math.ceil(p.length / 4) * 4; }
    const bin = new Uint8Array(offset);
    parts.forEach((p, i) => bin.set(p, views[i].byteOffset));
    const json = {
      asset: { version: '2.0' }, extensionsUsed: ['KHR_materials_unlit', ...(webp ? ['EXT_texture_webp'] : [])],
      ...(webp ? { extensionsRequired: ['EXT_texture_webp'] } : {}), scene: 0, scenes: [{ nodes: [0] }], nodes: [{ mesh: 0 }],
      meshes: [{ primitives: [{ attributes: { POSITION: 0, TEXCOORD_0: 1 }, indices: 2, material: 0 }] }],
      materials: [{ pbrMetallicRoughness: { baseColorTexture: { index: 0 } }, extensions: { KHR_materials_unlit: {} }, doubleSided: true }],
      textures: [webp ? { extensions: { EXT_texture_webp: { source: 0 } } } : { source: 0 }], images: [{ bufferView: 3, mimeType: type }],
      accessors: [
        { bufferView: 0, componentType: 5126, count: 4, type: 'VEC3', min: [-1, -1, 0], max: [1, 1, 0] },
        { bufferView: 1, componentType: 5126, count: 4, type: 'VEC2' },
        { bufferView: 2, componentType: 5123, count: 6, type: 'SCALAR' },
      ],
      bufferViews: views, buffers: [{ byteLength: bin.length }],
    };
    let text = new TextEncoder().encode(JSON.stringify(json));
    const pad = (Math.ceil(text.length / 4) * 4) - text.length;
    text = new Uint8Array([...text, ...new Array(pad).fill(0x20)]);
    const glb = new Uint8Array(12 + 8 + text.length + 8 + bin.length);
    const dv = new DataView(glb.buffer);
    dv.setUint32(0, 0x46546c67, true); dv.setUint32(4, 2, true); dv.setUint32(8, glb.length, true);
    dv.setUint32(12, text.length, true); dv.setUint32(16, 0x4e4f534a, true); glb.set(text, 20);
    dv.setUint32(20 + text.length, bin.length, true); dv.setUint32(24 + text.length, 0x004e4942, true); glb.set(bin, 28 + text.length);
    return URL.createObjectURL(new Blob([glb], { type: 'model/gltf-binary' }));
  }, [width, height, type]);
}

/** Loads `url` in the fixture's viewer: { ok, warnings } or { ok: false, message }. */
function load(page, url) {
  return page.evaluate((url) => new Promise((resolve) => {
    const v = document.getElementById('viewer');
    v.addEventListener('load', (e) => resolve({ ok: true, warnings: e.detail.warnings }), { once: true });
    v.addEventListener('error', (e) => resolve({ ok: false, message: e.detail.message }), { once: true });
    v.setAttribute('src', url);
  }), url);
}

async function centre(page) {
  await page.waitForFunction(() => document.getElementById('viewer').dataset.state === 'ready');
  return at(await pixels(page), 0.5, 0.5);
}

const orange = (c) => Math.abs(c[0] - 255) < 12 && Math.abs(c[1] - 128) < 16 && c[2] < 12;

for (const backend of BACKENDS) {
  test(`${backend}: a texture over the GPU's size limit is scaled down and drawn`, async () => {
    const page = await browser.newPage({ viewport: { width: 256, height: 256 }, deviceScaleFactor: 1 });
    try {
      await page.goto(`${BASE}/fidelity/?backend=${backend}`);
      const detail = await load(page, await makeModel(page, 16384, 8));
      assert.ok(detail.ok, detail.message);
      assert.ok(detail.warnings.some((w) => /16384×8 is larger than this GPU's \d+-pixel texture limit; drawn at \d+×\d+/.test(w)), JSON.stringify(detail.warnings));
      const c = await centre(page);
      assert.ok(orange(c), `the quad is the texture's orange: ${c}`);
    } finally {
      await page.close();
    }
  });
}

for (const backend of BACKENDS) {
  test(`${backend}: EXT_texture_webp: a WebP-only texture is drawn`, async () => {
    const page = await browser.newPage({ viewport: { width: 256, height: 256 }, deviceScaleFactor: 1 });
    try {
      await page.goto(`${BASE}/fidelity/?backend=${backend}`);
      const detail = await load(page, await makeModel(page, 64, 64, 'image/webp'));
      assert.ok(detail.ok, detail.message);
      assert.deepEqual(detail.warnings, []);
      const c = await centre(page);
      assert.ok(orange(c), `the quad is the WebP's orange: ${c}`);
    } finally {
      await page.close();
    }
  });
}
