// Image-based lighting (environment-image, skybox-image), judged on read-back pixels. Three white
// spheres, a mirror-smooth metal one on the left, a clear glass one in the middle
// (KHR_materials_transmission) and a rough matte one on the right, under an environment made
// here with known colours: red above the horizon, blue below, a green cap around +X (the photo's
// middle, as three.js and model-viewer orient it) and a yellow one around -Z, behind the spheres. Each must reflect or
// diffuse those colours where the geometry says: the matte sphere is red on top and blue below;
// a matte point whose normal is β above the horizon gets (1 + sin β) / 2 of its light from the
// sky, so its top is red, its bottom blue and its middle (facing the level camera) both alike;
// the mirror shows red at its top, blue at its bottom and green where it faces 45° right (its
// reflection of a view along -z is +X); the glass shows the yellow behind it. Both renderers; .hdr and PNG photos; bad photos warn and
// leave the viewer lit as it was.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openFixture, pixels, BACKENDS } from './browser.mjs';

const SIZE = 320, DISTANCE = 8, SPREAD = 2.2;
const SCALE = (SIZE / 2) / (DISTANCE * Math.tan(Math.PI / 8)); // pixels per metre at z = 0 (45° fov)
const RADIUS = SCALE * DISTANCE / Math.sqrt(DISTANCE ** 2 - 1); // the unit sphere's outline
const METAL = -SPREAD, GLASS = 0, MATTE = SPREAD;

/** The environment: linear RGB by direction. */
function radiance([x, y, z]) {
  if (x > Math.cos(25 * Math.PI / 180)) return [0.05, 1, 0.05];
  if (-z > Math.cos(25 * Math.PI / 180)) return [1, 1, 0.05];
  return y > 0 ? [1, 0.05, 0.05] : [0.05, 0.05, 1];
}

/** A Radiance .hdr (flat scanlines) of `radiance`, `w` × `w/2`, rows from the zenith. */
function hdr(w) {
  const h = w / 2;
  const head = new TextEncoder().encode(`#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y ${h} +X ${w}\n`);
  const out = new Uint8Array(head.length + w * h * 4);
  out.set(head);
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const phi = ((i + 0.5) / w - 0.5) * 2 * Math.PI, theta = (j + 0.5) / h * Math.PI;
      const c = radiance([Math.sin(theta) * Math.cos(phi), Math.cos(theta), Math.sin(theta) * Math.sin(phi)]);
      const m = Math.max(...c), e = Math.floor(Math.log2(m)) + 1, s = 256 / 2 ** e;
      out.set([...c.map((v) => Math.min(255, Math.floor(v * s))), e + 128], head.length + (j * w + i) * 4);
    }
  }
  return out;
}

/** Mean RGB over a disc of `r` (fraction of the radius) at offset (dx, dy) (fractions, y up)
 *  from the middle of the sphere at x = `cx` metres. */
function spot(img, cx, dx, dy, r = 0.12) {
  const x = SIZE / 2 + cx * SCALE + dx * RADIUS, y = SIZE / 2 - dy * RADIUS;
  const sum = [0, 0, 0];
  let n = 0;
  for (let j = Math.floor(y - r * RADIUS); j <= y + r * RADIUS; j++) {
    for (let i = Math.floor(x - r * RADIUS); i <= x + r * RADIUS; i++) {
      if (Math.hypot(i - x, j - y) > r * RADIUS) continue;
      const k = (j * img.width + i) * 4;
      for (let c = 0; c < 3; c++) sum[c] += img.data[k + c];
      n++;
    }
  }
  return sum.map((s) => Math.round(s / n));
}
const reddish = ([r, g, b]) => r > 1.6 * b && r > 1.6 * g && r > 60;
const bluish = ([r, g, b]) => b > 1.6 * r && b > 1.6 * g && b > 60;
const greenish = ([r, g, b]) => g > 2 * r && g > 2 * b && g > 60;

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The two spheres on `backend`, seen level from the front; `window.__env(attr, url)` sets a
 *  lighting attribute and resolves with the environment-change event or the warning. */
