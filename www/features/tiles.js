// 3D Tiles of <scenic-viewer>: the `tiles` attribute (a tileset.json URL), alone or beside `src`,
// streams a whole scenic area by level of detail. The wasm viewer reads the tileset, chooses per
// view which tiles to draw and which it wants (screen-space error, no holes), decodes contents
// through the model loader and frees the least recently drawn past a byte budget
// (crate/src/tiles, crate/src/web/tiles.rs). This module fetches: most needed first, a few at
// once, cancelling what the moving camera no longer wants, each tile within a size and time limit.
//
// Events: tiles-load (the tileset is read), tiles-error (it could not be), tiles-progress (a tile
// arrived or failed: the viewer's tilesInfo), tiles-ready (nothing more is wanted for this view);
// a tile that fails is a `warning` naming it, and its parent stays drawn.
//
// Loaded by the element only for pages with tiles.

/** Downloads at once (a phone's connection; Cesium and 3DTilesRendererJS allow more on desktops),
 *  how far down the wanted list a download may stay running, and the limits of one file. */
const FETCHES = 6;
const WINDOW = 24;
/** Contents decoded at once: each holds its vertex streams in wasm memory until they are on the
 *  GPU, so six arriving together would raise its high-water mark six times over. */
const PARSES = 2;
const TILE_BYTES = 64 << 20;
const TILESET_BYTES = 32 << 20;
const TIMEOUT_MS = 30000;
/** Failing tiles named one by one before the rest are only counted. */
const NAMED_FAILURES = 5;

export const tilesStyles = `
  .tiles-bar { position: absolute; inset-inline: 0; top: 0; height: 3px; pointer-events: none; opacity: 0; transition: opacity .3s; overflow: hidden; }
  .tiles-bar::after { content: ''; position: absolute; inset-block: 0; width: 30%; background: var(--scenic-accent, var(--_accent));
                      animation: scenic-travel 1.2s ease-in-out infinite; }
  :host([data-tiles-streaming]) .tiles-bar { opacity: 1; }
  @media (prefers-reduced-motion: reduce) { .tiles-bar::after { animation: none; width: 100%; opacity: .5; } }
`;

/** GETs `href` as bytes, refusing more than `max` (declared or sent). */
async function fetchBytes(href, signal, max) {
  const r = await fetch(href, { signal });
  if (!r.ok) throw new Error(`HTTP ${r.status}`);
  if (Number(r.headers.get('content-length')) > max) throw new Error(`larger than ${max >> 20} MB`);
  const b = new Uint8Array(await r.arrayBuffer());
  if (b.byteLength > max) throw new Error(`larger than ${max >> 20} MB`);
  return b;
}

const tileName = (urls) => urls.map((u) => decodeURIComponent(new URL(u).pathname.split('/').pop())).join(', ');

export class TilesMode {
  #host; #viewer; #requestFrame; #warn; #pipes; #bar;
  #set = null; #token = 0;

  /** `pipes()` gives the tangent and decoder functions the model loader takes. */
  constructor(host, root, getViewer, requestFrame, warn, pipes) {
    this.#host = host;
    this.#viewer = getViewer;
    this.#requestFrame = requestFrame;
    this.#warn = warn;
    this.#pipes = pipes;
    const bar = this.#bar = document.createElement('div');
    bar.className = 'tiles-bar';
    bar.part = 'tiles-progress';
    bar.setAttribute('role', 'progressbar');
    bar.setAttribute('aria-label', 'tiles');
    root.append(bar);
  }

