// 3D Tiles benchmark: Scenic (WebGPU and WebGL2) against 3DTilesRendererJS 0.5.3 on three.js
// r187, streaming the generated terrain (xtask gen-tiles: 1,365 tiles, 21.3M triangles at full
// detail) along the same camera path at 600×450 CSS px, DPR 1, in the same headless Chromium,
// interleaved runs, each in a fresh context (empty cache). Both get a 16 px screen-space error
// and the same GPU byte budget. Prints medians with min–max. Run with `cargo xtask bench-tiles`.
import { launch, BASE } from '../e2e/browser.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const BUDGET_MIB = Number(process.env.BENCH_TILES_BUDGET ?? 192);
const TILES = '/generated/terrain/tileset.json';
const q = `tiles=${encodeURIComponent(TILES)}&budget=${BUDGET_MIB}&start=0,55,9000`;
const CASES = {
  'scenic webgpu': `/bench/scenic-tiles.html?backend=webgpu&${q}`,
  'scenic webgl2': `/bench/scenic-tiles.html?backend=webgl2&${q}`,
  '3DTilesRendererJS 0.5.3': `/bench/three-tiles.html?${q}`,
};
// From the overview (the whole 8 km square from 9 km, the pages' `start`), down into the town
// and round it in 12 s of wall time (the pose follows the clock, so a slower viewer sees the same
// path in fewer frames), then until nothing more is wanted.
const PATH_MS = 12000;
// The pose at t in [0, 1] is [yaw°, pitch°, distance m], written out in once().
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor((s.length - 1) / 2)]; };
const fmt = (a, digits = 0) => (a.length ? `${median(a).toFixed(digits)} (${Math.min(...a).toFixed(digits)}–${Math.max(...a).toFixed(digits)})` : 'n/a');

async function settle(page, timeout = 240000) {
  const t0 = await page.evaluate(() => performance.now());
  await page.waitForFunction(() => window.__tiles?.settled(), null, { timeout, polling: 'raf' });
  return (await page.evaluate(() => performance.now())) - t0;
}

async function once(browser, url) {
  const context = await browser.newContext({ viewport: { width: 600, height: 450 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const urls = new Map();
  let bytes = 0, files = 0;
  cdp.on('Network.responseReceived', (e) => urls.set(e.requestId, e.response.url));
  cdp.on('Network.loadingFinished', (e) => {
    const u = urls.get(e.requestId) ?? '';
    if (u.includes('/generated/terrain/')) { bytes += e.encodedDataLength; files++; }
  });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const start = Date.now();
  await page.goto(`${BASE}${url}`);
  await page.waitForFunction(() => window.__tiles, null, { timeout: 60000 });
  await settle(page);
  const overview = Date.now() - start;
  const overviewFiles = files;
  // The path; the frame intervals while it runs.
  const deltas = await page.evaluate((ms) => new Promise((resolve) => {
    // [yaw°, pitch°, distance m] at t in [0, 1].
    const at = (t) => [40 * t, 55 - 30 * t, 9000 * Math.pow(350 / 9000, t)];
    const d = [];
    let last = null, t0 = null;
    const step = (t) => {
      if (last !== null) d.push(t - last);
      last = t;
      t0 ??= t;
      const f = Math.min(1, (t - t0) / ms);
      window.__tiles.place(...at(f));
      if (f < 1) requestAnimationFrame(step); else resolve(d);
    };
    requestAnimationFrame(step);
  }), PATH_MS);
  const detail = await settle(page);
  const stats = await page.evaluate(() => window.__tiles.stats());
  const heap = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? 0);
  await context.close();
  if (errors.length) throw new Error(`${url}: ${errors.join('; ')}`);
  return { overview, overviewFiles, frame: median(deltas), frames: deltas.length, fullDetail: detail, files, bytes, stats, heap };
}

const browser = await launch();
const results = Object.fromEntries(Object.keys(CASES).map((k) => [k, []]));
try {
  for (let run = 0; run < RUNS; run++) {
    for (const [name, url] of Object.entries(CASES)) {
      const r = await once(browser, url);
      results[name].push(r);
      console.error(`run ${run + 1} ${name}: ${JSON.stringify(r)}`);
    }
  }
} finally {
  await browser.close();
}
const col = (rs, f, d = 0) => fmt(rs.map(f), d);
console.log(`\n3D Tiles: generated terrain, a ${PATH_MS / 1000} s path from the 9 km overview into the town; ${RUNS} runs, median (min–max); budget ${BUDGET_MIB} MiB, 16 px`);
console.log('| viewer | overview at full detail (ms) | tiles fetched for it | frames drawn on the 12 s path | after it, until full detail (ms) | frame interval on the path (ms) | tiles fetched in all | MB fetched | tiles loaded at the end | GPU MB (own count) | JS heap MB |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const [name, rs] of Object.entries(results)) {
  console.log(`| ${name} | ${col(rs, (r) => r.overview)} | ${col(rs, (r) => r.overviewFiles)} | ${col(rs, (r) => r.frames)} | ${col(rs, (r) => r.fullDetail)} | ${col(rs, (r) => r.frame, 1)} | ${col(rs, (r) => r.files)} | ${col(rs, (r) => r.bytes / 1e6, 1)} | ${col(rs, (r) => r.stats.loaded)} | ${col(rs, (r) => r.stats.gpuBytes / 1e6, 1)} | ${col(rs, (r) => r.heap / 1e6, 1)} |`);
}