async function spheres(backend) {
  const { page, logs } = await openFixture(browser, '/corpus/gltf/models/Box/glTF-Binary/Box.glb', backend, SIZE);
  const loaded = await page.evaluate(({ spread, size }) => new Promise((resolve) => {
    // A UV sphere of radius 1 (positions are its normals), as a GLB blob.
    const [rings, segs] = [32, 48];
    const pos = [], idx = [];
    for (let i = 0; i <= rings; i++) {
      for (let j = 0; j <= segs; j++) {
        const t = i / rings * Math.PI, p = j / segs * 2 * Math.PI;
        pos.push(Math.sin(t) * Math.cos(p), Math.cos(t), Math.sin(t) * Math.sin(p));
      }
    }
    for (let i = 0; i < rings; i++) {
      for (let j = 0; j < segs; j++) {
        const a = i * (segs + 1) + j, b = a + segs + 1;
        idx.push(a, a + 1, b, a + 1, b + 1, b);
      }
    }
    const p = new Float32Array(pos), ix = new Uint16Array(idx);
    const bin = new Uint8Array(p.byteLength * 2 + ix.byteLength);
    bin.set(new Uint8Array(p.buffer), 0); bin.set(new Uint8Array(p.buffer), p.byteLength); bin.set(new Uint8Array(ix.buffer), p.byteLength * 2);
    const n = pos.length / 3;
    const json = {
      asset: { version: '2.0' }, scene: 0, scenes: [{ nodes: [0, 1, 2] }], extensionsUsed: ['KHR_materials_transmission'],
      nodes: [{ mesh: 0, translation: [-spread, 0, 0] }, { mesh: 1, translation: [spread, 0, 0] }, { mesh: 2 }],
      meshes: [0, 1, 2].map((m) => ({ primitives: [{ attributes: { POSITION: 0, NORMAL: 1 }, indices: 2, material: m }] })),
      materials: [
        { pbrMetallicRoughness: { baseColorFactor: [1, 1, 1, 1], metallicFactor: 1, roughnessFactor: 0 } },
        { pbrMetallicRoughness: { baseColorFactor: [1, 1, 1, 1], metallicFactor: 0, roughnessFactor: 1 } },
        { pbrMetallicRoughness: { baseColorFactor: [1, 1, 1, 1], metallicFactor: 0, roughnessFactor: 0 }, extensions: { KHR_materials_transmission: { transmissionFactor: 1 } } },
      ],
      buffers: [{ byteLength: bin.length }],
      bufferViews: [{ buffer: 0, byteLength: p.byteLength }, { buffer: 0, byteOffset: p.byteLength, byteLength: p.byteLength }, { buffer: 0, byteOffset: p.byteLength * 2, byteLength: ix.byteLength }],
      accessors: [
        { bufferView: 0, componentType: 5126, count: n, type: 'VEC3', min: [-1, -1, -1], max: [1, 1, 1] },
        { bufferView: 1, componentType: 5126, count: n, type: 'VEC3' },
        { bufferView: 2, componentType: 5123, count: idx.length, type: 'SCALAR' },
      ],
    };
    const text = new TextEncoder().encode(JSON.stringify(json));
    const jl = (text.length + 3) & ~3, bl = (bin.length + 3) & ~3, total = 28 + jl + bl;
    const out = new Uint8Array(total), dv = new DataView(out.buffer);
    dv.setUint32(0, 0x46546C67, true); dv.setUint32(4, 2, true); dv.setUint32(8, total, true);
    dv.setUint32(12, jl, true); dv.setUint32(16, 0x4E4F534A, true); out.fill(0x20, 20, 20 + jl); out.set(text, 20);
    dv.setUint32(20 + jl, bl, true); dv.setUint32(24 + jl, 0x004E4942, true); out.set(bin, 28 + jl);
    const v = document.getElementById('viewer');
    v.style.width = v.style.height = `${size}px`;
    v.addEventListener('load', () => resolve(v.info.warnings.length ? v.info.warnings.join('; ') : 'load'), { once: true });
    v.addEventListener('error', (e) => resolve(e.detail.message), { once: true });
    v.setAttribute('camera-target', '0m 0m 0m');
    v.setAttribute('camera-orbit', '0deg 0deg 8m');
    v.setAttribute('src', URL.createObjectURL(new Blob([out])));
    window.__env = (attr, url) => new Promise((done) => {
      const finish = (what) => { v.removeEventListener('environment-change', ok); v.removeEventListener('warning', bad); requestAnimationFrame(() => requestAnimationFrame(() => done(what))); };
      const ok = (e) => finish({ applied: e.detail });
      const bad = (e) => finish({ warning: e.detail.message });
      v.addEventListener('environment-change', ok);
      v.addEventListener('warning', bad);
      if (url === null) { v.removeAttribute(attr); setTimeout(() => finish({ removed: true }), 100); } else v.setAttribute(attr, url);
    });
  }), { spread: SPREAD, size: SIZE });
  assert.equal(loaded, 'load', logs.join('\n'));
  // The procedural sky lights it first: the matte sphere's top is not red.
  return { page, logs };
}