  /** Streams the tileset at `url` in place of any other; '' stops streaming. */
  async load(url) {
    const token = ++this.#token;
    this.#stop();
    const v = this.#viewer();
    if (!v) return;
    if (!url) { v.clearTiles(); this.#requestFrame(); return; }
    const href = new URL(url, document.baseURI).href;
    const abort = new AbortController();
    this.#set = { generation: -1, inflight: new Map(), abort, failures: 0, ready: false, parsing: 0, waiting: [] };
    const timer = setTimeout(() => abort.abort(new Error(`no answer in ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
    try {
      const bytes = await fetchBytes(href, abort.signal, TILESET_BYTES).catch((e) => { throw new Error(`could not load the tileset ${href}: ${(abort.signal.reason ?? e)?.message ?? e}`); });
      if (token !== this.#token || v !== this.#viewer()) return;
      const info = v.setTileset(bytes, href);
      this.limits();
      this.#set.generation = info.generation;
      for (const w of info.warnings) console.warn(`scenic-viewer: tiles: ${w}`);
      this.#host.dispatchEvent(new CustomEvent('tiles-load', { detail: { url: href, tiles: info.tiles, warnings: info.warnings } }));
      this.#requestFrame();
    } catch (e) {
      if (token !== this.#token) return;
      this.#set = null;
      const message = String(e?.message ?? e);
      this.#warn(message);
      this.#host.dispatchEvent(new CustomEvent('tiles-error', { detail: { url: href, message } }));
    } finally {
      clearTimeout(timer);
    }
  }

  /** `tiles-budget` (MiB of GPU memory for tiles, 192 by default) and `tiles-error` (the
   *  screen-space error in pixels past which finer tiles are fetched, 16 by default). */
  limits() {
    const v = this.#viewer();
    if (!v) return;
    const read = (name, fallback, ok) => {
      const raw = this.#host.getAttribute(name);
      if (raw === null || raw.trim() === '') return fallback;
      const n = Number(raw);
      if (ok(n)) return n;
      this.#warn(`${name}="${raw}" is not a number the viewer takes; ${fallback} is used`);
      return fallback;
    };
    const budget = read('tiles-budget', 192, (n) => Number.isFinite(n) && n >= 0);
    const error = read('tiles-error', 16, (n) => Number.isFinite(n) && n > 0);
    v.setTilesLimits(budget * 1024 * 1024, error);
  }

  /** After every frame: fetch what the view wants. */
  update() {
    const set = this.#set, v = this.#viewer();
    if (!set || set.generation < 0 || !v) return;
    const wanted = v.tilesWanted(WINDOW);
    const keys = new Set(wanted.map((w) => w.tile));
    // No longer wanted (the camera moved on): cancelled, unless its bytes are already here.
    for (const [k, a] of set.inflight) if (!keys.has(k) && !a.arrived) { set.inflight.delete(k); a.abort(); }
    for (const w of wanted) {
      if (set.inflight.size >= FETCHES) break;
      if (set.inflight.has(w.tile)) continue;
      this.#fetch(set, v, w);
    }
    const streaming = set.inflight.size > 0 || wanted.length > 0;
    this.#host.toggleAttribute('data-tiles-streaming', streaming);
    if (!streaming && !set.ready) {
      set.ready = true;
      this.#host.dispatchEvent(new CustomEvent('tiles-ready', { detail: v.tilesInfo() }));
    } else if (streaming) set.ready = false;
  }

  #fetch(set, v, w) {
    const a = new AbortController();
    const timer = setTimeout(() => a.abort(new Error(`no answer in ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
    const stop = () => a.abort();
    set.abort.signal.addEventListener('abort', stop, { once: true });
    set.inflight.set(w.tile, a);
    const mine = () => set.inflight.get(w.tile) === a && this.#set === set;
    Promise.all(w.urls.map((u) => fetchBytes(u, a.signal, TILE_BYTES)))
      .catch((e) => { throw new Error(`tile ${tileName(w.urls)} could not be loaded (${(a.signal.reason ?? e)?.message ?? e}); its parent stays drawn`); })
      .then(async (files) => {
        if (!mine()) return false;
        a.arrived = true;
        await this.#slot(set);
        try {
          if (!mine()) return false;
          const { tangents, decode } = this.#pipes();
          return await v.addTile(set.generation, w.tile, files, tangents, decode).catch((e) => { throw new Error(`${e?.message ?? e}; its parent stays drawn`); });
        } finally {
          this.#release(set);
        }
      })
      .then(() => { if (mine()) this.#progress(v); }, (e) => {
        if (!mine()) return; // cancelled, or another tileset
        v.tileFailed(set.generation, w.tile);
        set.failures++;
        if (set.failures <= NAMED_FAILURES) this.#warn(`tiles: ${e?.message ?? e}`);
        else if (set.failures === NAMED_FAILURES + 1) this.#warn('tiles: more tiles could not be loaded (see tiles-progress for the count)');
        this.#progress(v);
      })
      .finally(() => {
        clearTimeout(timer);
        set.abort.signal.removeEventListener('abort', stop);
        if (set.inflight.get(w.tile) === a) set.inflight.delete(w.tile);
        if (this.#set === set) this.#requestFrame();
      });
  }

  /** One of the PARSES decode slots of `set`. */
  #slot(set) {
    if (set.parsing < PARSES) { set.parsing++; return Promise.resolve(); }
    return new Promise((resolve) => set.waiting.push(resolve));
  }

  #release(set) {
    const next = set.waiting.shift();
    if (next) next(); else set.parsing--;
  }

  #progress(v) {
    this.#host.dispatchEvent(new CustomEvent('tiles-progress', { detail: v.tilesInfo() }));
  }

  #stop() {
    this.#set?.abort.abort();
    this.#set = null;
    this.#host.removeAttribute('data-tiles-streaming');
  }

  localize() {}

  detach() {
    this.#token++;
    this.#stop();
  }
}
