// <scenic-viewer>: the embeddable element. Thin by design: attributes → calls on the wasm Viewer
// handle, input → camera deltas, and events out. Rendering happens only when something changed.
// Families of attributes live in features/: controls (input), staging (camera and light), pois,
// animation, ar (location AR and the AR map).
//
// Two wasm bundles sit beside this file: pkg/webgpu (wgpu) and pkg/webgl2 (Scenic's own WebGL2
// renderer). A browser downloads the WebGL2 one only when it gets no WebGPU adapter. Each comes
// twice: full, and lite (pkg/webgpu-lite, pkg/webgl2-lite) without the rooms only some pages
// use (AR, tours, panoramas, 3D Tiles). A page that uses none of those gets the lite one; one
// that starts to later (enterAR(), a `tour` attribute set after load) moves to the full one,
// the model loaded again from the browser's cache with the camera kept. Every viewer on a page
// shares one instance of each bundle, and WebGPU viewers share one GPU device.

import { PoiLayer, poiStyles } from './features/pois.js';
import { attachControls } from './features/controls.js';
import { applyStaging, STAGING_ATTRIBUTES } from './features/staging.js';
import { memoryBudget } from './features/memory.js';
import { Lighting, LIGHTING_ATTRIBUTES } from './features/lighting.js';
// pois.js imports this; naming it here too lets the browser fetch it with the modules above
// instead of one round trip later (on a mobile link each level of imports is a round trip).
import './features/poi-fetch.js';
import { tangentsIn, prefilterIn } from './features/tangents.js';
import { decodersIn } from './features/decoders.js';
import { ANIMATION_ATTRIBUTES, applyAnimation, animationEvents } from './features/animation.js';
import { primaryLang } from './features/lang.js';
import { WalkMode, walkStyles, WALK_ATTRIBUTES } from './features/walk.js';
import { Minimap, minimapStyles } from './features/minimap.js';
import { GyroLook, gyroStyles } from './features/gyro.js';
import { readLink, shareUrl } from './features/links.js';

// The path is from this file, which is also where the one-file build lives. Not written as
// `new Worker(new URL(...))`: Vite would bundle the worker and then require `worker.format: 'es'`
// of every app; in a bundled app the script is not found and MikkTSpace runs on the page.
const TANGENT_WORKER = new URL('./features/tangents-worker.js', import.meta.url);
const tangentWorker = () => new Worker(TANGENT_WORKER, { type: 'module' });
const DECODER_WORKER = new URL('./features/decoders-worker.js', import.meta.url);
const decoderWorker = () => new Worker(DECODER_WORKER, { type: 'module' });
const decoderModules = {
  meshopt: () => import('./pkg/meshopt/scenic_meshopt.js'),
  draco: () => import('./pkg/draco/scenic_draco.js'),
  basis: () => import('./pkg/basis/scenic_basis.js'),
  // MikkTSpace, for a file with a normal map and no tangents where the tangent worker cannot run.
  mikktspace: () => import('./pkg/mikktspace/scenic_mikktspace.js'),
};

// AR (features/ar.js) is fetched only by a page that uses it: the `ar` attribute or enterAR().
const AR_ATTRIBUTES = ['ar', 'ar-fov', 'ar-max-distance', 'ar-max-accuracy', 'visitor-crs'];
const arModule = () => import('./features/ar.js');
// Tours (features/tour.js) likewise: the `tour` attribute or setTour().
const tourModule = () => import('./features/tour.js');
// Panoramas (features/panorama.js): the `panoramas` attribute or setPanoramas().
const panoramaModule = () => import('./features/panorama.js');
// 3D Tiles (features/tiles.js): the `tiles` attribute.
const tilesModule = () => import('./features/tiles.js');

// Literal specifiers, so bundlers (Vite, Rollup, webpack) see the chunks and their .wasm assets.
const importers = {
  webgpu: () => import('./pkg/webgpu/scenic.js'),
  webgl2: () => import('./pkg/webgl2/scenic.js'),
  'webgpu-lite': () => import('./pkg/webgpu-lite/scenic.js'),
  'webgl2-lite': () => import('./pkg/webgl2-lite/scenic.js'),
};
/** Attributes whose rooms only the full bundles hold. */
const GUIDE_ATTRIBUTES = ['ar', 'tour', 'panoramas', 'tiles'];
const bundles = new Map();
// After a wasm trap every bundle is loaded again as a new instance: a module URL with a query is a
// module of its own (not in a bundled app, where the path is not there and the viewer says so).
let restarts = 0;
// (`import.meta.url` through a name: bundlers copy what `new URL(`…`, import.meta.url)` names.)
const HERE = import.meta.url;
const fresh = (name) => import(/* @vite-ignore */ new URL(`./pkg/${name}/scenic.js?restart=${restarts}`, HERE).href);
function bundle(name) {
  if (!bundles.has(name)) {
    const loading = (restarts ? fresh(name) : importers[name]()).then(async (m) => { await m.default(); performance.mark(`scenic:${name}-ready`); return m; });
    // A failed download may be retried by the next viewer (a flaky mobile network).
    loading.catch(() => bundles.delete(name));
    bundles.set(name, loading);
  }
  return bundles.get(name);
}

/** Each connected viewer's handler for a trap (a trap stops every instance they share). */
const live = new Set();
const seen = new WeakSet();
/** A wasm trap (`unreachable`: a panic, which the release build turns into one; an allocation
 *  that memory cannot grow for) leaves its instance half way through a call, its state unknown,
 *  and an async call's promise never settled: the load would hang. Every viewer moves to new
 *  instances. Seen here from the element's own calls and, for traps in a wasm task (a load),
 *  from the page's `error` and `unhandledrejection` events. Returns whether `e` was a trap. */
function trapped(e) {
  if (!(e instanceof WebAssembly.RuntimeError)) return false;
  if (seen.has(e)) return true;
  seen.add(e);
  restarts++;
  bundles.clear();
  for (const onTrap of live) onTrap(e);
  return true;
}
addEventListener('error', (e) => trapped(e.error));
addEventListener('unhandledrejection', (e) => trapped(e.reason));

async function hasWebGpuAdapter() {
  try {
    return !!(navigator.gpu && (await navigator.gpu.requestAdapter()));
  } catch {
    return false;
  }
}

/** Whether the WebXR sand table may be asked for: an AR page in a browser offering immersive AR. */
async function mayUseXr(host) {
  try {
    return host.hasAttribute('ar') && !!(await navigator.xr?.isSessionSupported('immersive-ar'));
  } catch {
    return false;
  }
}

/** A viewer on `canvas` from the first bundle that opens: `{ viewer, bundle }`, or null once
 *  `stale()` (a backend set by script just after the element connected must not cost the
 *  download of the bundle `auto` was about to pick). With `auto`, an AR page where the sand
 *  table may run takes WebGL2 at once: XR layers take a WebGL context, and moving there later
 *  loads the model again. */
