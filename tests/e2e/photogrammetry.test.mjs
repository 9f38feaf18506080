// Operators' photogrammetry at full size: the project's generated village (xtask/src/photo_gen.rs:
// 8 tiles, 3.0 million triangles, eight 4096² JPEG textures, ~100 MB; made by `cargo xtask
// content`) and its KTX2 (ETC1S, Binomial's basisu), meshopt (gltfpack) and Draco
// (gltf-transform) versions load on both renderers, draw the same village, and hold at most 1.2×
// the file in wasm memory (the viewer keeps a simplified copy for line of sight, not the three
// million triangles; see crate/src/geometry/simplify.rs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launch, openFixture, pixels, difference, BACKENDS, BASE } from './browser.mjs';

const DIR = fileURLToPath(new URL('../../target/test-content/photo/', import.meta.url));
// Variant, and how far its frame may be from the JPEG original's (RMS of 255, see difference();
// measured 2.2, 1.5 and 10.8 on both renderers): gltfpack quantises UVs to 12 bits, a quarter
// texel of these 4096² photos of grass noise; ETC1S re-encodes the photos lossily and brings its
// own mips. An untextured or misplaced village is 40 and more.
const VARIANTS = [['village', 0], ['village-meshopt', 3], ['village-draco', 2.5], ['village-ktx2', 13]];

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

for (const backend of BACKENDS) {
  test(`photogrammetry-sized village and its KTX2, meshopt and Draco versions on ${backend}: drawn alike, wasm memory at most 1.2× the file`, async () => {
    let original = null;
    for (const [name, tolerance] of VARIANTS) {
      const bytes = statSync(`${DIR}${name}.glb`).size;
      const context = await browser.newContext();
      try {
        const { page, logs } = await openFixture(context, `/generated/photo/${name}.glb`, backend, 256);
        const r = await page.evaluate(async () => {
          const v = document.getElementById('viewer');
          const s = await customElements.get('scenic-viewer').gpuStats();
          return { state: v.dataset.state, message: v.shadowRoot.querySelector('.message').textContent, info: v.info, wasm: s.wasmBytes, gpu: s.sceneBytes };
        });
        assert.equal(r.state, 'ready', `${name}: ${r.message} ${logs.join(' | ')}`);
        assert.ok(r.info.triangles >= 3_000_000, `${name}: ${r.info.triangles} triangles`);
        assert.deepEqual(r.info.warnings, [], `${name}: warnings`);
        console.log(`${name} on ${backend}: file ${(bytes / 2 ** 20).toFixed(1)} MiB, wasm memory ${(r.wasm / 2 ** 20).toFixed(1)} MiB (${(r.wasm / bytes).toFixed(2)}×), GPU ${(r.gpu / 2 ** 20).toFixed(0)} MiB`);
        assert.ok(r.wasm <= 1.2 * bytes, `${name}: ${r.wasm} bytes of wasm memory for a ${bytes}-byte file`);
        // From above the village, near enough to see its roofs and lanes.
        await page.evaluate(() => new Promise((resolve) => {
          document.getElementById('viewer').setAttribute('camera-orbit', '20deg 50deg 40%');
          requestAnimationFrame(() => requestAnimationFrame(resolve));
        }));
        const image = await pixels(page);
        if (!original) {
          original = image;
          // The village is drawn from its photos: much of the frame is their grass.
          let grass = 0;
          for (let i = 0; i < image.data.length; i += 4) if (image.data[i + 1] > image.data[i + 2] + 30) grass++;
          assert.ok(grass > 0.25 * image.width * image.height, `${name}: ${grass} green pixels`);
        } else {
          const { rms } = difference(image, original);
          console.log(`${name} on ${backend}: RMS ${rms.toFixed(2)} from the original`);
          assert.ok(rms <= tolerance, `${name}: RMS ${rms.toFixed(2)} > ${tolerance}`);
        }
      } finally {
        await context.close();
      }
    }
  });
}

test('a phone-sized memory budget refuses the JPEG village with its figures, and takes its KTX2 version', async () => {
  const page = await browser.newPage({ viewport: { width: 256, height: 256 } });
  try {
    await page.goto(`${BASE}/fidelity/?backend=webgl2`);
    const load = (src) => page.evaluate((src) => new Promise((resolve) => {
      const v = document.getElementById('viewer');
      const done = (e) => { v.removeEventListener('load', done); v.removeEventListener('error', done); resolve({ state: v.dataset.state, message: e.type === 'error' ? e.detail.message : '' }); };
      v.addEventListener('load', done);
      v.addEventListener('error', done);
      // 512 MiB: the default on a phone that does not say how much memory it has.
      v.setAttribute('memory-budget', '512');
      v.setAttribute('src', src);
    }), src);
    // Eight 4096² JPEGs become 8 × 85 MiB of RGBA8 with mips on the GPU.
    const jpeg = await load('/generated/photo/village.glb');
    assert.equal(jpeg.state, 'error');
    assert.match(jpeg.message, /needs about \d+ MB of memory once shown \(geometry \d+ MB, textures 683 MB\), more than this viewer's budget of 512 MB/);
    // As KTX2 they stay blocks: 8 × 21 MiB (a sixth as much GPU memory), and the village fits.
    const ktx2 = await load('/generated/photo/village-ktx2.glb');
    assert.equal(ktx2.state, 'ready', ktx2.message);
  } finally {
    await page.close();
  }
});
