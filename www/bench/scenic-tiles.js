import '../scenic-viewer.min.js';
import { tilesParams } from './tiles-common.js';

const { url, budget, errorTarget, backend, start } = tilesParams();
const v = document.createElement('scenic-viewer');
v.setAttribute('backend', backend);
v.setAttribute('tiles-budget', String(budget / 1024 / 1024));
v.setAttribute('tiles-error', String(errorTarget));
v.setAttribute('camera-target', '0 20 0');
v.setAttribute('camera-orbit', `${start[0]}deg ${start[1]}deg ${start[2]}m`);
v.style.cssText = 'display:block;width:600px;height:450px';
let failed = 0;
v.addEventListener('warning', (e) => { if (e.detail.message.startsWith('tiles:')) failed++; });
v.setAttribute('tiles', url);
document.body.append(v);
// Settled: nothing wanted or streaming for three animation frames in a row.
let quiet = 0;
const watch = () => {
  const i = v.tilesInfo();
  quiet = i && i.wanted === 0 && i.pending === 0 && !v.hasAttribute('data-tiles-streaming') ? quiet + 1 : 0;
  requestAnimationFrame(watch);
};
requestAnimationFrame(watch);
window.__tiles = {
  place: (yaw, pitch, distance) => v.setAttribute('camera-orbit', `${yaw}deg ${pitch}deg ${distance}m`),
  settled: () => quiet >= 3,
  stats: async () => {
    const i = v.tilesInfo() ?? {};
    const g = await customElements.get('scenic-viewer').gpuStats();
    return { loaded: i.loaded, failed, drawn: i.drawn, gpuBytes: g.sceneBytes, wasmBytes: g.wasmBytes };
  },
};
