// Decoder benchmark: Scenic's decoder modules against three.js r187's DRACOLoader, MeshoptDecoder
// and KTX2Loader on the same files, in the same headless Chromium, interleaved page loads
// (www/bench/decoders.html). Per file: the first decode in a fresh page (decoder code fetched and
// compiled, workers started) and a warm decode (the page's later runs), medians with min–max;
// then each decoder's code in gzip -9 bytes. Run with `cargo xtask bench-decoders`.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { launch, BASE } from '../e2e/browser.mjs';

const LOADS = Number(process.env.BENCH_RUNS ?? 5);
const RUNS_PER_LOAD = 5;
const FILES = {
  'Duck (Draco)': '/corpus/gltf/models/Duck/glTF-Draco/Duck.gltf',
  'Avocado (Draco)': '/corpus/gltf/models/Avocado/glTF-Draco/Avocado.gltf',
  'CesiumMan (Draco)': '/corpus/gltf/models/CesiumMan/glTF-Draco/CesiumMan.gltf',
  'DamagedHelmet (meshopt, gltfpack -cc -vpf)': '/generated/meshopt/helmet-exp.glb',
  'Duck (meshopt, gltfpack -c)': '/generated/meshopt/duck-ext.glb',
  'Duck (KTX2 UASTC + Zstandard)': '/generated/ktx2/duck-uastc.gltf',
  'Duck (KTX2 ETC1S)': '/generated/ktx2/duck-etc1s.gltf',
  'AnisotropyBarnLamp (KTX2, 4 images)': '/corpus/gltf/models/AnisotropyBarnLamp/glTF-KTX2-Basisu/AnisotropyBarnLamp.gltf',
};
const ENGINES = ['scenic', 'three'];

const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor((s.length - 1) / 2)]; };
const fmt = (a) => (a.length ? `${median(a).toFixed(1)} (${Math.min(...a).toFixed(1)}–${Math.max(...a).toFixed(1)})` : 'n/a');

async function once(browser, engine, src) {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(`${BASE}/bench/decoders.html?engine=${engine}&runs=${RUNS_PER_LOAD}&src=${encodeURIComponent(src)}`);
    await page.waitForFunction(() => window.__decoders, null, { timeout: 180000 });
    return await page.evaluate(() => window.__decoders);
  } finally {
    await context.close();
  }
}

const browser = await launch();
const rows = [];
for (const [name, src] of Object.entries(FILES)) {
  const got = Object.fromEntries(ENGINES.map((e) => [e, { cold: [], warm: [], formats: new Set(), error: null, streams: 0 }]));
  for (let i = 0; i < LOADS; i++) {
    for (const engine of i % 2 ? [...ENGINES].reverse() : ENGINES) {
      const r = await once(browser, engine, src);
      const g = got[engine];
      if (r.error) { g.error = r.error; continue; }
      g.cold.push(r.runs[0]);
      g.warm.push(...r.runs.slice(1));
      g.streams = r.streams.length;
      r.formats.forEach((f) => g.formats.add(f));
    }
  }
  for (const engine of ENGINES) {
    const g = got[engine];
    rows.push([name, engine, g.streams, g.error ?? fmt(g.cold), g.error ? '' : fmt(g.warm), [...g.formats].join(', ')]);
  }
}
await browser.close();

console.log(`\nDecode time in ms, median (min–max) of ${LOADS} page loads; warm: their ${RUNS_PER_LOAD - 1} later runs each\n`);
console.log('| file | engine | streams | first decode (cold) | warm decode | GPU format |');
console.log('|---|---|---:|---:|---:|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);

// What each decoder downloads (gzip -9 of the files as served; three's loaders as their sources).
const root = path.resolve(import.meta.dirname, '../..');
const gz = (files) => files.reduce((n, f) => n + zlib.gzipSync(fs.readFileSync(path.join(root, f)), { level: 9 }).length, 0);
const three = 'tests/bench/node_modules/three/examples/jsm';
const CODE = {
  Draco: { scenic: ['www/pkg/draco/scenic_draco.js', 'www/pkg/draco/scenic_draco_bg.wasm'], three: [`${three}/loaders/DRACOLoader.js`, `${three}/libs/draco/gltf/draco_wasm_wrapper.js`, `${three}/libs/draco/gltf/draco_decoder.wasm`] },
  meshopt: { scenic: ['www/pkg/meshopt/scenic_meshopt.js', 'www/pkg/meshopt/scenic_meshopt_bg.wasm'], three: [`${three}/libs/meshopt_decoder.module.js`] },
  KTX2: { scenic: ['www/pkg/basis/scenic_basis.js', 'www/pkg/basis/scenic_basis_bg.wasm'], three: [`${three}/loaders/KTX2Loader.js`, `${three}/libs/ktx-parse.module.js`, `${three}/libs/zstddec.module.js`, `${three}/libs/basis/basis_transcoder.js`, `${three}/libs/basis/basis_transcoder.wasm`] },
};
const shared = gz(['www/features/decoders.js', 'www/features/decoders-worker.js']);
console.log(`\nDecoder code, gzip -9 bytes (Scenic's worker and dispatch, ${shared} B, come on top once)\n`);
console.log('| decoder | scenic | three.js r187 |');
console.log('|---|---:|---:|');
for (const [name, c] of Object.entries(CODE)) console.log(`| ${name} | ${gz(c.scenic).toLocaleString('en')} | ${gz(c.three).toLocaleString('en')} |`);
