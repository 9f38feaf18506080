// Side-by-side benchmark: Scenic (WebGPU and WebGL2) against three.js r187 (a minimal GLTFLoader
// viewer) and <model-viewer> 4.4, on the same GLBs at 600×450 CSS px, DPR 1, in the same headless
// Chromium with the same flags, interleaved runs. Prints medians with min–max.
// Run with `cargo xtask bench` (it builds, generates the town, installs the others, serves).
import zlib from 'node:zlib';
import { launch, BASE } from '../e2e/browser.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
// Orbit frames per scene: fewer for the town, whose frames take most of a second here.
const ORBIT_FRAMES = { lakeside: 60, DamagedHelmet: 60, town: 20 };
const SCENES = {
  lakeside: '/assets/lakeside.glb',
  DamagedHelmet: '/corpus/gltf/models/DamagedHelmet/glTF-Binary/DamagedHelmet.glb',
  town: '/bench/vendor/town.glb',
};
const CASES = {
  // BENCH_BEFORE=1 adds the build saved in www/bench/vendor/before/ (copy www/scenic-viewer.js,
  // www/features and www/pkg there before a change) to measure the change in the same run, on
  // both backends.
  ...(process.env.BENCH_BEFORE ? { 'scenic webgpu (before)': (src) => `/bench/scenic.html?lib=before&backend=webgpu&src=${encodeURIComponent(src)}` } : {}),
  'scenic webgpu': (src) => `/bench/scenic.html?backend=webgpu&src=${encodeURIComponent(src)}`,
  // BENCH_PRELOAD=1 adds the same page with preload hints for the element, its WebGPU bundle and
  // nothing else (scenic-preload.html).
  ...(process.env.BENCH_PRELOAD ? { 'scenic webgpu (preload hints)': (src) => `/bench/scenic-preload.html?backend=webgpu&src=${encodeURIComponent(src)}` } : {}),
  ...(process.env.BENCH_BEFORE ? { 'scenic webgl2 (before)': (src) => `/bench/scenic.html?lib=before&backend=webgl2&src=${encodeURIComponent(src)}` } : {}),
  'scenic webgl2': (src) => `/bench/scenic.html?backend=webgl2&src=${encodeURIComponent(src)}`,
  'three.js r187': (src) => `/bench/three.html?src=${encodeURIComponent(src)}`,
  'model-viewer 4.4': (src) => `/bench/model-viewer.html?src=${encodeURIComponent(src)}`,
};
// BENCH_NETWORK=latency_ms,kbit_s throttles every run (DevTools network emulation), e.g.
// 150,1600 for a slow 4G link: then the bytes on the wire decide the first frame.
const NETWORK = process.env.BENCH_NETWORK?.split(',').map(Number);
const only = process.env.BENCH_SCENES?.split(',');
const onlyCases = process.env.BENCH_CASES?.split(',');

const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor((s.length - 1) / 2)]; };
const fmt = (a, digits = 0) => (a.length ? `${median(a).toFixed(digits)} (${Math.min(...a).toFixed(digits)}–${Math.max(...a).toFixed(digits)})` : 'n/a');

