// The docs page: shows each example's markup under it, logs events, and wires the method buttons
// and the iframe example. No inline script anywhere (the page runs under a strict CSP).
import { ScenicViewer } from './scenic-viewer.js';

const RUNTIME = ['tabindex', 'data-state', 'data-backend', 'id'];
for (const viewer of document.querySelectorAll('.example scenic-viewer')) {
  const copy = viewer.cloneNode(false);
  for (const a of RUNTIME) copy.removeAttribute(a);
  const pre = document.createElement('pre');
  const code = document.createElement('code');
  code.textContent = copy.outerHTML;
  pre.append(code);
  viewer.parentElement.append(pre);
}

const log = document.getElementById('log');
const events = document.getElementById('events-viewer');
for (const name of ScenicViewer.events) {
  events.addEventListener(name, (e) => {
    const d = e.detail ?? {};
    const text = name === 'load' ? `${d.triangles} triangles, ${d.scenes.length} scene(s)`
      : name === 'progress' ? `${d.loaded} / ${d.total} bytes`
      : name === 'poi-select' ? `${d.id}` : name === 'poi-load' ? `${d.count} POIs` : JSON.stringify(d);
    log.textContent = `${name}: ${text}\n${log.textContent}`.slice(0, 4000);
  });
}

const result = document.getElementById('result');
const show = (v) => { result.textContent = typeof v === 'string' ? v : JSON.stringify(v, null, 1); };
const firstPoi = () => events.poiList[0]?.id;
const CALLS = {
  flyTo: () => events.flyTo(firstPoi()),
  selectPoi: () => events.selectPoi(firstPoi()),
  resetView: () => events.resetView(),
  closeCard: () => events.closeCard(),
  useCamera: () => events.useCamera(0),
  setScene: () => events.setScene(0),
  readPixels: async () => { const p = await events.readPixels(); return `${p.width}×${p.height}, ${p.data.length} bytes of RGBA`; },
  getCameraOrbit: () => events.getCameraOrbit(),
  toBlob: async () => { const b = await events.toBlob(); open(URL.createObjectURL(b)); return `${b.type}, ${b.size} bytes`; },
  setPois: () => events.setPois([{ id: 'here', name: { zh: '这里', en: 'Here' }, category: 'viewpoint', position: [0, 2, 0] }]).then(() => events.poiList),
  gpuStats: () => ScenicViewer.gpuStats(),
};
for (const b of document.querySelectorAll('[data-call]')) {
  b.addEventListener('click', async () => {
    try { show((await CALLS[b.dataset.call]()) ?? 'done'); } catch (e) { show(`error: ${e.message}`); }
  });
}

// The AR example: stand 120 m south of the lake's origin, then open a mode (from a tap, as iOS wants).
const arViewer = document.getElementById('ar-viewer');
const AR = {
  stand: () => arViewer.setVisitorPosition({ longitude: 121.5445, latitude: 29.8694, accuracy: 5 }),
  map: () => arViewer.enterAR('map'),
  location: () => arViewer.enterAR('location'),
  webxr: () => arViewer.enterAR('webxr'),
  exit: () => arViewer.exitAR(),
};
for (const b of document.querySelectorAll('[data-ar-call]')) {
  b.addEventListener('click', async () => {
    try { show((await AR[b.dataset.arCall]()) ?? arViewer.arStatus ?? 'done'); } catch (e) { show(`error: ${e.message}`); }
  });
}

// The iframe example talks to embed.html with postMessage, as an operator's page would.
const frame = document.getElementById('frame');
const frameLog = document.getElementById('frame-log');
const frameUrl = new URL('embed.html', location.href);
frameUrl.search = new URLSearchParams({ src: 'assets/lakeside.glb', pois: 'assets/lakeside-pois.geojson', lang: 'en', origin: location.origin });
let firstFramePoi = null;
window.addEventListener('message', (e) => {
  if (e.source !== frame.contentWindow || e.origin !== frameUrl.origin || e.data?.type !== 'scenic') return;
  if (e.data.event === 'load') frame.contentWindow.postMessage({ type: 'scenic', id: 'pois', call: 'getPois' }, frameUrl.origin);
  if (e.data.id === 'pois') firstFramePoi = e.data.result?.[0]?.id ?? null;
  frameLog.textContent = `${JSON.stringify(e.data).slice(0, 200)}\n${frameLog.textContent}`.slice(0, 3000);
});
frame.src = frameUrl.href;
document.getElementById('frame-fly').addEventListener('click', () => {
  frame.contentWindow.postMessage({ type: 'scenic', id: 'select', call: 'selectPoi', args: [firstFramePoi] }, frameUrl.origin);
});
