// embed.html: <scenic-viewer> filling an iframe, configured from the query string, for sites
// that cannot add scripts. A parent page talks to it with postMessage (see docs.html#iframe):
//
//   parent → frame  { type: 'scenic', id, call: 'flyTo' | 'selectPoi' | 'closeCard' | 'resetView' |
//                     'enterAR' | 'exitAR' | 'setVisitorPosition' | 'getArStatus' |
//                     'startTour' | 'nextStop' | 'previousStop' | 'pauseTour' | 'resumeTour' | 'endTour' |
//                     'getTour' | 'shareUrl' | 'setCameraMode' | 'getWalkPose' |
//                     'setAttribute' | 'removeAttribute' | 'getInfo' | 'getPois' | 'getCameraOrbit', args: [...] }
//   frame → parent  { type: 'scenic', id, result } or { type: 'scenic', id, error }   (replies)
//                   { type: 'scenic', event: 'ready' | 'load' | 'error' | 'progress' | 'poi-load' | 'poi-select' |
//                     'poi-warning' | 'poi-error' | 'warning' | 'tour-…' | 'ar-…', detail }  (events)
//
// Only the parent's origin is listened to and written to: the `origin` parameter (one or more,
// comma-separated) when given, else the origin of the page that embeds the frame.
import { ScenicViewer } from './scenic-viewer.min.js';

const params = new URLSearchParams(location.search);
const viewer = document.createElement('scenic-viewer');
for (const [name, value] of params) {
  // Only the element's own attributes: a query string cannot add handlers or styles.
  if (ScenicViewer.observedAttributes.includes(name)) viewer.setAttribute(name, value);
}
if (params.get('lang')) document.documentElement.lang = params.get('lang');
document.title = params.get('alt') || document.title;
document.body.append(viewer);

function parentOrigins() {
  const given = (params.get('origin') ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  const list = given.length ? given : [location.ancestorOrigins?.[0] ?? (document.referrer ? new URL(document.referrer).origin : '')];
  // Normalise to origins; anything that is not an http(s) origin is dropped (never '*').
  return list.flatMap((o) => {
    try {
      const u = new URL(o);
      return /^https?:$/.test(u.protocol) ? [u.origin] : [];
    } catch {
      return [];
    }
  });
}

const embedded = window.parent !== window;
const origins = embedded ? parentOrigins() : [];

function post(message) {
  // Plain data only (events may carry objects from wasm).
  const data = JSON.parse(JSON.stringify({ type: 'scenic', ...message }));
  for (const origin of origins) window.parent.postMessage(data, origin);
}

const CALLS = {
  flyTo: (id) => viewer.flyTo(String(id)),
  selectPoi: (id) => viewer.selectPoi(String(id)),
  closeCard: () => viewer.closeCard(),
  resetView: () => viewer.resetView(),
  setAttribute: (name, value) => {
    if (!ScenicViewer.observedAttributes.includes(name)) throw new Error(`${name} is not an attribute of scenic-viewer`);
    viewer.setAttribute(name, String(value));
  },
  removeAttribute: (name) => {
    if (!ScenicViewer.observedAttributes.includes(name)) throw new Error(`${name} is not an attribute of scenic-viewer`);
    viewer.removeAttribute(name);
  },
  getInfo: () => ({ state: viewer.state, backend: viewer.activeBackend, info: viewer.info }),
  getPois: () => viewer.poiList,
  getCameraOrbit: () => viewer.getCameraOrbit(),
  // AR needs the iframe to allow it: <iframe allow="camera; geolocation; accelerometer; gyroscope; magnetometer; xr-spatial-tracking">
  // (the last for the WebXR sand table).
  enterAR: (mode) => viewer.enterAR(mode === undefined ? undefined : String(mode)),
  exitAR: () => viewer.exitAR(),
  setVisitorPosition: (p) => viewer.setVisitorPosition({ longitude: Number(p?.longitude), latitude: Number(p?.latitude), altitude: p?.altitude == null ? null : Number(p.altitude), accuracy: p?.accuracy == null ? undefined : Number(p.accuracy), crs: p?.crs == null ? undefined : String(p.crs) }),
  getArStatus: () => ({ mode: viewer.arMode, status: viewer.arStatus }),
  // Tours: the `tour` attribute (setAttribute) gives the itinerary.
  startTour: (index, options) => viewer.startTour(Number(index ?? 0), { play: options?.play !== false }),
  nextStop: () => viewer.nextStop(),
  previousStop: () => viewer.previousStop(),
  pauseTour: () => viewer.pauseTour(),
  resumeTour: () => viewer.resumeTour(),
  endTour: () => viewer.endTour(),
  getTour: () => ({ tour: viewer.tourInfo, stop: viewer.tourStop }),
  setCameraMode: (mode) => viewer.setCameraMode(String(mode)),
  getWalkPose: () => viewer.getWalkPose(),
  // This frame's address for what is shown (a parent page may copy its hash into its own link).
  shareUrl: () => viewer.shareUrl(),
};

window.addEventListener('message', async (e) => {
  if (e.source !== window.parent || !origins.includes(e.origin)) return; // not our parent: ignored
  const msg = e.data;
  if (!msg || msg.type !== 'scenic' || typeof msg.call !== 'string') return;
  const fn = Object.hasOwn(CALLS, msg.call) ? CALLS[msg.call] : null;
  try {
    if (!fn) throw new Error(`unknown call ${JSON.stringify(msg.call)}`);
    const result = await fn(...(Array.isArray(msg.args) ? msg.args : []));
    post({ id: msg.id, result: result ?? null });
  } catch (err) {
    post({ id: msg.id, error: String(err?.message ?? err) });
  }
});

if (embedded) {
  for (const name of ScenicViewer.events) {
    viewer.addEventListener(name, (e) => post({ event: name, detail: e.detail ?? null }));
  }
  post({ event: 'ready', detail: { attributes: ScenicViewer.observedAttributes } });
}