async function once(browser, url, src, frames) {
  // A fresh context each run: empty cache, so code bytes are what a first visit downloads.
  const context = await browser.newContext({ viewport: { width: 600, height: 450 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const code = [];
  page.on('response', async (r) => {
    const type = r.request().resourceType();
    if (type === 'script' || r.url().endsWith('.wasm')) {
      try { code.push(zlib.gzipSync(await r.body(), { level: 9 }).length); } catch { /* body gone */ }
    }
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  if (NETWORK) {
    await cdp.send('Network.enable');
    const bytesPerSecond = NETWORK[1] * 1000 / 8;
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: NETWORK[0], downloadThroughput: bytesPerSecond, uploadThroughput: bytesPerSecond });
  }
  await page.goto(`${BASE}${url}`);
  await page.waitForFunction(() => window.__bench?.firstFrame !== null || window.__bench?.error, null, { timeout: 180000 });
  const { firstFrame, error } = await page.evaluate(() => window.__bench);
  // Scenic's own User Timing marks (wasm ready, GPU ready, model ready, first frame).
  const marks = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark').filter((m) => m.name.startsWith('scenic:')).map((m) => [m.name.slice(7).replace(/^web(gpu|gl2)-/, 'wasm-'), m.startTime])));
  if (error) throw new Error(`${url}: ${error}`);
  // Bytes on the wire (after the server's content coding: brotli or gzip where accepted).
  const sent = await page.evaluate((model) => {
    const out = { code: 0, model: 0, glb: 0 };
    for (const r of performance.getEntriesByType('resource')) {
      const path = new URL(r.name).pathname;
      if (/\.(m?js|wasm)$/.test(path)) out.code += r.encodedBodySize;
      else if (path === model) { out.model += r.encodedBodySize; out.glb += r.decodedBodySize; }
    }
    return out;
  }, src);
  await page.waitForTimeout(500);
  const task = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value;
  const t0 = await task();
  const deltas = await page.evaluate((n) => window.__orbitFrames(n), frames);
  const cpu = ((await task()) - t0) * 1000 / frames;
  await page.waitForTimeout(300);
  await cdp.send('HeapProfiler.collectGarbage');
  // JS heap, ArrayBuffer backing stores (three.js keeps geometry in typed arrays there) and wasm
  // linear memory (not among the backing stores).
  const usage = await cdp.send('Runtime.getHeapUsage');
  const heap = usage.usedSize + (usage.backingStorageSize ?? 0);
  const wasm = await page.evaluate(() => window.__bench.memory());
  await context.close();
  return { code: code.reduce((a, b) => a + b, 0), sent, firstFrame, frame: median(deltas), cpu, memory: heap + wasm, wasm, marks };
}

let browser = await launch();
const results = {};
for (let run = 0; run < RUNS; run++) {
  for (const [scene, src] of Object.entries(SCENES)) {
    if (only && !only.includes(scene)) continue;
    for (const [name, url] of Object.entries(CASES)) {
      if (onlyCases && !onlyCases.some((c) => name.includes(c))) continue;
      const key = `${scene}|${name}`;
      results[key] ??= [];
      // A crashed browser (it happens under SwiftShader's memory pressure) is started again.
      if (!browser.isConnected()) browser = await launch();
      try {
        results[key].push(await once(browser, url(src), src, ORBIT_FRAMES[scene]));
      } catch (e) {
        console.error(`run ${run + 1}: ${key}: ${e.message.split('\n')[0]}`);
      }
      process.stderr.write('.');
    }
  }
}
await browser.close();
process.stderr.write('\n');

const network = NETWORK ? `network ${NETWORK[0]} ms latency, ${NETWORK[1]} kbit/s` : 'no network throttling';
console.log(`Medians (min–max) over ${RUNS} interleaved runs; 600×450 CSS px, DPR 1; headless Chromium (SwiftShader); ${network}; orbit frames: ${JSON.stringify(ORBIT_FRAMES)}.`);
console.log('| scene | viewer | code gzipped (KB) | code sent (KB) | model sent (KB) | first frame (ms) | frame interval (ms) | main-thread CPU / frame (ms) | JS heap + buffers + wasm (MB) | of which wasm (MB) | wasm ÷ the GLB |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const [key, rows] of Object.entries(results)) {
  const [scene, name] = key.split('|');
  const col = (f) => rows.map(f);
  console.log(`| ${scene} | ${name} | ${fmt(col((r) => r.code / 1000), 1)} | ${fmt(col((r) => r.sent.code / 1000), 1)} | ${fmt(col((r) => r.sent.model / 1000), 1)} | ${fmt(col((r) => r.firstFrame))} | ${fmt(col((r) => r.frame), 1)} | ${fmt(col((r) => r.cpu), 2)} | ${fmt(col((r) => r.memory / 1e6), 1)} | ${name.startsWith('scenic') ? fmt(col((r) => r.wasm / 1e6), 1) : '–'} | ${name.startsWith('scenic') ? fmt(col((r) => r.wasm / r.sent.glb), 2) : '–'} |`);
}

console.log('');
console.log('Scenic first frame, where the time goes (ms since navigation start, medians):');
console.log('| scene | backend | wasm ready | GPU ready | model ready | first frame |');
console.log('|---|---|---|---|---|---|');
for (const [key, rows] of Object.entries(results)) {
  const [scene, name] = key.split('|');
  if (!name.startsWith('scenic') || !rows.length) continue;
  const m = (k) => fmt(rows.map((r) => r.marks[k]).filter((v) => v !== undefined));
  console.log(`| ${scene} | ${name.slice(7)} | ${m('wasm-ready')} | ${m('gpu-ready')} | ${m('model-ready')} | ${m('first-frame')} |`);
}