const hdrUrl = (page) => page.evaluate((bytes) => URL.createObjectURL(new Blob([new Uint8Array(bytes)])), Array.from(hdr(128)));

for (const backend of BACKENDS) {
  test(`${backend}: an .hdr environment lights the spheres with its colours, where they face them; the sky stays behind`, async () => {
    const { page } = await spheres(backend);
    const before = await pixels(page);
    const skyTop = spot(before, MATTE, 0, 0.85, 0.08);
    assert.ok(!reddish(skyTop), `the procedural sky lights the matte top: ${skyTop}`);
    const url = await hdrUrl(page);
    const set = await page.evaluate((u) => window.__env('environment-image', u), url);
    assert.ok(set.applied, JSON.stringify(set));
    assert.deepEqual([set.applied.width, set.applied.height], [128, 64]);
    const img = await pixels(page);
    const seen = {
      matteTop: spot(img, MATTE, 0, 0.85, 0.08), matteBottom: spot(img, MATTE, 0, -0.85, 0.08), matteMiddle: spot(img, MATTE, 0, 0),
      mirrorTop: spot(img, METAL, 0, 0.6), mirrorBottom: spot(img, METAL, 0, -0.6), mirrorRight: spot(img, METAL, 0.707, 0, 0.08),
      background: spot(img, 0, 0, 1.6, 0.1), glass: spot(img, GLASS, 0, 0, 0.15),
    };
    console.log(`${backend}: ${JSON.stringify(seen)}`);
    assert.ok(reddish(seen.matteTop), `matte top under the red sky: ${seen.matteTop}`);
    assert.ok(bluish(seen.matteBottom), `matte bottom over the blue ground: ${seen.matteBottom}`);
    const [r, , b] = seen.matteMiddle;
    assert.ok(Math.abs(r - b) < 0.1 * (r + b) && r > 60, `matte middle, half sky and half ground: ${seen.matteMiddle}`);
    assert.ok(reddish(seen.mirrorTop), `mirror top reflects the sky: ${seen.mirrorTop}`);
    assert.ok(bluish(seen.mirrorBottom), `mirror bottom reflects the ground: ${seen.mirrorBottom}`);
    assert.ok(greenish(seen.mirrorRight), `mirror at 45° right reflects +X, the green cap: ${seen.mirrorRight}`);
    // Clear glass shows what is behind it: the yellow cap (a white matte sphere there would be
    // magenta, half red and half blue).
    const [gr, gg, gb] = seen.glass;
    assert.ok(gr > 2 * gb && gg > 2 * gb && gg > 120, `glass shows the yellow behind it: ${seen.glass}`);
    // The background is still the procedural sky (no skybox-image).
    assert.ok(!reddish(seen.background) && seen.background[2] > seen.background[0], `background: ${seen.background}`);
    await page.close();
  });

  test(`${backend}: skybox-image shows the photo behind the model and lights it; a PNG photo is read as sRGB`, async () => {
    const { page } = await spheres(backend);
    // The same environment as a PNG drawn in the page: red above, blue below, green around +X.
    const png = await page.evaluate(() => new Promise((resolve) => {
      const c = Object.assign(document.createElement('canvas'), { width: 128, height: 64 });
      const g = c.getContext('2d');
      g.fillStyle = '#ff0d0d'; g.fillRect(0, 0, 128, 32);
      g.fillStyle = '#0d0dff'; g.fillRect(0, 32, 128, 32);
      // The cap: 25° around the middle column and the horizon row.
      g.fillStyle = '#0dff0d'; g.fillRect(64 - 9, 32 - 9, 18, 18);
      c.toBlob((b) => resolve(URL.createObjectURL(b)), 'image/png');
    }));
    const r = await page.evaluate((u) => window.__env('skybox-image', u), png);
    assert.ok(r.applied, JSON.stringify(r));
    const img = await pixels(page);
    const seen = {
      top: spot(img, 0, 0, 1.6, 0.1), bottom: spot(img, 0, 0, -1.6, 0.1),
      matteTop: spot(img, MATTE, 0, 0.85, 0.08), mirrorBottom: spot(img, METAL, 0, -0.6), mirrorRight: spot(img, METAL, 0.707, 0, 0.06),
    };
    console.log(`${backend} skybox: ${JSON.stringify(seen)}`);
    assert.ok(reddish(seen.top), `the photo's sky behind the spheres: ${seen.top}`);
    assert.ok(bluish(seen.bottom), `the photo's ground behind the spheres: ${seen.bottom}`);
    assert.ok(reddish(seen.matteTop) && bluish(seen.mirrorBottom), `the skybox lights them: ${seen.matteTop} ${seen.mirrorBottom}`);
    assert.ok(greenish(seen.mirrorRight), `mirror at 45° right: ${seen.mirrorRight}`);
    // Removed: the procedural sky again, behind and in the light.
    const gone = await page.evaluate(() => window.__env('skybox-image', null));
    assert.ok(gone.removed);
    const after = await pixels(page);
    assert.ok(!reddish(spot(after, 0, 0, 1.6, 0.1)) && !reddish(spot(after, MATTE, 0, 0.85, 0.08)), 'back to the sky');
    await page.close();
  });
}

