// <scenic-viewer>: the embeddable element. Thin by design: attributes → calls on the wasm Viewer
// handle, input → camera deltas, and events out. Rendering happens only when something changed.
//
// Two wasm bundles sit beside this file: pkg/webgpu (small) and pkg/webgl2 (carries the WebGL2
// translator). A browser downloads the WebGL2 one only when it gets no WebGPU adapter.

import { PoiLayer, poiStyles } from './features/pois.js';

const bundles = new Map();
function bundle(name) {
  if (!bundles.has(name)) {
    const url = new URL(`./pkg/${name}/scenic.js`, import.meta.url);
    bundles.set(name, import(url.href).then(async (m) => { await m.default(); return m; }));
  }
  return bundles.get(name);
}

async function hasWebGpuAdapter() {
  try {
    return !!(navigator.gpu && (await navigator.gpu.requestAdapter()));
  } catch {
    return false;
  }
}

async function openViewer(canvas, wanted) {
  const errors = [];
  const order = wanted === 'webgpu' ? ['webgpu'] : wanted === 'webgl2' ? ['webgl2']
    : (await hasWebGpuAdapter()) ? ['webgpu', 'webgl2'] : ['webgl2'];
  for (const name of order) {
    try {
      const m = await bundle(name);
      return await m.Viewer.create(canvas, { backend: name });
    } catch (e) {
      errors.push(`${name}: ${e?.message ?? e}`);
    }
  }
  throw new Error(`no way to draw here (${errors.join('; ')})`);
}

const template = document.createElement('template');
template.innerHTML = `
<style>
  :host { display: block; position: relative; width: 300px; height: 150px; contain: strict;
          background: var(--scenic-background, #cfdbe6); color: var(--scenic-text, #1d2733);
          font: 14px/1.4 system-ui, "PingFang SC", "Microsoft YaHei", sans-serif; touch-action: none; }
  :host(:focus-visible) { outline: 2px solid var(--scenic-accent, #2a7ae2); outline-offset: -2px; }
  canvas { position: absolute; inset: 0; width: 100%; height: 100%; display: block; }
  .progress { position: absolute; left: 10%; right: 10%; bottom: 12px; height: 4px; border-radius: 2px;
              background: rgba(0,0,0,.15); overflow: hidden; opacity: 0; transition: opacity .2s; }
  :host([data-state="loading"]) .progress { opacity: 1; }
  .bar { height: 100%; width: 0; background: var(--scenic-accent, #2a7ae2); transition: width .1s; }
  .message { position: absolute; left: 8px; right: 8px; bottom: 24px; padding: 8px 10px; border-radius: 6px;
             background: rgba(255,255,255,.92); color: #8a1c1c; display: none; white-space: pre-wrap;
             overflow-wrap: anywhere; max-height: 60%; overflow: auto; }
  :host([data-state="error"]) .message { display: block; }
  ${poiStyles}
</style>
<canvas part="canvas"></canvas>
<div class="labels"></div>
<div class="notice" part="notice" role="status" hidden></div>
<div class="card" part="card" role="dialog" hidden><button class="close" part="button">×</button><div class="body"></div></div>
<ul class="sr-only" part="poi-list"></ul>
<div class="progress" part="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100"><div class="bar"></div></div>
<div class="message" part="error" role="alert"></div>`;

export class ScenicViewer extends HTMLElement {
  static observedAttributes = ['src', 'backend', 'pois', 'lang', 'geo-reference'];

