// 360° panoramas of <scenic-viewer>: the `panoramas` attribute (a URL) or setPanoramas(list)
// gives equirectangular photos placed at positions or POIs, with hotspots to other panoramas and
// to POIs. enterPanorama(id), a POI card's "360°" button or a hotspot steps in: the camera flies
// to the place, then the photo replaces the model with a short zoom; drag looks round, the wheel
// zooms, Esc or "Back to 3D" steps out. Events: panorama-load, panorama-enter, panorama-exit,
// panorama-error.
//
// A panorama is one photo (`image`) or multi-resolution cube tiles (`multiRes`, Pannellum's
// layout): then only the tiles in view are fetched, at the level the view needs.
//
// Loaded by the element only for pages with panoramas. The wasm viewer reads the list and draws
// the photo sphere (crate/src/panorama, crate/src/web/panorama.rs); this module fetches and
// decodes photos and owns the hotspots' DOM.
import { primaryLang, pick } from './lang.js';

const STRINGS = {
  zh: { back: '返回三维', pano: '360° 全景', failed: '全景加载失败' },
  en: { back: 'Back to 3D', pano: '360° view', failed: 'Could not load the panorama' },
};
const MAX_BYTES = 40 << 20;
const MAX_LIST_BYTES = 2 << 20;
const TIMEOUT_MS = 20000;
/** Visible time for the flight into a panorama to land before it is given up and said. */
const LANDING_MS = 10000;
/** Wider photos are scaled down to this before upload (phones' texture limits and memory). */
const MAX_WIDTH = 4096;
/** Tiled panoramas: the bytes one tile may have, the tiles fetched at once, and how far down
 *  the list of wanted tiles a fetch may stay running. */
const TILE_BYTES = 8 << 20;
const TILE_FETCHES = 4;
const TILE_WINDOW = 24;

export const panoramaStyles = `
  .pano-layer { position: absolute; inset: 0; pointer-events: none; overflow: hidden; }
  .pano-layer[hidden] { display: none; }
  .hotspot { position: absolute; left: 0; top: 0; pointer-events: auto; transform-origin: 50% 50%; white-space: nowrap; cursor: pointer;
             padding: 4px 10px; border-radius: 14px; border: 2px solid #fff; font: inherit; font-size: 13px;
             background: color-mix(in srgb, var(--scenic-accent, var(--_accent)) 85%, transparent); color: var(--scenic-button-color-on-accent, #fff); }
  .hotspot[hidden] { display: none; }
  .pano-back { position: absolute; bottom: 8px; inset-inline-start: 8px; pointer-events: auto; height: 32px; padding-inline: 12px; border-radius: 16px; border: 0;
               font: inherit; cursor: pointer; background: var(--scenic-button-background, var(--scenic-surface, var(--_surface)));
               color: var(--scenic-button-color, var(--scenic-text, var(--_on-surface))); box-shadow: 0 1px 4px rgba(0,0,0,.25); }
  :host([data-panorama]) .minimap, :host([data-panorama]) .joystick { display: none; }
  .card .pano { display: inline-block; margin-block-start: 8px; margin-inline-end: 8px; padding: 4px 12px; border-radius: 14px; border: 0;
                font: inherit; cursor: pointer; background: var(--scenic-accent, var(--_accent)); color: var(--scenic-button-color-on-accent, #fff); }
`;

export class PanoramaMode {
  #host; #root; #viewer; #requestFrame; #warn; #selectPoi;
  #layer; #back; #buttons = []; #list = []; #base = document.baseURI; #abort = null; #token = 0; #id = null; #tiles = null;

