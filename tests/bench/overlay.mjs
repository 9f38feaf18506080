// Overlay benchmark: per-frame cost of placing N POI labels (projection, occlusion against the
// scene's BVH, decluttering: `layout`, in wasm) and moving their DOM labels (`dom`), measured
// in headless Chromium on the lakeside scene while the camera orbits. Prints medians.
// Run with `cargo xtask bench-overlay`.
import { launch, BASE } from '../e2e/browser.mjs';

const FRAMES = 120;
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const p90 = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length * 0.9)]; };

const browser = await launch();
const rows = [];
for (const n of [100, 1000, 10000]) {
  const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
  await page.goto(`${BASE}/fidelity/?backend=webgpu&src=/assets/lakeside.glb&size=600`);
  await page.waitForFunction(() => document.getElementById('viewer')?.dataset.state === 'ready', null, { timeout: 60000 });
  await page.evaluate(async (count) => {
    const pois = [];
    for (let i = 0; i < count; i++) {
      const x = ((i * 7919) % 2200) / 10 - 110, z = ((i * 104729) % 2200) / 10 - 110;
      pois.push({ id: `p${i}`, name: { zh: `景点${i}`, en: `Spot ${i}` }, category: 'attraction', priority: i % 5, position: [x, 8 + (i % 3), z] });
    }
    await document.getElementById('viewer').setPois(pois);
    await new Promise((r) => setTimeout(r, 300));
    globalThis.__scenicBench = [];
  }, n);
  // Keep the camera moving: each key press adds a damped turn.
  await page.locator('scenic-viewer').focus();
  while ((await page.evaluate(() => globalThis.__scenicBench.length)) < FRAMES) {
    await page.keyboard.press('ArrowLeft');
    await page.waitForTimeout(50);
  }
  const samples = await page.evaluate(() => globalThis.__scenicBench);
  const layout = samples.map((s) => s.layout), dom = samples.map((s) => s.dom), total = samples.map((s) => s.layout + s.dom);
  rows.push({ n, frames: samples.length, layout: median(layout), dom: median(dom), total: median(total), p90: p90(total), min: Math.min(...total), max: Math.max(...total) });
  await page.close();
}
await browser.close();
console.log('| POIs | frames | layout median (ms) | DOM median (ms) | total median (ms) | total p90 | total min–max |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.n.toLocaleString('en')} | ${r.frames} | ${r.layout.toFixed(2)} | ${r.dom.toFixed(2)} | ${r.total.toFixed(2)} | ${r.p90.toFixed(2)} | ${r.min.toFixed(2)}–${r.max.toFixed(2)} |`);
}