async function openViewer(canvas, wanted, full, onLost, host, stale) {
  const errors = [];
  const order = wanted === 'webgpu' ? ['webgpu'] : wanted === 'webgl2' ? ['webgl2']
    : (await mayUseXr(host)) ? ['webgl2', 'webgpu']
    : (await hasWebGpuAdapter()) ? ['webgpu', 'webgl2'] : ['webgl2'];
  for (const name of order) {
    if (stale()) return null;
    try {
      const b = full ? name : `${name}-lite`;
      const m = await bundle(b);
      return { viewer: await m.Viewer.create(canvas, { backend: name }, onLost), bundle: b };
    } catch (e) {
      errors.push(`${name}: ${e?.message ?? e}`);
    }
  }
  throw new Error(`no way to draw here (${errors.join('; ')})`);
}

const UI = {
  zh: { reset: '重置视角', fullscreen: '全屏', exitFullscreen: '退出全屏', view: '景区三维视图', load: '加载三维视图' },
  en: { reset: 'Reset view', fullscreen: 'Full screen', exitFullscreen: 'Exit full screen', view: '3D view of the scenic area', load: 'Load the 3D view' },
};

const template = document.createElement('template');
template.innerHTML = `
<style>
  /* Theme: operators set --scenic-* on the element; the --_ values are the fallbacks per scheme. */
  :host { --_bg: #cfdbe6; --_surface: #fff; --_on-surface: #1d2733; --_accent: #2a7ae2; --_error: #8a1c1c; --_warn: #7a4a00;
          display: block; position: relative; width: 300px; height: 150px; contain: strict;
          background: var(--scenic-background, var(--_bg)); color: var(--scenic-text, var(--_on-surface));
          font: 14px/1.4 var(--scenic-font, system-ui, "PingFang SC", "Microsoft YaHei", sans-serif); touch-action: none; }
  :host([theme="dark"]) { --_bg: #18202a; --_surface: #232c37; --_on-surface: #e8eef5; --_accent: #6aa8ff; --_error: #ffb3b3; --_warn: #ffd58a; }
  @media (prefers-color-scheme: dark) {
    :host(:not([theme="light"])) { --_bg: #18202a; --_surface: #232c37; --_on-surface: #e8eef5; --_accent: #6aa8ff; --_error: #ffb3b3; --_warn: #ffd58a; }
  }
  :host(:focus-visible) { outline: 2px solid var(--scenic-accent, var(--_accent)); outline-offset: -2px; }
  :host([hidden]) { display: none; }
  canvas { position: absolute; inset: 0; width: 100%; height: 100%; display: block; }
  .poster { position: absolute; inset: 0; width: 100%; height: 100%; object-fit: cover; pointer-events: none;
            transition: opacity .3s; }
  .poster[hidden], :host([data-state="ready"]) .poster { opacity: 0; }
  .progress { position: absolute; inset-inline: 10%; bottom: 12px; height: 4px; border-radius: 2px;
              background: rgba(0,0,0,.15); overflow: hidden; opacity: 0; transition: opacity .2s; }
  :host([data-state="loading"]) .progress { opacity: 1; }
  .bar { height: 100%; width: 0; background: var(--scenic-accent, var(--_accent)); transition: width .1s; }
  /* Length unknown (a compressed response): a bar that travels instead of one that fills. */
  .progress[data-indeterminate] .bar { width: 30%; animation: scenic-travel 1.2s ease-in-out infinite; }
  @keyframes scenic-travel { from { margin-inline-start: -30%; } to { margin-inline-start: 100%; } }
  @media (prefers-reduced-motion: reduce) { .progress[data-indeterminate] .bar { animation: none; width: 100%; opacity: .5; } }
  .message { position: absolute; inset-inline: 8px; bottom: 24px; padding: 8px 10px; border-radius: 6px;
             background: var(--scenic-card-background, var(--scenic-surface, var(--_surface))); color: var(--_error);
             display: none; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 60%; overflow: auto; }
  :host([data-state="error"]) .message { display: block; }
  .toolbar { position: absolute; top: 8px; inset-inline-end: 8px; display: flex; gap: 6px; }
  .toolbar button, .start { display: inline-grid; place-items: center; min-width: 32px; height: 32px; border-radius: 16px; border: 0; cursor: pointer; font: inherit;
            background: var(--scenic-button-background, var(--scenic-surface, var(--_surface)));
            color: var(--scenic-button-color, var(--scenic-text, var(--_on-surface))); box-shadow: 0 1px 4px rgba(0,0,0,.25); }
  .toolbar button:focus-visible, .start:focus-visible { outline: 2px solid var(--scenic-accent, var(--_accent)); }
  .toolbar button[hidden], .start[hidden] { display: none; }
  :host(:not([data-state="ready"])) .toolbar { display: none; }
  .start { position: absolute; inset: 0; margin: auto; width: max-content; padding-inline: 14px; }
  ${poiStyles}
  ${walkStyles}
  ${minimapStyles}
  ${gyroStyles}
</style>
<canvas part="canvas" role="img"></canvas>
<img class="poster" part="poster" alt="" hidden>
<div class="labels"></div>
<div class="notice" part="notice" role="status" hidden></div>
<div class="toolbar" part="toolbar">
  <button class="reset" part="button reset-button" type="button"><svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"><path d="M12 5V2L7 6l5 4V7a5 5 0 1 1-5 5H5a7 7 0 1 0 7-7z" fill="currentColor"/></svg></button>
  <button class="fullscreen" part="button fullscreen-button" type="button"><svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"><path d="M4 9V4h5v2H6v3zm10-5h6v5h-2V6h-4zM4 15h2v3h3v2H4zm14 0h2v5h-5v-2h3z" fill="currentColor"/></svg></button>
</div>
<button class="start" part="button start-button" type="button" hidden></button>
<div class="card" part="card" role="dialog" hidden><button class="close" part="button close-button" type="button">×</button><div class="body"></div></div>
<ul class="sr-only" part="poi-list"></ul>
<div class="progress" part="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100"><div class="bar" part="progress-bar"></div></div>
<div class="message" part="error" role="alert"></div>`;

// Attributes reflected as properties: attribute → [property, kind].
const REFLECTED = {
  src: ['src', 'string'], pois: ['pois', 'string'], lang: ['lang', 'string'], backend: ['backend', 'string'],
  poster: ['poster', 'string'], loading: ['loading', 'string'], alt: ['alt', 'string'], theme: ['theme', 'string'],
  'camera-orbit': ['cameraOrbit', 'string'], 'camera-target': ['cameraTarget', 'string'],
  'auto-rotate': ['autoRotate', 'boolean'], 'auto-rotate-speed': ['autoRotateSpeed', 'number'],
  exposure: ['exposure', 'number'], environment: ['environment', 'string'],
  'geo-reference': ['geoReference', 'string'], 'pois-crs': ['poisCrs', 'string'],
  autoplay: ['autoplay', 'boolean'], 'animation-name': ['animationName', 'string'], 'animation-crossfade-duration': ['animationCrossfadeDuration', 'number'],
  ar: ['ar', 'boolean'], 'ar-fov': ['arFov', 'number'], 'ar-max-distance': ['arMaxDistance', 'number'],
  'ar-max-accuracy': ['arMaxAccuracy', 'number'], 'visitor-crs': ['visitorCrs', 'string'],
  tour: ['tour', 'string'], 'deep-links': ['deepLinks', 'string'], 'camera-mode': ['cameraMode', 'string'], minimap: ['minimap', 'boolean'], panoramas: ['panoramas', 'string'],
  tiles: ['tiles', 'string'], 'tiles-budget': ['tilesBudget', 'number'], 'tiles-error': ['tilesError', 'number'],
  'memory-budget': ['memoryBudget', 'number'],
  'environment-image': ['environmentImage', 'string'], 'skybox-image': ['skyboxImage', 'string'],
  'shadow-intensity': ['shadowIntensity', 'number'], 'shadow-softness': ['shadowSoftness', 'number'],
};