test('a photo that cannot be used is named in a warning, and the lighting stays as it was', async () => {
  const { page } = await spheres('webgl2');
  const good = await hdrUrl(page);
  assert.ok((await page.evaluate((u) => window.__env('environment-image', u), good)).applied);
  const lit = spot(await pixels(page), MATTE, 0, 0.85, 0.08);
  const cases = [
    ['/corpus/nothing-here.hdr', /environment-image="\/corpus\/nothing-here\.hdr" could not be used: HTTP 404/],
    ['data:text/plain,hello', /not an image the browser can decode/],
    [`data:application/octet-stream;base64,${Buffer.from('#?RADIANCE\n\n-Y 99999 +X 99999\n').toString('base64')}`, /at most 16384 a side/],
    [`data:application/octet-stream;base64,${Buffer.from('#?RADIANCE\n\n-Y 4 +X 4\n\u0001\u0002').toString('base64')}`, /ends before its last scanline/],
    ['javascript:alert(1)', /javascript: URLs are not fetched/],
  ];
  for (const [url, reason] of cases) {
    const r = await page.evaluate((u) => window.__env('environment-image', u), url);
    assert.match(r.warning ?? JSON.stringify(r), reason);
    const notice = await page.evaluate(() => document.getElementById('viewer').shadowRoot.querySelector('.notice').textContent);
    assert.match(notice, reason, 'said in the page');
    const still = spot(await pixels(page), MATTE, 0, 0.85, 0.08);
    assert.ok(still.every((c, i) => Math.abs(c - lit[i]) <= 2), `${url}: lighting changed ${lit} -> ${still}`);
  }
  assert.equal(await page.evaluate(() => document.getElementById('viewer').dataset.state), 'ready');
  await page.close();
});

/** Luma per pixel of a frame. */
const lumas = (img) => Array.from({ length: img.width * img.height }, (_, i) => 0.299 * img.data[i * 4] + 0.587 * img.data[i * 4 + 1] + 0.114 * img.data[i * 4 + 2]);

