// Lighting-photo benchmark: what setting `environment-image` to a Radiance .hdr costs the page, with
// the photo prefiltered in the page's worker (the default) and in the viewer (the fallback where no
// worker starts, forced here by a Worker that throws): the longest main-thread task while it is
// applied (PerformanceObserver 'longtask', 0 when none reaches 50 ms), the time to its
// `environment-change`, and how much the viewer's wasm memory grew (it never shrinks). Each size
// in a fresh page, `RUNS` times, interleaved; prints medians. Run with `cargo xtask bench-environment`.
import { launch, BASE } from '../e2e/browser.mjs';
import { hdr } from '../e2e/spheres.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };

const browser = await launch();
const photos = Object.fromEntries([1024, 2048, 4096].map((w) => [w, Buffer.from(hdr(w))]));
const results = {};
for (let run = 0; run < RUNS; run++) {
  for (const backend of ['webgpu', 'webgl2']) {
    for (const worker of [true, false]) {
      for (const [w, bytes] of Object.entries(photos)) {
        const page = await browser.newPage({ viewport: { width: 256, height: 256 } });
        await page.route('**/bench-photo.hdr', (route) => route.fulfill({ status: 200, contentType: 'application/octet-stream', body: bytes }));
        await page.goto(`${BASE}/fidelity/?backend=${backend}&src=/corpus/gltf/models/Duck/glTF-Binary/Duck.glb&size=256`);
        await page.waitForFunction(() => document.getElementById('viewer')?.dataset.state === 'ready', null, { timeout: 60000 });
        const r = await page.evaluate(async (worker) => {
          if (!worker) window.Worker = function () { throw new Error('no worker'); };
          const v = document.getElementById('viewer');
          const stats = () => customElements.get('scenic-viewer').gpuStats();
          const before = (await stats()).wasmBytes;
          const long = [];
          const observer = new PerformanceObserver((l) => long.push(...l.getEntries().map((e) => e.duration)));
          observer.observe({ type: 'longtask' });
          const t0 = performance.now();
          const event = await new Promise((resolve) => {
            v.addEventListener('environment-change', () => resolve('applied'), { once: true });
            v.addEventListener('warning', (e) => resolve(e.detail.message), { once: true });
            v.setAttribute('environment-image', '/bench-photo.hdr');
          });
          const ms = performance.now() - t0;
          await new Promise((r) => setTimeout(r, 200));
          observer.disconnect();
          return { event, ms, longest: Math.max(0, ...long), grew: (await stats()).wasmBytes - before };
        }, worker);
        if (r.event !== 'applied') throw new Error(`${w} on ${backend}: ${r.event}`);
        const key = `${w}|${backend}|${worker ? 'worker' : 'viewer'}`;
        (results[key] ??= []).push(r);
        await page.close();
      }
    }
  }
}
await browser.close();
console.log(`Medians of ${RUNS} runs:\n`);
console.log('| photo | backend | prefiltered in | longest main-thread task (ms) | to environment-change (ms) | wasm memory grew (MiB) |');
console.log('|---|---|---|---|---|---|');
for (const [key, rs] of Object.entries(results)) {
  const [w, backend, where] = key.split('|');
  console.log(`| ${w} × ${w / 2} | ${backend} | ${where} | ${median(rs.map((r) => r.longest)).toFixed(0)} | ${median(rs.map((r) => r.ms)).toFixed(0)} | ${(median(rs.map((r) => r.grew)) / 2 ** 20).toFixed(1)} |`);
}
