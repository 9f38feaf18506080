// Which functions of the lite wasm modules a page runs before its first frame: run by
// `cargo xtask bench-split`, which writes instrumented copies of the modules (each function sets
// an exported global `__f<i>` when it runs; xtask/src/split.rs) to SPLIT_DIR, then reads the
// `used.json` written here and prints what a split at the first frame would leave to download.
// Each page gets the instrumented module in place of the built one; nothing else changes.
import fs from 'node:fs';
import path from 'node:path';
import { launch, BASE } from '../e2e/browser.mjs';

const DIR = process.env.SPLIT_DIR;
const SCENES = {
  lakeside: '/assets/lakeside.glb',
  DamagedHelmet: '/corpus/gltf/models/DamagedHelmet/glTF-Binary/DamagedHelmet.glb',
  town: '/bench/vendor/town.glb',
};

// SPLIT_CHECK=1: instead, each page gets the copy with only the functions noted before any
// scene's first frame (`<bundle>.first.wasm`) and must draw its first frame with it: a check
// that the notes missed nothing that the first frame runs.
const CHECK = process.env.SPLIT_CHECK === '1';

const browser = await launch();
const used = {};
for (const bundle of ['webgpu-lite', 'webgl2-lite']) {
  const wasm = fs.readFileSync(path.join(DIR, `${bundle}${CHECK ? '.first' : ''}.wasm`));
  const backend = bundle.split('-')[0];
  for (const [scene, src] of Object.entries(SCENES)) {
    const context = await browser.newContext({ viewport: { width: 600, height: 450 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await page.route(`**/pkg/${bundle}/scenic_bg.wasm`, (route) => route.fulfill({ status: 200, contentType: 'application/wasm', body: wasm }));
    await page.goto(`${BASE}/bench/scenic.html?backend=${backend}&src=${encodeURIComponent(src)}`);
    await page.waitForFunction(() => window.__bench?.firstFrame !== null || window.__bench?.error, null, { timeout: 180000 });
    const error = await page.evaluate(() => window.__bench.error);
    if (error) throw new Error(`${bundle} ${scene}: ${error}`);
    if (CHECK) {
      console.log(`${bundle}, ${scene}: first frame drawn with only the first frame's functions`);
      await context.close();
      continue;
    }
    // The module's exports, from the glue the element imported (its init returns them once run).
    const read = () => page.evaluate(async (bundle) => {
      const wasm = await (await import(`/pkg/${bundle}/scenic.js`)).default();
      const out = [];
      for (let i = 0; wasm[`__f${i}`]; i++) if (wasm[`__f${i}`].value) out.push(i);
      return out;
    }, bundle);
    (used[bundle] ??= {})[`${scene}, first frame`] = await read();
    // Then what a visit goes on to run: the camera moved, POIs placed (the lakeside's own).
    await page.evaluate(() => window.__orbitFrames(10));
    if (scene === 'lakeside') {
      await page.evaluate(() => new Promise((resolve, reject) => {
        const v = document.querySelector('scenic-viewer');
        v.addEventListener('poi-load', resolve, { once: true });
        v.addEventListener('poi-error', (e) => reject(new Error(e.detail.message)), { once: true });
        v.setAttribute('pois', '/assets/lakeside-pois.geojson');
      }));
      await page.evaluate(() => window.__orbitFrames(10));
    }
    used[bundle][`${scene}, orbited${scene === 'lakeside' ? ', POIs' : ''}`] = await read();
    await context.close();
  }
}
await browser.close();
if (!CHECK) fs.writeFileSync(path.join(DIR, 'used.json'), JSON.stringify(used));