/** A feature module fetched on first use (tours, panoramas) and the data the page gave it: the
 *  URL in `attribute`, or an object (`fromJs`); given again to a viewer that replaced one. */
class LazyFeature {
  mode = null; fromJs = null; viewer = null; #loading = null;
  constructor(host, attribute, load) { this.host = host; this.attribute = attribute; this.load = load; }

  module() {
    this.#loading ??= this.load().then((m) => (this.mode = m));
    this.#loading.catch(() => { this.#loading = null; }); // a flaky network: retried next time
    return this.#loading;
  }

  /** Hands the data to `viewer` (again, for a viewer that replaced one); `force` for a changed
   *  attribute. */
  async sync(viewer, force = false) {
    const url = this.host.getAttribute(this.attribute);
    if (!url && !this.fromJs) { if (force) this.mode?.load(''); return; }
    if (!force && this.viewer === viewer) return;
    // The module could not be fetched (offline): the next load or attribute change tries again.
    const mode = await this.module().catch(() => null);
    if (!mode) return;
    this.viewer = viewer;
    if (this.fromJs) { try { mode.set(this.fromJs); } catch { /* said by the feature's error event */ } }
    else await mode.load(url);
  }
}

export class ScenicViewer extends HTMLElement {
  static observedAttributes = Object.keys(REFLECTED);
  /** The events the element fires (the embed forwards them; the docs page logs them). */
  static events = ['load', 'error', 'progress', 'poi-load', 'poi-select', 'poi-warning', 'poi-error', 'warning', 'context-restored', 'play', 'pause', 'loop', 'finished', 'ar-start', 'ar-end', 'ar-error', 'ar-position', 'tour-load', 'tour-error', 'tour-stop', 'tour-end', 'panorama-load', 'panorama-enter', 'panorama-exit', 'panorama-error', 'tiles-load', 'tiles-error', 'tiles-progress', 'tiles-ready', 'environment-change'];
  /** This element's own modules, relative to this file (features/ar.js, tour.js and
   *  panorama.js, fetched only by pages that use them, are left out): a page can list them as
   *  `<link rel="modulepreload">` so that a mobile link fetches them at once, not a level of
   *  imports per round trip (the snippet page writes those lines). The build's one-file
   *  `scenic-viewer.min.js` is all of them. */
  static modules = new URL(import.meta.url).pathname.endsWith('.min.js')
    ? ['scenic-viewer.min.js']
    : ['scenic-viewer.js', 'features/pois.js', 'features/controls.js', 'features/staging.js', 'features/poi-fetch.js', 'features/tangents.js', 'features/decoders.js', 'features/animation.js', 'features/lang.js', 'features/links.js', 'features/walk.js', 'features/minimap.js', 'features/gyro.js', 'features/toolbar.js', 'features/memory.js', 'features/lighting.js'];

  /** Registers the offline service worker (scenic-sw.js, copied to the site's root: a worker
   *  serves only the pages under its own folder). Resolves with the registration, or null where
   *  the browser has no service workers (some in-app browsers). */
  static async registerOffline(url = '/scenic-sw.js') {
    if (!('serviceWorker' in navigator)) return null;
    return navigator.serviceWorker.register(url, { type: 'classic' });
  }

  /** What each loaded bundle holds: `{ viewers, devices, sceneBytes, gpuBytes, wasmBytes }` summed,
   *  and `draws`, the draw calls of every viewer's last frame. */
  static async gpuStats() {
    const total = { viewers: 0, devices: 0, sceneBytes: 0, gpuBytes: 0, wasmBytes: 0, draws: 0 };
    for (const loading of bundles.values()) {
      const s = (await loading.catch(() => null))?.gpuStats();
      if (s) for (const k of Object.keys(total)) total[k] += s[k];
    }
    return total;
  }

