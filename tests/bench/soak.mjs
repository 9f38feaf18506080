// Long sessions (issue 18), accelerated: `cargo xtask soak [--minutes M]` (default 10) drives one
// page of headless Chromium through what months on an operator's page do — orbiting, `src` and
// `pois` swaps, resizes, hiding and showing, on both renderers — and samples wasm memory, GPU
// bytes and the JS heap every round. It prints the samples and the growth from the first round
// after warm-up to the last; a leak is memory that keeps growing round after round.
import { launch, BASE } from '../e2e/browser.mjs';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const MODELS = ['/assets/lakeside.glb', '/corpus/gltf/models/DamagedHelmet/glTF-Binary/DamagedHelmet.glb', '/corpus/gltf/models/BoxAnimated/glTF-Binary/BoxAnimated.glb', '/assets/ningbo.glb'];
const POIS = ['/assets/lakeside-pois.geojson', ''];

const browser = await launch();
const results = [];
for (const backend of ['webgpu', 'webgl2']) {
  const page = await browser.newPage({ viewport: { width: 480, height: 360 } });
  const cdp = await page.context().newCDPSession(page);
  page.on('crash', () => console.log(`${backend}: the page crashed`));
  page.on('pageerror', (e) => console.log(`${backend}: ${e.message}`));
  await page.goto(`${BASE}/fidelity/?backend=${backend}&src=${encodeURIComponent(MODELS[0])}`);
  await page.waitForFunction(() => document.getElementById('viewer')?.dataset.state === 'ready', null, { timeout: 60000 });
  const end = Date.now() + (MINUTES * 60000) / 2;
  const samples = [];
  for (let round = 0; Date.now() < end; round++) {
    // A different model each round (the page opened with the first).
    const src = MODELS[(round + 1) % MODELS.length];
    if (process.env.SOAK_DEBUG) console.log(backend, round, src);
    await page.evaluate(async ([src, pois, round]) => {
      const v = document.getElementById('viewer');
      const ready = new Promise((r) => { v.addEventListener('load', r, { once: true }); v.addEventListener('error', r, { once: true }); });
      v.setAttribute('src', src);
      if (pois) v.setAttribute('pois', pois); else v.removeAttribute('pois');
      await ready;
      if (v.availableAnimations.length) v.play();
      // Orbit, resize, hide and show.
      for (let i = 0; i < 20; i++) {
        v.setAttribute('camera-orbit', `${(round * 37 + i * 18) % 360}deg ${40 + (i % 5) * 8}deg auto`);
        v.style.width = `${320 + (i % 4) * 40}px`;
        await new Promise((r) => requestAnimationFrame(r));
      }
      v.style.display = 'none';
      await new Promise((r) => setTimeout(r, 50));
      v.style.display = '';
      v.pause();
    }, [src, POIS[round % POIS.length], round]);
    if (round % MODELS.length === MODELS.length - 1) {
      await cdp.send('HeapProfiler.collectGarbage');
      const stats = await page.evaluate(async () => {
        const { ScenicViewer } = await import('/scenic-viewer.js');
        const s = await ScenicViewer.gpuStats();
        return { wasm: s.wasmBytes, gpu: s.gpuBytes, heap: performance.memory?.usedJSHeapSize ?? 0 };
      });
      samples.push({ round, ...stats });
      console.log(`${backend} round ${round}: wasm ${(stats.wasm / 1e6).toFixed(2)} MB, GPU ${(stats.gpu / 1e6).toFixed(2)} MB, JS heap ${(stats.heap / 1e6).toFixed(2)} MB`);
    }
  }
  await page.close();
  const [first, last] = [samples[1] ?? samples[0], samples[samples.length - 1]];
  results.push({ backend, rounds: last.round + 1, first, last });
}
await browser.close();
console.log(`\n| backend | minutes | rounds | wasm MB (after warm-up → end) | GPU MB | JS heap MB |`);
console.log('|---|---|---|---|---|---|');
for (const r of results) {
  const mb = (a, b) => `${(a / 1e6).toFixed(2)} → ${(b / 1e6).toFixed(2)}`;
  console.log(`| ${r.backend} | ${MINUTES / 2} | ${r.rounds} | ${mb(r.first.wasm, r.last.wasm)} | ${mb(r.first.gpu, r.last.gpu)} | ${mb(r.first.heap, r.last.heap)} |`);
}