for (const backend of BACKENDS) {
  test(`${backend}: shadow-intensity darkens the ground under the model and nowhere else; softness spreads it; a new model gets its own; removed, it is gone`, async () => {
    // A 1 m box seen from 35° above: the ground round it is the sky's ground colour.
    const { page, logs } = await openFixture(browser, '/corpus/gltf/models/Box/glTF-Binary/Box.glb', backend, 240);
    const settle = () => page.evaluate(() => new Promise((r) => setTimeout(() => requestAnimationFrame(() => requestAnimationFrame(r)), 300)));
    await page.evaluate(() => document.getElementById('viewer').setAttribute('camera-orbit', '0deg 35deg 4m'));
    await settle();
    const plain = await pixels(page);
    const shadowed = async (attrs) => {
      await page.evaluate((attrs) => { const v = document.getElementById('viewer'); for (const [k, val] of Object.entries(attrs)) if (val === null) v.removeAttribute(k); else v.setAttribute(k, val); }, attrs);
      await settle();
      return pixels(page);
    };
    const full = await shadowed({ 'shadow-intensity': '1' });
    const [a, b] = [lumas(plain), lumas(full)];
    const w = plain.width;
    const darker = [];
    let brighter = 0;
    a.forEach((l, i) => { if (b[i] < l - 12) darker.push(i); if (b[i] > l + 2) brighter++; });
    console.log(`${backend}: ${darker.length} pixels darker; ${brighter} brighter`);
    assert.ok(darker.length > 400, `the shadow darkens the ground: ${darker.length} pixels; ${logs.join(' | ')}`);
    assert.equal(brighter, 0, 'nothing gets brighter');
    // Under the box: the darkened pixels sit round its base, below the middle of the view, and
    // the frame's corners (ground far from it) and the box's front face keep their colour.
    const cy = darker.reduce((s, i) => s + Math.floor(i / w), 0) / darker.length;
    const cx = darker.reduce((s, i) => s + (i % w), 0) / darker.length;
    assert.ok(cy > w * 0.5 && Math.abs(cx - w / 2) < w * 0.1, `centred under the box: ${cx.toFixed(0)}, ${cy.toFixed(0)}`);
    for (const i of [0, w - 1, w * (w - 1), w * w - 1, w * (w >> 1) + (w >> 1)]) assert.ok(Math.abs(a[i] - b[i]) <= 2, `pixel ${i % w},${Math.floor(i / w)}: ${a[i]} -> ${b[i]}`);
    // Half the intensity darkens less; a sharp shadow ends closer to the box than a soft one.
    const half = lumas(await shadowed({ 'shadow-intensity': '0.5' }));
    const loss = (img) => darker.reduce((s, i) => s + (a[i] - img[i]), 0);
    assert.ok(loss(half) < loss(b) * 0.75 && loss(half) > loss(b) * 0.25, `0.5 darkens about half: ${loss(half).toFixed(0)} of ${loss(b).toFixed(0)}`);
    const sharp = lumas(await shadowed({ 'shadow-intensity': '1', 'shadow-softness': '0' }));
    const reach = (img) => a.filter((l, i) => img[i] < l - 4).length;
    assert.ok(reach(sharp) < reach(b), `a soft shadow reaches further: ${reach(sharp)} vs ${reach(b)} pixels`);
    // A wrong value says so and draws no shadow change; removed, the ground is as before.
    const warned = await page.evaluate(() => new Promise((r) => {
      const v = document.getElementById('viewer');
      v.addEventListener('warning', (e) => r(e.detail.message), { once: true });
      v.setAttribute('shadow-softness', 'very');
    }));
    assert.match(warned, /shadow-softness="very" is not a number from 0 to 1/);
    const gone = lumas(await shadowed({ 'shadow-intensity': null, 'shadow-softness': null }));
    const left = darker.filter((i) => Math.abs(gone[i] - a[i]) > 2).length;
    assert.equal(left, 0, 'no shadow once the attribute is gone (the ground round the box as before)');
    // A new model gets its own shadow (the element asks after each load).
    await page.evaluate(() => new Promise((r) => {
      const v = document.getElementById('viewer');
      v.setAttribute('shadow-intensity', '1');
      v.addEventListener('load', r, { once: true });
      v.setAttribute('src', '/corpus/gltf/models/BoxTextured/glTF-Binary/BoxTextured.glb');
    }));
    await settle();
    await settle();
    const next = lumas(await pixels(page));
    const again = darker.filter((i) => next[i] < a[i] - 12).length;
    assert.ok(again > darker.length * 0.75, `the new model's shadow: ${again} of ${darker.length} pixels`);
    await page.close();
  });
}