  #root; #canvas; #bar; #progress; #message; #notice; #poster; #start;
  #viewer = null; #opening = null; #openedWith = null; #openToken = 0;
  /** The bundle the viewer comes from ('webgpu', 'webgl2-lite', …), and whether the page has
   *  used a room that only the full bundles hold (it keeps the full one from then on). */
  #bundle = null; #guide = false;
  /** The camera to put back once a viewer replacing one whose GPU context was lost has loaded. */
  #recovering = null;
  #rafPending = false; #visible = true; #started = false;
  #resizeObserver; #intersection; #connected = false; #dprWatch = null; #loadToken = 0; #poiLayer; #download = null;
  /** The AR feature once loaded (null until the page uses it), and its loading. */
  #ar = null; #arLoading = null;
  /** Tours and panoramas likewise (see LazyFeature). */
  #tours = new LazyFeature(this, 'tour', () => tourModule().then(({ TourMode, tourStyles }) => {
    this.#style(tourStyles);
    return new TourMode(this, this.#root, () => this.#viewer, () => this.#requestFrame(), (m) => this.#warn(m));
  }));
  #panos = new LazyFeature(this, 'panoramas', () => panoramaModule().then(({ PanoramaMode, panoramaStyles }) => {
    this.#style(panoramaStyles);
    return new PanoramaMode(this, this.#root, () => this.#viewer, () => this.#requestFrame(), (m) => this.#warn(m), (id) => this.selectPoi(id).catch(() => {}));
  }));
  #tiles = new LazyFeature(this, 'tiles', () => tilesModule().then(({ TilesMode, tilesStyles }) => {
    this.#style(tilesStyles);
    const pipes = () => ({ tangents: tangentsIn(tangentWorker, this.#bundle, decoderModules), decode: decodersIn(decoderWorker, decoderModules) });
    return new TilesMode(this, this.#root, () => this.#viewer, () => this.#requestFrame(), (m) => this.#warn(m), pipes);
  }));
  /** Walk mode (features/walk.js) and the mini-map (features/minimap.js). */
  #walk; #map; #gyro; #lighting;
  /** The page address's deep link is followed once, after the first load. */
  #linked = false;

  constructor() {
    super();
    const root = this.#root = this.attachShadow({ mode: 'open' });
    root.appendChild(template.content.cloneNode(true));
    this.#canvas = root.querySelector('canvas');
    this.#bar = root.querySelector('.bar');
    this.#progress = root.querySelector('.progress');
    this.#message = root.querySelector('.message');
    this.#notice = root.querySelector('.notice');
    this.#poster = root.querySelector('.poster');
    this.#start = root.querySelector('.start');
    this.#poiLayer = new PoiLayer(this, root, () => this.#requestFrame());
    this.#map = new Minimap(this, root, () => this.#viewer, () => this.#requestFrame(), () => primaryLang(this));
    this.addEventListener('poi-load', () => this.#map.pois());
    this.#gyro = new GyroLook(this, root, () => this.#viewer, () => this.#requestFrame(), (m) => this.#warn(m), () => primaryLang(this));
    this.#walk = new WalkMode(this, root, () => this.#viewer, () => this.#requestFrame(), (m) => this.#warn(m), () => primaryLang(this));
    this.#lighting = new Lighting(this, () => this.#viewer, () => this.#requestFrame(), (m) => this.#warn(m), () => prefilterIn(tangentWorker, this.#bundle));
    attachControls(this, () => this.#viewer, () => this.#requestFrame());
    root.querySelector('.reset').addEventListener('click', () => this.resetView());
    root.querySelector('.fullscreen').addEventListener('click', () => {
      if (document.fullscreenElement === this) document.exitFullscreen(); else this.requestFullscreen?.().catch(() => {});
    });
    this.addEventListener('fullscreenchange', () => this.#localize());
    // A lazy viewer also starts when tapped or activated from the keyboard.
    this.#start.addEventListener('click', () => this.#begin());
    this.addEventListener('pointerdown', () => this.#begin());
    this.#poster.addEventListener('error', () => { this.#poster.hidden = true; });
    this.#resizeObserver = new ResizeObserver(() => this.#resize());
    // One observer serves lazy loading (start when near the viewport) and battery (no frames
    // while off screen).
    this.#intersection = new IntersectionObserver((entries) => {
      const e = entries[entries.length - 1];
      this.#visible = e.isIntersecting;
      if (e.isIntersecting) { this.#begin(); this.#requestFrame(); }
    }, { rootMargin: '300px' });
  }

  connectedCallback() {
    // Moved within the page (disconnect + connect in one task): nothing was released.
    if (this.#connected) return;
    this.#connected = true;
    live.add(this.#onTrap);
    // Focusable for keyboard orbiting (set here: a constructor may not add attributes).
    if (!this.hasAttribute('tabindex')) this.tabIndex = 0;
    this.#resizeObserver.observe(this);
    this.#intersection.observe(this);
    this.#syncPoster();
    this.#localize();
    if (this.hasAttribute('ar')) this.#loadAr().catch(() => {}); // its button shows once loaded
    if (this.#lazy && !this.#started) {
      this.dataset.state = 'idle';
      this.#start.hidden = false;
      return;
    }
    this.#begin();
  }

  disconnectedCallback() {
    // Wait a microtask: an element moved elsewhere in the page is reconnected at once.
    queueMicrotask(() => { if (!this.isConnected) this.#release(); });
  }

  attributeChangedCallback(name, old, value) {
    if (old === value || !this.isConnected) return;
    if (name === 'poster') return this.#syncPoster();
    if (name === 'lang' || name === 'alt') this.#localize();
    // The lite viewer has no room for this: the full one loads the model again, and with it
    // everything is given to it anew.
    if (GUIDE_ATTRIBUTES.includes(name) && value !== null && !this.#guide && this.#lite) {
      if (name === 'tour') this.#tours.fromJs = null;
      if (name === 'panoramas') this.#panos.fromJs = null;
      if (name === 'ar') this.#loadAr().catch(() => {});
      this.#needFull();
      return;
    }
    if (AR_ATTRIBUTES.includes(name)) { if (this.hasAttribute('ar')) this.#loadAr().catch(() => {}); this.#ar?.checkAttributes(); this.#ar?.localize(); this.#requestFrame(); return; }
    if (name === 'loading') { if (!this.#lazy) this.#begin(); return; }
    if (name === 'panoramas') { this.#panos.fromJs = null; if (this.state === 'ready') this.#panos.sync(this.#viewer, true); return; }
    if (name === 'minimap') { if (this.state === 'ready') this.#map.sync(); return; }
    if (WALK_ATTRIBUTES.includes(name)) { if (this.state === 'ready') this.#walk.apply(); return; }
    if (name === 'tiles-budget' || name === 'tiles-error') { this.#tiles.mode?.limits(); this.#requestFrame(); return; }
    if (name === 'tiles') { if (this.state === 'ready') this.#tiles.sync(this.#viewer, true); else if (!this.src && this.#started) this.#load(); return; }
    if (name === 'tour') { this.#tours.fromJs = null; if (this.state === 'ready') this.#tours.sync(this.#viewer, true); return; }
    if (!this.#started) return;
    if (name === 'backend') this.#reopen();
    else if (name === 'src') this.#load();
    else if (LIGHTING_ATTRIBUTES.includes(name)) { if (this.#viewer) this.#lighting.sync(this.#viewer, [name]); }
    else if (STAGING_ATTRIBUTES.includes(name)) { if (this.#viewer) { applyStaging(this, this.#viewer, (m) => this.#warn(m), [name]); this.#requestFrame(); } }
    else if (ANIMATION_ATTRIBUTES.includes(name)) { if (this.state === 'ready') { applyAnimation(this, this.#viewer, (m) => this.#warn(m), [name]); this.#requestFrame(); } }
    else if (['pois', 'lang', 'geo-reference', 'pois-crs'].includes(name) && this.state === 'ready') this.#loadPois();
  }

  /** 'idle' (lazy, not started) | 'loading' | 'ready' | 'error' */
  get state() { return this.dataset.state ?? 'idle'; }
  /** 'webgpu' | 'webgl2' once a viewer is open, else null. The `backend` property is the request. */
  get activeBackend() { return this.#viewer?.backend ?? null; }
  /** The loaded model's scenes, cameras and warnings. */
  get info() { return this.#info ?? null; }
  #info = null;
  /** The POIs shown (plain objects: id, name per language, category, …). */
  get poiList() { return this.#poiLayer.pois; }

  /** Resolves to a PNG of the current frame. */
  async toBlob() {
    const { width, height, data } = await this.readPixels();
    const canvas = new OffscreenCanvas(width, height);
    canvas.getContext('2d').putImageData(new ImageData(data, width, height), 0, 0);
    return canvas.convertToBlob({ type: 'image/png' });
  }

  /** RGBA8 pixels of the current frame: { width, height, data }. */
  async readPixels() {
    const viewer = await this.#ready();
    return viewer.readPixels();
  }

  /** Shows POIs built in JS (same fields as the endpoint's, plus `position: [x, y, z]`). */
  async setPois(array) {
    await this.#ready();
    this.#poisFromJs = array;
    await this.#poiLayer.setArray(array);
  }
  #poisFromJs = null;

  /** Eases the camera to frame POI `id`. */
  async flyTo(id) { await this.#ready(); this.#poiLayer.flyTo(id); }
  /** Opens POI `id`'s card (fires `poi-select`) and eases the camera to it. */
  async selectPoi(id) { await this.#ready(); this.#poiLayer.select(id); }
  closeCard() { this.#poiLayer.closeCard(); }

  // AR (features/ar.js): location AR over the rear camera, the AR map, or the WebXR sand table;
  // `data-ar` says which.
  /** Enters AR `mode` ('location' | 'map' | 'webxr'; call it from a tap: iOS asks for motion
   *  permission only then, and browsers grant an immersive session only then). Resolves with
   *  the mode in use after fallbacks, or null (see `ar-error`). */
  async enterAR(mode = 'location') {
    return (await this.#arReady()).enter(mode);
  }
  /** Leaves AR: the camera stops, the 3D view returns. */
  exitAR() { this.#ar?.exit(); }
  /** 'location' | 'map' while in AR, else null. */
  get arMode() { return this.#ar?.mode ?? null; }
  /** A position from the page, replacing the browser's from then on: `{ longitude, latitude,
   *  altitude?, accuracy?, crs? }` (crs 'gcj02' for WeChat's JS-SDK; default `visitor-crs`). */
  async setVisitorPosition(position) {
    (await this.#arReady()).setPosition(position);
  }

  /** The AR feature, loaded, with a viewer to feed. */
  async #arReady() {
    const ar = this.#ar ?? await this.#loadAr();
    await this.#guided();
    return ar;
  }

  /** Whether the viewer open (or opening) is a lite one. */
  get #lite() { return !!(this.#viewer || this.#opening) && !this.#openedWith?.endsWith('+'); }

  /** A viewer from a full bundle, ready. */
  async #guided() {
    this.#needFull();
    return this.#ready();
  }

  /** From now on the viewer comes from a full bundle: a lite one open (or opening) is replaced. */
  #needFull() {
    if (this.#guide) return;
    this.#guide = true;
    if (this.#lite) this.#upgrade();
  }

  /** Moves to the full bundle: a new viewer loads the model again (from the browser's cache)
   *  with the camera where it was. */
  #upgrade() {
    let orbit = null;
    try { orbit = this.#viewer?.cameraOrbit() ?? null; } catch { /* framed anew */ }
    this.#recovering = { orbit, quiet: true };
    this.#reopen();
  }

  /** Adds a lazily loaded feature's styles to the shadow root. */
  #style(css) {
    const style = document.createElement('style');
    style.textContent = css;
    this.#root.append(style);
  }

  #loadAr() {
    this.#arLoading ??= arModule().then(({ ArMode, arStyles }) => {
      this.#style(arStyles);
      const xr = { gl: () => this.#webgl2(), labels: (layout) => this.#poiLayer.update(layout) };
      this.#ar = new ArMode(this, this.#root, () => this.#viewer, () => this.#requestFrame(), () => this.#poiLayer.remeasure(!!this.#ar?.mode), (m) => this.#warn(m), xr);
      this.#ar.checkAttributes();
      return this.#ar;
    });
    // A failed download may be retried (a flaky mobile network).
    this.#arLoading.catch(() => { this.#arLoading = null; });
    return this.#arLoading;
  }
  /** What AR knows: position and its uncertainty, heading and whether it can be trusted. */
  get arStatus() { return this.#viewer?.arStatus?.() ?? null; }
  /** The sand table while it runs: `{ surface, placed, anchor: [x, y, z] | null, yaw, scale,
   *  zoom }` (metres and degrees in the XR session's space), else null. */
  get arTable() { return this.#ar?.table ?? null; }

  /** A full viewer on WebGL2 with its model loaded, for the sand table: `{ viewer, canvas }`.
   *  A WebGPU viewer is replaced (the model loaded again from the browser's cache). */
  async #webgl2() {
    await this.#guided();
    if (this.#viewer?.backend !== 'webgl2') {
      this.#xrGl = true;
      this.#upgrade();
    }
    if (this.state === 'loading') {
      await new Promise((resolve) => {
        const done = () => { this.removeEventListener('load', done); this.removeEventListener('error', done); resolve(); };
        this.addEventListener('load', done);
        this.addEventListener('error', done);
      });
    }
    if (this.state !== 'ready' || this.#viewer?.backend !== 'webgl2') throw new Error(this.#message.textContent || 'no WebGL2 viewer for the sand table');
    return { viewer: this.#viewer, canvas: this.#canvas };
  }
  #xrGl = false;

  // Tours (features/tour.js): `tour` (a URL) or setTour(); a toolbar button starts it.
  /** Gives the tour as an object: a schema.org TouristTrip, GeoJSON stops, or `{ id, name,
   *  stops: [{ poi, name, text, audio, heading, pitch, distance, duration }] }`. Resolves with
   *  `{ id, name, stops, skipped }`; a tour that cannot be read rejects (and fires tour-error). */
  async setTour(value) {
    const tour = await this.#tourReady();
    this.#tours.fromJs = value;
    this.#tours.viewer = this.#viewer;
    tour.set(value);
    return tour.tour;
  }
  /** Starts the tour at stop `index` (0-based), playing on unless `{ play: false }`. */
  async startTour(index = 0, options = {}) { (await this.#tourReady()).start(index, options); }
  nextStop() { this.#tours.mode?.next(); }
  previousStop() { this.#tours.mode?.previous(); }
  pauseTour() { this.#tours.mode?.pause(); }
  resumeTour() { this.#tours.mode?.resume(); }
  endTour() { this.#tours.mode?.end(); }
  /** `{ id, name, stops, skipped }` of the tour held, or null. */
  get tourInfo() { return this.#tours.mode?.tour ?? null; }
  /** The stop shown (0-based) while touring, else null. */
  get tourStop() { return this.#tours.mode?.index ?? null; }

  // Panoramas (features/panorama.js).
  /** Gives the panoramas as a list: `[{ id, image, position: [x, y, z] | poi, heading, name,
   *  hotspots: [{ yaw, pitch, panorama | poi, label }] }]`. Resolves with `{ panoramas, skipped }`. */
  async setPanoramas(list) {
    const pano = await this.#panoramaReady();
    this.#panos.fromJs = list;
    this.#panos.viewer = this.#viewer;
    return pano.set(list);
  }
  /** Steps into panorama `id`; resolves with its id once shown, or null (see panorama-error). */
  async enterPanorama(id) { return (await this.#panoramaReady()).enter(String(id)); }
  exitPanorama() { this.#panos.mode?.exit(); }
  /** The panorama shown (also `data-panorama`), or null. */
  get panorama() { return this.#panos.mode?.id ?? null; }
  /** The streamed tileset's figures: `{ tiles, loaded, drawn, wanted, pending, failed, bytes,
   *  budget }` (bytes on the GPU), or null without one. */
  tilesInfo() { return this.#viewer?.tilesInfo?.() ?? null; }
  /** `{ yaw, pitch, fov }` degrees in the panorama shown, or null; set it with setPanoramaView. */
  getPanoramaView() { const v = this.#viewer?.panoramaView?.(); return v?.length ? { yaw: v[0], pitch: v[1], fov: v[2] } : null; }
  setPanoramaView({ yaw, pitch = 0, fov = 70 }) { this.#viewer?.setPanoramaView?.(Number(yaw), Number(pitch), Number(fov)); this.#panos.mode?.update(); this.#requestFrame(); }

  async #panoramaReady() {
    const pano = await this.#panos.module();
    await this.#guided();
    return pano;
  }

  /** An address that opens this page on what the visitor sees now: the tour stop, the POI
   *  whose card is open, where the walker stands, or the camera's view (features/links.js). */
  shareUrl() {
    const tour = this.#tours.mode;
    if (tour?.index != null) return shareUrl(location.href, { tour: tour.tour.id, stop: tour.index + 1 });
    const poi = this.#poiLayer.selectedId;
    if (poi) return shareUrl(location.href, { poi });
    const walk = this.#viewer?.walkPose();
    if (walk) return shareUrl(location.href, { walk });
    const view = this.getCameraOrbit();
    return shareUrl(location.href, view ? { view } : {});
  }

  async #tourReady() {
    const tour = await this.#tours.module();
    await this.#guided();
    return tour;
  }

  /** Follows the page address's deep link (#poi=, #view=, #walk=, #tour=&stop=) once, unless
   *  `deep-links="off"`. POIs and the tour are waited for. */
  #followLink() {
    if (this.#linked) return;
    this.#linked = true;
    if ((this.getAttribute('deep-links') ?? '').toLowerCase() === 'off') return;
    const link = readLink(location.hash);
    const say = (e) => this.#warn(`deep link: ${e?.message ?? e}`);
    if (link.view) { try { this.#viewer.restoreOrbit(link.view); this.#requestFrame(); } catch (e) { say(e); } }
    if (link.walk) {
      try {
        this.#viewer.setCameraMode('walk', true);
        const { feet, yaw, pitch } = link.walk;
        this.#viewer.setWalkPose(feet[0], feet[1], feet[2], yaw, pitch);
      } catch (e) { say(e); }
      this.#walk.sync();
      this.#requestFrame();
    }
    // Asked when needed: the tour may arrive before or after the POIs.
    const afterPois = (f) => {
      if ((this.hasAttribute('pois') || this.#poisFromJs) && !this.#poiLayer.pois.length) this.addEventListener('poi-load', f, { once: true });
      else f();
    };
    if (link.poi) afterPois(() => { try { this.#poiLayer.select(link.poi); } catch (e) { say(e); } });
    if (link.tour) {
      const go = () => afterPois(() => {
        const t = this.#tours.mode?.tour;
        if (t?.id !== link.tour) return say(`no tour ${JSON.stringify(link.tour)} here`);
        try { this.#tours.mode.start(Math.min(link.stop, t.stops) - 1, { play: false }); } catch (e) { say(e); }
      });
      if (this.#tours.mode?.tour) go(); else this.addEventListener('tour-load', go, { once: true });
    }
  }

  /** Shows glTF scene `i`; views glTF camera `i`. */
  async setScene(i) { (await this.#ready()).setScene(i); this.#walk.sync(); this.#map.redraw(); this.#requestFrame(); }
  async useCamera(i) { (await this.#ready()).useCamera(i); this.#requestFrame(); }
  /** Back to the framed view (with `camera-orbit` / `camera-target`), leaving walk mode or a
   *  panorama. */
  resetView() { this.#panos.mode?.exit(); this.#viewer?.reset(); this.#walk.sync(); this.#requestFrame(); }
  /** 'orbit' | 'walk': the camera in use (also `data-camera-mode`); `camera-mode` asks for one. */
  setCameraMode(mode) { this.#walk.set(String(mode)); }
  /** Walking: `{ feet: [x, y, z], eye: [x, y, z], yaw, pitch }` (metres, degrees), else null. */
  getWalkPose() { return this.#viewer?.walkPose() ?? null; }
  /** The current view: `{ yaw, pitch }` in degrees, `distance` and `target` in metres. */
  getCameraOrbit() { return this.#viewer?.cameraOrbit() ?? null; }

  // Animation (model-viewer's API): the clip named by `animation-name`, else the first.
  /** The loaded model's clip names. */
  get availableAnimations() { return this.state === 'ready' ? this.#viewer.availableAnimations : []; }
  /** Plays the clip, `repetitions` times (default: forever); fires `play`. */
  play(options = {}) {
    if (this.state !== 'ready' || !this.#viewer.availableAnimations.length) return;
    this.#viewer.play(options.repetitions);
    this.dispatchEvent(new CustomEvent('play'));
    this.#requestFrame();
  }
  /** Pauses where it is; fires `pause`. */
  pause() {
    if (this.state !== 'ready' || this.#viewer.paused) return;
    this.#viewer.pause();
    this.dispatchEvent(new CustomEvent('pause'));
  }
  get paused() { return this.state !== 'ready' || this.#viewer.paused; }
  /** Seconds into the clip; setting it shows that pose. */
  get currentTime() { return this.state === 'ready' ? this.#viewer.currentTime : 0; }
  set currentTime(t) { if (this.state === 'ready') { this.#viewer.currentTime = Number(t); this.#requestFrame(); } }
  /** Playback speed (1 by default; negative plays backwards). */
  get timeScale() { return this.#timeScale; }
  set timeScale(v) { this.#timeScale = Number.isFinite(Number(v)) ? Number(v) : 1; if (this.#viewer) this.#viewer.timeScale = this.#timeScale; }
  #timeScale = 1;
  /** The clip's length in seconds (0 without one). */
  get duration() { return this.state === 'ready' ? this.#viewer.duration : 0; }

  get #lazy() { return (this.getAttribute('loading') ?? '').toLowerCase() === 'lazy'; }

  #begin() {
    if (this.#started || !this.isConnected) return;
    this.#started = true;
    this.#start.hidden = true;
    this.#load();
  }

  async #ready() {
    if (!this.#started) this.#begin();
    if (!this.#viewer) await this.#open();
    if (!this.#viewer) throw new Error(this.#message.textContent || 'the viewer could not start');
    return this.#viewer;
  }

  #open() {
    // The sand table drew on WebGL2 (its XR layer takes a WebGL context): the page stays there.
    const wanted = this.#xrGl ? 'webgl2' : (this.getAttribute('backend') || 'auto').toLowerCase();
    // setTour(), setPanoramas() and enterAR() set #guide (#guided) before they hand anything over.
    const full = this.#guide || GUIDE_ATTRIBUTES.some((a) => this.hasAttribute(a));
    const key = full ? `${wanted}+` : wanted;
    if (this.#opening && this.#openedWith === key) return this.#opening;
    this.#openedWith = key;
    const token = ++this.#openToken;
    const canvas = this.#canvas;
    this.#opening = (async () => {
      if (!['auto', 'webgpu', 'webgl2'].includes(wanted)) {
        throw new Error(`backend="${wanted}" is not one of auto, webgpu, webgl2`);
      }
      const stale = () => token !== this.#openToken;
      const opened = await openViewer(canvas, wanted, full, () => this.#recover(), this, stale);
      // A backend change or removal while opening made this viewer obsolete: release it.
      if (!opened || stale()) {
        opened?.viewer.free();
        return this.#opening;
      }
      const { viewer, bundle } = opened;
      this.#viewer = viewer;
      this.#bundle = bundle;
      performance.mark('scenic:gpu-ready');
      this.#poiLayer.attach(viewer);
      this.dataset.backend = viewer.backend;
      applyStaging(this, viewer, (m) => this.#warn(m));
      this.#lighting.sync(viewer);
      this.#resize();
    })();
    return this.#opening;
  }

  /** Frees the wasm viewer (and with it the GPU memory) and gives the element a fresh canvas. */
  #drop() {
    this.#openToken++;
    this.#loadToken++;
    this.#download?.abort();
    this.#download = null;
    this.#poiLayer.detach();
    this.#viewer?.free();
    this.#viewer = null;
    this.#opening = null;
    // A canvas keeps the first context type it gave out: a new backend needs a new canvas.
    const canvas = document.createElement('canvas');
    canvas.setAttribute('part', 'canvas');
    canvas.setAttribute('role', 'img');
    this.#canvas.replaceWith(canvas);
    this.#canvas = canvas;
    this.#localize();
  }

  #reopen() {
    this.#drop();
    this.#load();
  }

  /** The GPU context was lost (a driver reset, a GPU process crash, WEBGL_lose_context): a new
   *  viewer on a new canvas loads the model again (from the browser's cache) with the camera
   *  where it was and the POIs placed again, then fires `context-restored`. */
  #recover() {
    if (this.#recovering || !this.#viewer) return;
    // The sand table's XR layer was on the lost context: its session ends (a tap starts anew).
    if (this.#ar?.mode === 'webxr') this.#ar.exit();
    let orbit = null;
    try { orbit = this.#viewer.cameraOrbit(); } catch { /* the camera is framed anew */ }
    this.#recovering = { orbit, backend: this.#viewer.backend };
    console.warn('scenic-viewer: the GPU context was lost; drawing again');
    this.#reopen();
  }

  /** The wasm instance under this viewer trapped (see `trapped`): the viewer is dropped without
   *  calling into it and loaded again on a new instance, as after a lost context, with a warning.
   *  A second trap within a minute (the same model hitting the same fault) stops with the
   *  message in the page instead; a new `src` tries again. */
  #onTrap = (e) => {
    const viewer = this.#viewer;
    if (!viewer && this.dataset.state !== 'loading') return;
    // The sand table's XR layer was on the stopped viewer's context: its session ends.
    try { if (this.#ar?.mode === 'webxr') this.#ar.exit(); } catch { /* it went with the instance */ }
    const again = performance.now() - this.#trappedAt < 60000;
    this.#trappedAt = performance.now();
    let orbit = null;
    try { orbit = viewer?.cameraOrbit(); } catch { /* the camera is framed anew */ }
    this.#viewer = null; // not freed: that would call into the stopped instance
    this.#drop();
    const what = `the viewer stopped on an internal error (${e.message || 'wasm trap'})`;
    if (again) {
      this.#fail(new Error(`${what} twice: reload the page to try again`));
      return;
    }
    this.#recovering = { orbit, backend: this.dataset.backend, quiet: true };
    this.#warn(`${what} and started again`);
    this.#load();
  };
  #trappedAt = -Infinity;

  /** Removed from the page: free the GPU, stop observers and page-level listeners. */
  #release() {
    this.#ar?.exit(); // the camera light goes off with the element
    this.#tours.mode?.end(); // and the narration
    this.#gyro.stop();
    this.#tours.viewer = null;
    this.#panos.mode?.detach();
    this.#panos.viewer = null;
    this.#tiles.mode?.detach();
    this.#tiles.viewer = null;
    this.#drop();
    this.#resizeObserver.disconnect();
    this.#intersection.disconnect();
    this.#dprWatch?.abort();
    this.#connected = false;
    live.delete(this.#onTrap);
    this.#started = false;
    this.#info = null;
    delete this.dataset.backend;
    this.dataset.state = 'idle';
  }

  async #load() {
    const token = ++this.#loadToken;
    this.#panos.mode?.detach(); // a new model closes the panorama (the viewer frees it)
    const src = this.src;
    this.#info = null;
    this.#setProgress(0, 0);
    this.dataset.state = 'loading';
    this.#download?.abort();
    this.#download = null;
    try {
      // The model downloads while the wasm compiles and the GPU opens, not after.
      let url = null, response;
      if (src) {
        url = new URL(src, document.baseURI).href;
        const download = this.#download = new AbortController();
        response = fetch(url, { signal: download.signal });
        response.catch(() => {}); // reported by load() below, or dropped with a newer load
      }
      await this.#open();
      if (token !== this.#loadToken) return;
      if (!src) {
        this.#viewer.unload();
        // POIs alone (a town's spots, AR) need no model.
        if (!this.hasAttribute('pois') && !this.#poisFromJs && !this.hasAttribute('tiles')) throw new Error('no model: set the src attribute to a .glb or .gltf URL (or tiles to a tileset.json)');
        this.#info = { warnings: [], notices: [], scenes: [], scene: 0, cameras: [], triangles: 0, images: 0, animations: [] };
        this.dataset.state = 'ready';
        this.dispatchEvent(new CustomEvent('load', { detail: this.#info }));
        this.#loadPois();
        this.#tiles.sync(this.#viewer);
        this.#tours.sync(this.#viewer);
        this.#panos.sync(this.#viewer);
        this.#walk.sync();
        this.#map.sync();
        this.#followLink();
        this.#requestFrame();
        // The camera is framed on the POIs again once they are placed.
        this.#restored(this.#recovering);
        this.#recovering = null;
        return;
      }
      this.#viewer.setMemoryBudget(memoryBudget(this, (m) => this.#warn(m)));
      const info = await this.#viewer.load(url, (loaded, total) => {
        if (token !== this.#loadToken) return;
        this.#setProgress(loaded, total);
        this.dispatchEvent(new CustomEvent('progress', { detail: { loaded, total } }));
      }, response, tangentsIn(tangentWorker, this.#bundle, decoderModules), decodersIn(decoderWorker, decoderModules));
      if (token !== this.#loadToken) return;
      performance.mark('scenic:model-ready');
      this.#info = info;
      const recovered = this.#recovering;
      this.#recovering = null;
      if (recovered?.orbit) this.#viewer.restoreOrbit(recovered.orbit);
      this.#viewer.timeScale = this.#timeScale;
      this.#requestFrame();
      // Ready once the first frame is drawn (or soon, where frames are paused, as in a hidden tab).
      await new Promise((r) => { requestAnimationFrame(() => r()); setTimeout(r, 250); });
      if (token !== this.#loadToken) return;
      performance.mark('scenic:first-frame');
      this.dataset.state = 'ready';
      for (const w of info.warnings) console.warn(`scenic-viewer: ${w}`);
      this.dispatchEvent(new CustomEvent('load', { detail: info }));
      for (const n of info.notices) this.#warn(n);
      applyAnimation(this, this.#viewer, (m) => this.#warn(m));
      this.#lighting.shadow(this.#viewer);
      this.#walk.apply();
      this.#map.sync();
      this.#requestFrame();
      this.#loadPois();
      this.#tiles.sync(this.#viewer);
      this.#tours.sync(this.#viewer);
      this.#panos.sync(this.#viewer);
      this.#followLink();
      this.#restored(recovered);
    } catch (e) {
      if (token !== this.#loadToken || trapped(e)) return;
      this.#fail(e);
    }
  }

  /** After a load that replaced a viewer: `context-restored` where a lost context was the
   *  reason (a move to the full bundle is not announced). */
  #restored(recovered) {
    if (recovered && !recovered.quiet) this.dispatchEvent(new CustomEvent('context-restored', { detail: { backend: this.#viewer.backend, lostBackend: recovered.backend } }));
  }

  /** (Re)places POIs: from the `pois` URL, or the array given to setPois. */
  #loadPois() {
    if (!this.#viewer) return;
    const geo = (this.getAttribute('geo-reference') ?? '').split(',').map((v) => v.trim()).filter(Boolean).map(Number);
    if (geo.length) {
      try {
        if (geo.length < 2 || geo.some((v) => !Number.isFinite(v))) throw new TypeError('geo-reference must be "longitude,latitude[,height[,heading]]"');
        this.#viewer.setGeoReference(geo[0], geo[1], geo[2] ?? 0, geo[3] ?? 0);
      } catch (e) {
        this.dispatchEvent(new CustomEvent('poi-warning', { detail: { count: 1, reasons: [String(e?.message ?? e)] } }));
      }
    }
    if (this.#poisFromJs && !this.hasAttribute('pois')) this.#poiLayer.setArray(this.#poisFromJs).catch((e) => this.#warn(`POIs: ${e?.message ?? e}`));
    else this.#poiLayer.loadUrl(this.getAttribute('pois'), this.#viewer.sceneBbox());
  }

  #fail(e) {
    this.#recovering = null;
    const message = String(e?.message ?? e);
    this.#message.textContent = message; // text, never HTML
    this.dataset.state = 'error';
    this.#requestFrame();
    this.dispatchEvent(new CustomEvent('error', { detail: { message } }));
  }

  /** A wrong attribute: say so in the page (and to scripts), keep going. */
  #warn(message) {
    console.warn(`scenic-viewer: ${message}`);
    this.#notice.textContent = message;
    this.#notice.hidden = false;
    this.dispatchEvent(new CustomEvent('warning', { detail: { message } }));
  }

  #syncPoster() {
    const poster = this.getAttribute('poster');
    this.#poster.hidden = !poster;
    if (poster) this.#poster.src = new URL(poster, document.baseURI).href;
    else this.#poster.removeAttribute('src');
  }

  #localize() {
    const t = primaryLang(this) === 'zh' ? UI.zh : UI.en;
    this.#canvas.setAttribute('aria-label', this.getAttribute('alt') || t.view);
    const reset = this.#root.querySelector('.reset');
    reset.setAttribute('aria-label', t.reset); reset.title = t.reset;
    const fs = this.#root.querySelector('.fullscreen');
    const full = document.fullscreenElement === this;
    fs.setAttribute('aria-label', full ? t.exitFullscreen : t.fullscreen); fs.title = fs.getAttribute('aria-label');
    fs.hidden = !document.fullscreenEnabled;
    this.#start.textContent = t.load;
    this.#ar?.localize();
    this.#tours.mode?.localize();
    this.#walk.localize();
    this.#map.localize();
    this.#gyro.localize();
    this.#panos.mode?.localize();
  }

  #setProgress(loaded, total) {
    // total 0: not known yet (a compressed response announces only its compressed length).
    this.#progress.toggleAttribute('data-indeterminate', !(total > 0));
    if (!(total > 0)) {
      this.#bar.style.width = '';
      this.#progress.removeAttribute('aria-valuenow');
      return;
    }
    const pct = Math.min(100, (100 * loaded) / total);
    this.#bar.style.width = `${pct}%`;
    this.#progress.setAttribute('aria-valuenow', String(Math.round(pct)));
  }

  #resize() {
    if (!this.#viewer || !this.#connected) return;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(this.clientWidth * dpr));
    const h = Math.max(1, Math.round(this.clientHeight * dpr));
    this.#canvas.width = w;
    this.#canvas.height = h;
    this.#viewer.resize(w, h);
    this.#requestFrame();
    // devicePixelRatio changes (zoom, moving between screens) fire no resize: watch for them,
    // one query at a time (each resize replaces the last watch instead of adding one).
    this.#dprWatch?.abort();
    this.#dprWatch = new AbortController();
    matchMedia(`(resolution: ${dpr}dppx)`).addEventListener('change', () => this.#resize(), { once: true, signal: this.#dprWatch.signal });
  }

  #requestFrame() {
    if (this.#rafPending || !this.#viewer) return;
    // The sand table's session draws its own frames (features/sandtable.js).
    if (this.#ar?.mode === 'webxr') return;
    // Off screen nothing is drawn (battery); coming back into view asks for a frame.
    if (!this.#visible) return;
    this.#rafPending = true;
    requestAnimationFrame((t) => {
      this.#rafPending = false;
      if (!this.#viewer) return;
      try {
        // In AR the 3D view is hidden: only the labels move.
        const ar = this.#ar?.layout(t) ?? null;
        const moving = ar ? this.#ar.moving : this.#viewer.frame(t);
        if (!ar) { animationEvents(this, this.#viewer); this.#panos.mode?.update(); this.#tiles.mode?.update(); }
        this.#map.update();
        this.#poiLayer.update(ar, ar ? (d) => this.#ar.distanceText(d) : null);
        if (moving) this.#requestFrame();
      } catch (e) {
        if (trapped(e)) return;
        if (this.#viewer?.lost) this.#recover();
        else this.#fail(e);
      }
    });
  }
}

for (const [name, [prop, kind]] of Object.entries(REFLECTED)) {
  if (prop in HTMLElement.prototype) continue; // `lang` already reflects
  Object.defineProperty(ScenicViewer.prototype, prop, {
    configurable: true,
    enumerable: true,
    get() {
      if (kind === 'boolean') return this.hasAttribute(name);
      const v = this.getAttribute(name);
      if (kind === 'number') return v === null || v.trim() === '' ? null : Number(v);
      return v ?? '';
    },
    set(v) {
      if (kind === 'boolean') this.toggleAttribute(name, !!v);
      else if (v === null || v === undefined) this.removeAttribute(name);
      else this.setAttribute(name, String(v));
    },
  });
}

if (!customElements.get('scenic-viewer')) customElements.define('scenic-viewer', ScenicViewer);