  constructor(host, root, getViewer, requestFrame, warn, selectPoi) {
    this.#host = host;
    this.#root = root;
    this.#viewer = getViewer;
    this.#requestFrame = requestFrame;
    this.#warn = warn;
    this.#selectPoi = selectPoi;
    const layer = this.#layer = document.createElement('div');
    layer.className = 'pano-layer';
    layer.part = 'panorama-layer';
    layer.hidden = true;
    const back = this.#back = document.createElement('button');
    back.type = 'button';
    back.className = 'pano-back';
    back.part = 'button panorama-back';
    back.addEventListener('click', () => this.exit());
    layer.append(back);
    root.querySelector('.labels').after(layer);
    host.addEventListener('keydown', (e) => { if (e.key === 'Escape' && this.#id) { e.stopPropagation(); this.exit(); } });
    // A POI with a panorama gets a "360°" button in its card.
    host.addEventListener('poi-select', (e) => this.#cardButton(e.detail.id));
    this.localize();
  }

  #t(key) { return (primaryLang(this.#host) === 'zh' ? STRINGS.zh : STRINGS.en)[key]; }

  get list() { return this.#list.map((p) => ({ ...p })); }
  /** The panorama shown, or null. */
  get id() { return this.#id; }

  /** Fetches the list at `url` (the `panoramas` attribute); empty forgets it. */
  async load(url) {
    this.#abort?.abort();
    if (!url) { this.#take(() => ({ panoramas: [], skipped: [] }), document.baseURI); return; }
    const abort = this.#abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error(`no answer in ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
    try {
      const href = new URL(url, document.baseURI).href;
      const r = await fetch(href, { signal: abort.signal });
      if (!r.ok) throw new Error(`${href}: HTTP ${r.status}`);
      const bytes = new Uint8Array(await r.arrayBuffer());
      if (bytes.length > MAX_LIST_BYTES) throw new Error(`${href}: larger than ${MAX_LIST_BYTES >> 20} MB`);
      this.#take(() => this.#viewer().setPanoramas(bytes, null), href);
    } catch (e) {
      if (abort.signal.aborted && this.#abort !== abort) return;
      this.#failed(null, abort.signal.reason ?? e);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The page's own list (image URLs relative to the page). */
  set(list) {
    try {
      return this.#take(() => this.#viewer().setPanoramas(new Uint8Array(0), list), document.baseURI);
    } catch (e) {
      this.#failed(null, e);
      throw e;
    }
  }

  #take(read, base) {
    const { panoramas, skipped } = read();
    this.#list = panoramas;
    this.#base = base;
    for (const reason of skipped) console.warn(`scenic-viewer: panoramas: ${reason}`);
    if (skipped.length) this.#warn(`panoramas: ${skipped.length} left out: ${skipped[0]}`);
    const detail = { panoramas: panoramas.map((p) => p.id), skipped };
    if (panoramas.length) this.#host.dispatchEvent(new CustomEvent('panorama-load', { detail }));
    return detail;
  }

  #failed(id, e) {
    const message = `${this.#t('failed')}: ${e?.message ?? e}`;
    this.#warn(message);
    this.#host.dispatchEvent(new CustomEvent('panorama-error', { detail: { id, message } }));
  }

  /** Steps into panorama `id`. Resolves once its photo is shown; a photo that cannot be
   *  fetched or is not 2:1 is said (panorama-error) and the view stays as it was. A tiled
   *  panorama (multiRes) fetches its lowest level first, then the tiles in view as it turns. */
  async enter(id) {
    const entry = this.#list.find((p) => p.id === id);
    if (!entry) throw new Error(`no panorama ${JSON.stringify(String(id))}`);
    const token = ++this.#token;
    this.#abort?.abort();
    this.#stopTiles();
    const abort = this.#abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error(`no answer in ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
    let photo = null, base = [];
    try {
      if (entry.tiled) base = await this.#baseTiles(id, abort.signal);
      else photo = await this.#photo(new URL(entry.image, this.#base).href, abort.signal);
    } catch (e) {
      if (token === this.#token) this.#failed(id, abort.signal.reason ?? e);
      return null;
    } finally {
      clearTimeout(timer);
    }
    if (token !== this.#token) { photo?.close(); for (const t of base) t.bitmap.close(); return null; }
    const v = this.#viewer();
    const inside = this.#id !== null;
    v.enterPanorama(id, photo, inside || matchMedia('(prefers-reduced-motion: reduce)').matches);
    for (const t of base) v.addPanoramaTile(t.key, t.bitmap);
    if (entry.tiled) this.#tiles = { inflight: new Map(), failed: new Set(), warned: false };
    this.#requestFrame();
    // Shown once the flight lands (the frame loop runs meanwhile). Only visible time counts: a
    // hidden tab draws no frames, and its flight lands when the tourist comes back.
    const landed = await new Promise((resolve) => {
      let waited = 0, last = performance.now();
      const check = () => {
        const now = performance.now();
        if (document.visibilityState === 'visible') waited += now - last;
        last = now;
        if (token !== this.#token || v.panorama === id) resolve(v.panorama === id);
        else if (waited > LANDING_MS) resolve(false);
        else setTimeout(check, 50);
      };
      check();
    });
    if (token !== this.#token) return null;
    if (!landed) {
      // A page that draws no frames (a browser that stopped them) would otherwise wait in
      // silence: the view goes back to where it was and says so.
      this.#stopTiles();
      v.exitPanorama(true);
      this.#requestFrame();
      this.#failed(id, new Error(`the view did not get there in ${LANDING_MS / 1000} s (no frames were drawn)`));
      return null;
    }
    this.#id = id;
    this.#host.dataset.panorama = id;
    this.#hotspots(entry);
    this.#layer.hidden = false;
    this.update();
    this.#host.dispatchEvent(new CustomEvent('panorama-enter', { detail: { id } }));
    return id;
  }

  /** Fetches an image of at most `maxBytes` and decodes it. */
  async #image(href, signal, maxBytes) {
    const r = await fetch(href, { signal });
    if (!r.ok) throw new Error(`${href}: HTTP ${r.status}`);
    if (Number(r.headers.get('content-length')) > maxBytes) throw new Error(`${href}: larger than ${maxBytes >> 20} MB`);
    const blob = await r.blob();
    if (blob.size > maxBytes) throw new Error(`${href}: larger than ${maxBytes >> 20} MB`);
    const bitmap = await createImageBitmap(blob).catch(() => { throw new Error(`${href}: not an image the browser can decode`); });
    return { blob, bitmap };
  }

  /** One equirectangular photo, 2:1, scaled down past MAX_WIDTH. */
  async #photo(href, signal) {
    const { blob, bitmap } = await this.#image(href, signal, MAX_BYTES);
    if (Math.abs(bitmap.width / bitmap.height - 2) > 0.02) {
      const [w, h] = [bitmap.width, bitmap.height];
      bitmap.close();
      throw new Error(`${href}: a panorama is an equirectangular photo twice as wide as it is high, not ${w} × ${h}`);
    }
    if (bitmap.width <= MAX_WIDTH) return bitmap;
    bitmap.close();
    return createImageBitmap(blob, { resizeWidth: MAX_WIDTH, resizeHeight: MAX_WIDTH / 2, resizeQuality: 'high' });
  }

  /** Every tile of a tiled panorama's lowest level, or the first failure (the others freed). */
  async #baseTiles(id, signal) {
    const list = this.#viewer().panoramaBaseTiles(id);
    const got = await Promise.allSettled(list.map(({ key, url }) => this.#image(new URL(url, this.#base).href, signal, TILE_BYTES).then(({ bitmap }) => ({ key, bitmap }))));
    const failed = got.find((g) => g.status === 'rejected');
    if (!failed) return got.map((g) => g.value);
    for (const g of got) if (g.status === 'fulfilled') g.value.bitmap.close();
    throw failed.reason;
  }

  /** Fetches what the view of a tiled panorama lacks, a few at a time, most needed first; a
   *  tile no longer wanted (the view turned on) is cancelled. A tile that fails leaves the lower
   *  level there, said once. */
  #pump() {
    const tiles = this.#tiles, v = this.#viewer();
    if (!tiles || !v || this.#id === null) return;
    const wanted = v.panoramaTiles(TILE_WINDOW).filter((w) => !tiles.failed.has(w.key.join('/')));
    const keys = new Set(wanted.map((w) => w.key.join('/')));
    for (const [k, a] of tiles.inflight) if (!keys.has(k)) { tiles.inflight.delete(k); a.abort(); }
    for (const w of wanted) {
      if (tiles.inflight.size >= TILE_FETCHES) break;
      const k = w.key.join('/');
      if (tiles.inflight.has(k)) continue;
      const a = new AbortController();
      const timer = setTimeout(() => a.abort(new Error(`no answer in ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
      tiles.inflight.set(k, a);
      const href = new URL(w.url, this.#base).href;
      this.#image(href, a.signal, TILE_BYTES).then(({ bitmap }) => {
        if (tiles.inflight.get(k) === a && this.#tiles === tiles && v.addPanoramaTile(w.key, bitmap)) this.#requestFrame();
        else bitmap.close();
      }, (e) => {
        if (tiles.inflight.get(k) !== a) return; // cancelled
        tiles.failed.add(k);
        if (!tiles.warned) { tiles.warned = true; this.#warn(`panoramas: a tile could not be loaded, the view stays less sharp there: ${(a.signal.reason ?? e)?.message ?? e}`); }
      }).finally(() => {
        clearTimeout(timer);
        if (tiles.inflight.get(k) !== a) return;
        tiles.inflight.delete(k);
        if (this.#tiles === tiles) this.#pump();
      });
    }
  }

  #stopTiles() {
    if (!this.#tiles) return;
    const inflight = [...this.#tiles.inflight.values()];
    this.#tiles = null;
    for (const a of inflight) a.abort();
  }

  /** Steps out to the 3D view. */
  exit() {
    if (this.#id === null) return;
    const id = this.#id;
    this.#token++;
    this.#id = null;
    this.#stopTiles();
    this.#viewer()?.exitPanorama(matchMedia('(prefers-reduced-motion: reduce)').matches);
    this.#layer.hidden = true;
    delete this.#host.dataset.panorama;
    this.#requestFrame();
    this.#host.dispatchEvent(new CustomEvent('panorama-exit', { detail: { id } }));
  }

  #hotspots(entry) {
    for (const b of this.#buttons) b.remove();
    const lang = primaryLang(this.#host);
    this.#buttons = entry.hotspots.map((h) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'hotspot';
      b.part = 'hotspot';
      const target = h.panorama ? this.#list.find((p) => p.id === h.panorama) : null;
      b.textContent = pick(h.label, lang) || (target ? pick(target.name, lang) || target.id : h.poi ?? ''); // text, never HTML
      b.dataset.to = h.panorama ? `panorama:${h.panorama}` : `poi:${h.poi}`;
      b.addEventListener('click', () => {
        if (h.panorama) this.enter(h.panorama).catch((e) => this.#failed(h.panorama, e));
        else { this.exit(); this.#selectPoi(h.poi); }
      });
      this.#layer.append(b);
      return b;
    });
  }

  /** Moves the hotspots with the view (every frame a panorama is shown). */
  update() {
    const v = this.#viewer();
    if (!v || this.#id === null) return;
    this.#pump();
    const at = v.panoramaHotspots(this.#host.clientWidth, this.#host.clientHeight);
    this.#buttons.forEach((b, i) => {
      const shown = at[3 * i + 2] > 0;
      b.hidden = !shown;
      if (shown) b.style.transform = `translate(${at[3 * i].toFixed(1)}px, ${at[3 * i + 1].toFixed(1)}px) translate(-50%, -50%)`;
    });
  }

  #cardButton(poiId) {
    const entry = this.#list.find((p) => p.poi === poiId);
    const body = this.#root.querySelector('.card .body');
    if (!entry || !body) return;
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'pano';
    b.part = 'button panorama-button';
    b.textContent = this.#t('pano');
    b.addEventListener('click', () => this.enter(entry.id).catch((e) => this.#failed(entry.id, e)));
    body.append(b);
  }

  localize() {
    this.#back.textContent = this.#t('back');
  }

  detach() {
    this.#abort?.abort();
    this.#stopTiles();
    this.#token++;
    this.#id = null;
    this.#layer.hidden = true;
    delete this.#host.dataset.panorama;
  }
}
