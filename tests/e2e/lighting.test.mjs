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
import { SIZE, METAL, MATTE, hdr, spot, reddish, bluish, greenish, spheresGlb, seenUnderHdr, assertLitByHdr } from './spheres.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The two spheres on `backend`, seen level from the front; `window.__env(attr, url)` sets a
 *  lighting attribute and resolves with the environment-change event or the warning. */
async function spheres(backend) {
  const { page, logs } = await openFixture(browser, '/corpus/gltf/models/Box/glTF-Binary/Box.glb', backend, SIZE);
  const loaded = await page.evaluate(({ glb, size }) => new Promise((resolve) => {
    const out = Uint8Array.from(atob(glb), (c) => c.charCodeAt(0));
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
  }), { glb: Buffer.from(spheresGlb()).toString('base64'), size: SIZE });
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
    // What the page's workers are asked and answer: the photo is prefiltered in one, off the
    // main thread and out of the viewer's memory.
    await page.evaluate(() => {
      window.__jobs = [];
      const post = Worker.prototype.postMessage;
      Worker.prototype.postMessage = function (message, ...rest) {
        if (!this.__watched) {
          this.__watched = true;
          this.addEventListener('message', ({ data }) => window.__jobs.push(['answer', data.id, data.error ?? data.result?.byteLength]));
        }
        if (message?.job) window.__jobs.push([message.job, message.id, message.which]);
        if (message?.init) window.__jobs.push(['init', message.init.backend, message.init.module instanceof WebAssembly.Module]);
        return post.call(this, message, ...rest);
      };
    });
    const set = await page.evaluate((u) => window.__env('environment-image', u), url);
    assert.ok(set.applied, JSON.stringify(set));
    assert.deepEqual([set.applied.width, set.applied.height], [128, 64]);
    const jobs = await page.evaluate(() => window.__jobs);
    const asked = jobs.find(([job]) => job === 'prefilter');
    assert.ok(asked && asked[2] === 'environment', JSON.stringify(jobs));
    // The worker was handed the viewer's compiled bundle first (it compiles nothing itself).
    const init = jobs.findIndex(([kind]) => kind === 'init');
    assert.ok(init >= 0 && init < jobs.indexOf(asked) && jobs[init][1] === `${backend}-lite` && jobs[init][2] === true, JSON.stringify(jobs));
    const answer = jobs.find(([kind, id]) => kind === 'answer' && id === asked[1]);
    // 128 × 64 to a 128-wide chain of 5 levels (RGBA16F) and the packing's headers.
    assert.ok(answer && typeof answer[2] === 'number' && answer[2] > 128 * 64 * 8, JSON.stringify(jobs));
    const img = await pixels(page);
    const seen = seenUnderHdr(img);
    console.log(`${backend}: ${JSON.stringify(seen)}`);
    assertLitByHdr(seen);
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

test('where no worker can start, the viewer prefilters the photo itself: the same light, no warning', async () => {
  const { page } = await spheres('webgl2');
  const url = await hdrUrl(page);
  await page.evaluate(() => { window.Worker = function () { throw new Error('no worker'); }; });
  const set = await page.evaluate((u) => window.__env('environment-image', u), url);
  assert.ok(set.applied, JSON.stringify(set));
  assertLitByHdr(seenUnderHdr(await pixels(page)));
  await page.close();
});

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