  #canvas; #bar; #progress; #message;
  #viewer = null; #opening = null; #openedWith = null; #openToken = 0;
  #rafPending = false; #pointers = new Map(); #lastPinch = null;
  #resizeObserver; #loadToken = 0; #poiLayer;

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.appendChild(template.content.cloneNode(true));
    this.#canvas = root.querySelector('canvas');
    this.#bar = root.querySelector('.bar');
    this.#progress = root.querySelector('.progress');
    this.#message = root.querySelector('.message');
    this.#poiLayer = new PoiLayer(this, root, () => this.#requestFrame());
    if (!this.hasAttribute('tabindex')) this.tabIndex = 0;
    this.addEventListener('pointerdown', (e) => this.#pointerDown(e));
    this.addEventListener('pointermove', (e) => this.#pointerMove(e));
    for (const t of ['pointerup', 'pointercancel', 'lostpointercapture']) this.addEventListener(t, (e) => this.#pointerUp(e));
    this.addEventListener('wheel', (e) => this.#wheel(e), { passive: false });
    this.addEventListener('keydown', (e) => this.#key(e));
    this.addEventListener('contextmenu', (e) => e.preventDefault());
    this.#resizeObserver = new ResizeObserver(() => this.#resize());
  }

  connectedCallback() {
    this.#resizeObserver.observe(this);
    if (!this.dataset.state) this.dataset.state = 'loading';
    this.#load();
  }

  disconnectedCallback() {
    this.#resizeObserver.disconnect();
  }

  attributeChangedCallback(name, old, value) {
    if (old === value || !this.isConnected) return;
    if (name === 'backend') this.#reopen();
    else if (name === 'src') this.#load();
    else if (this.state === 'ready') this.#loadPois();
  }

  get src() { return this.getAttribute('src') ?? ''; }
  set src(v) { this.setAttribute('src', v); }
  /** 'loading' | 'ready' | 'error' */
  get state() { return this.dataset.state ?? 'loading'; }
  /** 'webgpu' | 'webgl2' once known, else null. */
  get backend() { return this.#viewer?.backend ?? null; }
  /** The loaded model's scenes, cameras and warnings. */
  get info() { return this.#info ?? null; }
  #info = null;

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

  /** The POIs shown (plain objects: id, name per language, category, …). */
  get pois() { return this.#poiLayer.pois; }

  /** Shows POIs built in JS (same fields as the endpoint's, plus `position: [x, y, z]`). */
  async setPois(array) {
    await this.#ready();
    this.#poisFromJs = array;
    this.#poiLayer.setArray(array);
  }
  #poisFromJs = null;

  /** Eases the camera to frame POI `id`. */
  async flyTo(id) { await this.#ready(); this.#poiLayer.flyTo(id); }

  /** Shows glTF scene `i`; views glTF camera `i`. */
  async setScene(i) { (await this.#ready()).setScene(i); this.#requestFrame(); }
  async useCamera(i) { (await this.#ready()).useCamera(i); this.#requestFrame(); }

  async #ready() {
    if (!this.#viewer) await this.#open();
    if (!this.#viewer) throw new Error(this.#message.textContent || 'the viewer could not start');
    return this.#viewer;
  }

  #open() {
    const wanted = (this.getAttribute('backend') || 'auto').toLowerCase();
    if (this.#opening && this.#openedWith === wanted) return this.#opening;
    this.#openedWith = wanted;
    const token = ++this.#openToken;
    const canvas = this.#canvas;
    this.#opening = (async () => {
      if (!['auto', 'webgpu', 'webgl2'].includes(wanted)) {
        throw new Error(`backend="${wanted}" is not one of auto, webgpu, webgl2`);
      }
      const viewer = await openViewer(canvas, wanted);
      // A backend change while opening made this viewer obsolete: release it.
      if (token !== this.#openToken) {
        viewer.free();
        return this.#opening;
      }
      this.#viewer = viewer;
      this.#poiLayer.attach(viewer);
      this.dataset.backend = viewer.backend;
      this.#resize();
    })();
    return this.#opening;
  }

  async #reopen() {
    this.#viewer?.free();
    this.#viewer = null;
    this.#openToken++;
    // A canvas keeps the first context type it gave out: a new backend needs a new canvas.
    const canvas = document.createElement('canvas');
    canvas.setAttribute('part', 'canvas');
    this.#canvas.replaceWith(canvas);
    this.#canvas = canvas;
    this.#opening = null;
    this.#load();
  }

  async #load() {
    const token = ++this.#loadToken;
    const src = this.src;
    this.#info = null;
    this.#setProgress(0, 0);
    this.dataset.state = 'loading';
    try {
      await this.#open();
      if (token !== this.#loadToken) return;
      if (!src) {
        this.#viewer.unload();
        throw new Error('no model: set the src attribute to a .glb or .gltf URL');
      }
      const url = new URL(src, document.baseURI).href;
      const info = await this.#viewer.load(url, (loaded, total) => {
        if (token !== this.#loadToken) return;
        this.#setProgress(loaded, total);
        this.dispatchEvent(new CustomEvent('progress', { detail: { loaded, total } }));
      });
      if (token !== this.#loadToken) return;
      this.#info = info;
      this.#requestFrame();
      // Ready once the first frame is drawn (or soon, where frames are paused, as in a hidden tab).
      await new Promise((r) => { requestAnimationFrame(() => r()); setTimeout(r, 250); });
      if (token !== this.#loadToken) return;
      this.dataset.state = 'ready';
      for (const w of info.warnings) console.warn(`scenic-viewer: ${w}`);
      this.dispatchEvent(new CustomEvent('load', { detail: info }));
      this.#loadPois();
    } catch (e) {
      if (token !== this.#loadToken) return;
      this.#fail(e);
    }
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
    if (this.#poisFromJs && !this.hasAttribute('pois')) this.#poiLayer.setArray(this.#poisFromJs);
    else this.#poiLayer.loadUrl(this.getAttribute('pois'), this.#viewer.sceneBbox());
  }

  #fail(e) {
    const message = String(e?.message ?? e);
    this.#message.textContent = message; // text, never HTML
    this.dataset.state = 'error';
    this.#requestFrame();
    this.dispatchEvent(new CustomEvent('error', { detail: { message } }));
  }

  #setProgress(loaded, total) {
    const pct = total > 0 ? Math.min(100, (100 * loaded) / total) : 0;
    this.#bar.style.width = `${pct}%`;
    this.#progress.setAttribute('aria-valuenow', String(Math.round(pct)));
  }

  #resize() {
    if (!this.#viewer) return;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(this.clientWidth * dpr));
    const h = Math.max(1, Math.round(this.clientHeight * dpr));
    this.#canvas.width = w;
    this.#canvas.height = h;
    this.#viewer.resize(w, h);
    this.#requestFrame();
    // devicePixelRatio changes (zoom, moving between screens) fire no resize: watch for them.
    matchMedia(`(resolution: ${dpr}dppx)`).addEventListener('change', () => this.#resize(), { once: true });
  }

  #requestFrame() {
    if (this.#rafPending || !this.#viewer) return;
    this.#rafPending = true;
    requestAnimationFrame((t) => {
      this.#rafPending = false;
      if (!this.#viewer) return;
      try {
        const moving = this.#viewer.frame(t);
        this.#poiLayer.update();
        if (moving) this.#requestFrame();
      } catch (e) {
        this.#fail(e);
      }
    });
  }

  // Input: one pointer orbits (right button or Shift pans), two pointers pinch-zoom and pan.
  #pointerDown(e) {
    try { this.setPointerCapture(e.pointerId); } catch { /* pointer already gone: track it anyway */ }
    this.#pointers.set(e.pointerId, { x: e.clientX, y: e.clientY, pan: e.button === 2 || e.shiftKey });
    this.#lastPinch = null;
  }

  #pointerMove(e) {
    const p = this.#pointers.get(e.pointerId);
    if (!p || !this.#viewer) return;
    const h = Math.max(1, this.clientHeight);
    const dx = (e.clientX - p.x) / h, dy = (e.clientY - p.y) / h;
    p.x = e.clientX; p.y = e.clientY;
    if (this.#pointers.size === 1) {
      if (p.pan) this.#viewer.pan(dx, dy); else this.#viewer.rotate(dx, dy);
    } else if (this.#pointers.size === 2) {
      const [a, b] = [...this.#pointers.values()];
      const dist = Math.hypot(a.x - b.x, a.y - b.y);
      const mid = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
      if (this.#lastPinch) {
        if (dist > 0 && this.#lastPinch.dist > 0) this.#viewer.zoom(this.#lastPinch.dist / dist);
        this.#viewer.pan((mid.x - this.#lastPinch.mid.x) / h, (mid.y - this.#lastPinch.mid.y) / h);
      }
      this.#lastPinch = { dist, mid };
    }
    this.#requestFrame();
  }

  #pointerUp(e) {
    this.#pointers.delete(e.pointerId);
    this.#lastPinch = null;
  }

  #wheel(e) {
    if (!this.#viewer) return;
    e.preventDefault();
    const px = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaMode === 2 ? e.deltaY * 400 : e.deltaY;
    this.#viewer.zoom(Math.exp(px * 0.0015));
    this.#requestFrame();
  }

  #key(e) {
    if (!this.#viewer) return;
    const step = 0.05;
    const pan = e.shiftKey;
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (moves[e.key]) {
      const [dx, dy] = moves[e.key];
      if (pan) this.#viewer.pan(dx, dy); else this.#viewer.rotate(dx, dy);
    } else if (e.key === '+' || e.key === '=') this.#viewer.zoom(0.9);
    else if (e.key === '-' || e.key === '_') this.#viewer.zoom(1 / 0.9);
    else if (e.key === '0' || e.key === 'Home') this.#viewer.reset();
    else return;
    e.preventDefault();
    this.#requestFrame();
  }
}

if (!customElements.get('scenic-viewer')) customElements.define('scenic-viewer', ScenicViewer);
