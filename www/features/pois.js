// The POI overlay of <scenic-viewer>: labels as DOM buttons above the canvas (so Chinese text,
// operator CSS and screen readers work), moved with transforms each frame from the layout the
// wasm viewer computes; an info card; a visually hidden list mirroring the POIs.
import { fetchPoiPages } from './poi-fetch.js';
import { primaryLang, pick } from './lang.js';

const ICONS = {
  attraction: '★', viewpoint: '👁', museum: '🏛', gallery: '🖼', artwork: '🎨', information: 'ℹ',
  toilets: '🚻', ticket_office: '🎫', entrance: '⛩', parking: '🅿', food: '🍜', other: '•',
};
const STRINGS = {
  zh: { hours: '开放时间', tickets: '购票', play: '播放讲解', pause: '暂停讲解', close: '关闭', list: '景点列表', failed: '景点数据加载失败' },
  en: { hours: 'Opening hours', tickets: 'Tickets', play: 'Play audio guide', pause: 'Pause audio guide', close: 'Close', list: 'Points of interest', failed: 'Could not load points of interest' },
};

export const poiStyles = `
  .labels { position: absolute; inset: 0; overflow: hidden; pointer-events: none; }
  .poi { position: absolute; left: 0; top: 0; transform-origin: 50% 100%; pointer-events: auto; white-space: nowrap;
         display: inline-flex; align-items: center; gap: 4px; padding-block: 3px; padding-inline: 6px 8px; border-radius: 14px;
         border: 1px solid rgba(0,0,0,.15);
         background: var(--scenic-label-background, color-mix(in srgb, var(--scenic-surface, var(--_surface)) 92%, transparent));
         color: var(--scenic-label-color, var(--scenic-text, var(--_on-surface))); font: inherit; font-size: 13px; cursor: pointer; will-change: transform; }
  .poi[hidden] { display: none; }
  .poi:focus-visible { outline: 2px solid var(--scenic-accent, var(--_accent)); }
  .poi .name { max-width: 14em; overflow: hidden; text-overflow: ellipsis; }
  .poi .count { background: var(--scenic-accent, var(--_accent)); color: #fff; border-radius: 8px; padding: 0 5px; font-size: 11px; }
  .card { position: absolute; inset-inline: 8px; bottom: 8px; max-height: 70%; overflow: auto; padding: 12px 14px;
          border-radius: 10px; background: var(--scenic-card-background, var(--scenic-surface, var(--_surface)));
          color: var(--scenic-card-color, var(--scenic-text, var(--_on-surface))); box-shadow: 0 4px 18px rgba(0,0,0,.25); text-align: start; }
  .card[hidden] { display: none; }
  .card h2 { margin-block: 0 6px; margin-inline: 0 28px; font-size: 16px; }
  .card img { max-width: 100%; border-radius: 6px; }
  .card .close { position: absolute; top: 6px; inset-inline-end: 8px; border: 0; background: none; color: inherit; font-size: 20px; cursor: pointer; }
  .card .audio, .card .tickets { display: inline-block; margin-block-start: 8px; margin-inline-end: 8px; padding: 4px 12px; border-radius: 14px;
          border: 0; font: inherit; text-decoration: none; cursor: pointer;
          background: var(--scenic-accent, var(--_accent)); color: var(--scenic-button-color-on-accent, #fff); }
  .notice { position: absolute; top: 8px; inset-inline: 8px; padding: 4px 8px; border-radius: 6px; font-size: 12px;
            background: color-mix(in srgb, var(--scenic-surface, var(--_surface)) 85%, transparent); color: var(--_warn); }
  .notice[hidden] { display: none; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
`;

export class PoiLayer {
  #host; #layer; #card; #list; #notice; #viewer = null; #requestFrame;
  #pois = []; #buttons = []; #shown = new Uint8Array(0); #measured = false; #abort = null; #selected = null; #audio = null;

  constructor(host, root, requestFrame) {
    this.#host = host;
    this.#requestFrame = requestFrame;
    this.#layer = root.querySelector('.labels');
    this.#card = root.querySelector('.card');
    this.#list = root.querySelector('.sr-only');
    this.#notice = root.querySelector('.notice');
    this.#card.querySelector('.close').addEventListener('click', () => this.closeCard());
    host.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && !this.#card.hidden) { this.closeCard(); e.stopPropagation(); }
    });
  }

  get lang() { return primaryLang(this.#host); }

  #text(map) { return pick(map, this.lang); }

  #t(key) { return (STRINGS[this.lang] ?? STRINGS.en)[key]; }

  get pois() { return this.#pois.map((p) => ({ ...p })); }

  /** The id of the POI whose card is open, or null. */
  get selectedId() { return this.#card.hidden ? null : this.#pois[this.#selected]?.id ?? null; }

  attach(viewer) {
    this.#viewer = viewer;
  }

  /** Loads POIs from `url` (or clears them when empty). */
  async loadUrl(url, bbox) {
    this.#abort?.abort();
    this.#notice.hidden = true;
    if (!url) { this.#viewer.discardPois(); this.#show([]); return; }
    const abort = new AbortController();
    this.#abort = abort;
    this.#viewer.discardPois();
    // The lite bundles' POI reader is a wasm part: fetched beside the feed, not after it.
    this.#viewer.prefetchPoiReader();
    const skipped = [];
    try {
      await fetchPoiPages(url, {
        signal: abort.signal,
        bbox,
        onPage: async (bytes) => {
          const page = await this.#viewer.readPois(bytes, undefined, this.#host.getAttribute('pois-crs'));
          if (abort.signal.aborted) throw abort.signal.reason;
          skipped.push(...page.skipped);
          return page.next;
        },
      });
    } catch (e) {
      if (abort.signal.aborted) return;
      // Keep what arrived; say, unobtrusively, what failed.
      this.#notice.textContent = `${this.#t('failed')}: ${e?.message ?? e}`;
      this.#notice.hidden = false;
      this.#host.dispatchEvent(new CustomEvent('poi-error', { detail: { message: String(e?.message ?? e) } }));
    }
    if (abort.signal.aborted) return;
    this.#show(skipped);
  }

  /** Shows POIs built in JS; rejects with the reason they cannot be read. */
  async setArray(array) {
    this.#abort?.abort();
    const abort = new AbortController();
    this.#abort = abort;
    this.#viewer.discardPois();
    const page = await this.#viewer.readPois(new Uint8Array(0), array, this.#host.getAttribute('pois-crs'));
    if (abort.signal.aborted) return;
    this.#show(page.skipped);
  }

  /** Shows what the viewer read (each POI comes out of wasm once, here, in layout order). */
  #show(skipped) {
    const { pois, problems } = this.#viewer.setPois();
    const reasons = [...skipped, ...problems];
    this.#pois = pois;
    this.#build();
    if (reasons.length) {
      this.#host.dispatchEvent(new CustomEvent('poi-warning', { detail: { count: reasons.length, reasons } }));
    }
    // The POIs are placed (they arrive after `load`, from their own request).
    this.#host.dispatchEvent(new CustomEvent('poi-load', { detail: { count: this.#pois.length } }));
    this.#requestFrame();
  }

  #build() {
    this.closeCard();
    this.#layer.replaceChildren();
    this.#list.replaceChildren();
    this.#buttons = this.#pois.map((p, i) => {
      const b = document.createElement('button');
      b.className = 'poi';
      b.setAttribute('part', `label label-${p.category}`);
      b.dataset.category = p.category;
      b.dataset.id = p.id;
      const icon = document.createElement('span');
      icon.className = 'icon';
      icon.setAttribute('aria-hidden', 'true');
      icon.textContent = ICONS[p.category] ?? ICONS.other;
      const name = document.createElement('span');
      name.className = 'name';
      name.dir = 'auto'; // a Latin, Chinese or Arabic name each reads in its own direction
      name.textContent = this.#text(p.name); // text, never HTML
      // In AR: the distance, and the arrow an off-screen POI shows at the border.
      const dist = document.createElement('span');
      dist.className = 'dist';
      dist.setAttribute('part', 'label-distance');
      const arrow = document.createElement('span');
      arrow.className = 'arrow';
      arrow.setAttribute('aria-hidden', 'true');
      arrow.textContent = '➜';
      const count = document.createElement('span');
      count.className = 'count';
      count.setAttribute('part', 'label-count');
      count.hidden = true;
      b.append(icon, name, dist, arrow, count); // count stays last (lastChild below)
      b.hidden = true;
      // A cluster expands on tap: the camera moves in until its labels separate.
      b.addEventListener('click', (e) => {
        e.stopPropagation();
        if (!b.lastChild.hidden && !this.#inAr) this.flyTo(p.id); else this.open(i);
      });
      b.addEventListener('pointerdown', (e) => e.stopPropagation());
      this.#layer.append(b);
      const li = document.createElement('li');
      li.textContent = `${this.#text(p.name)} (${p.category})`;
      this.#list.append(li);
      return b;
    });
    this.#measured = false;
  }

  /** Labels are measured again (entering or leaving AR shows or hides their distance); in AR
   *  a tap opens the card, a cluster included (there is no camera to fly). */
  remeasure(inAr) { this.#measured = false; this.#inAr = inAr; }
  #inAr = false;

  /** Moves labels to the layout the viewer computed for this frame; in AR, `ar` is the AR
   *  layout (9 numbers per POI: the 3D view's 6, then distance, bearing and arrow direction)
   *  and `distance` formats metres. */
  /** Moves the labels to `layout` (else the 3D view's, asked of the viewer): 6 numbers per
   *  POI, or location AR's 9 when `distance` formats the distance shown. */
  update(layout = null, distance = null) {
    if (!this.#viewer || this.#buttons.length === 0) return;
    // The overlay benchmark (tests/bench) sets this to time each part of the frame.
    const bench = globalThis.__scenicBench;
    const t0 = bench ? performance.now() : 0;
    if (!this.#measured) {
      // One measurement after building (labels shown off screen), not every frame. The
      // cluster badge is measured in, at its widest ('999+'), so a label that later
      // shows a count never outgrows the space the layout gave it.
      const sizes = new Float32Array(this.#buttons.length * 2);
      this.#buttons.forEach((b) => {
        b.hidden = false;
        b.style.transform = 'translate(-9999px, 0)';
        delete b.dataset.edge;
        b.lastChild.hidden = false;
        b.lastChild.textContent = '999+';
        if (distance) b.querySelector('.dist').textContent = distance(9900);
      });
      this.#buttons.forEach((b, i) => {
        sizes[2 * i] = b.offsetWidth + 4;
        sizes[2 * i + 1] = b.offsetHeight + 4;
      });
      this.#buttons.forEach((b) => { b.lastChild.hidden = true; b.lastChild.textContent = ''; });
      // Measured labels are in the DOM flow (off screen): the loop below hides those not shown.
      this.#shown = new Uint8Array(this.#buttons.length).fill(1);
      this.#viewer.setLabelSizes(sizes);
      this.#measured = true;
    }
    const l = layout ?? this.#viewer.layout(this.#host.clientWidth, this.#host.clientHeight);
    const ar = !!distance;
    const stride = ar ? 9 : 6;
    const t1 = bench ? performance.now() : 0;
    // Plain indexing and a JS-side record of what is shown: no per-label allocations, and the
    // DOM is touched only for labels that show or change.
    const shownBefore = this.#shown;
    for (let i = 0; i < this.#buttons.length; i++) {
      const k = stride * i;
      const edge = l[k + 4] === 4;
      const show = (l[k + 4] === 0 || edge) && l[k + 3] > 0.01;
      if (!show) {
        if (shownBefore[i]) { this.#buttons[i].hidden = true; shownBefore[i] = 0; }
        continue;
      }
      const b = this.#buttons[i];
      if (!shownBefore[i]) { b.hidden = false; shownBefore[i] = 1; }
      if (ar) {
        // An arrow is centred on its place at the border; a label stands on its anchor.
        if (edge !== (b.dataset.edge !== undefined)) b.toggleAttribute('data-edge', edge);
        if (edge) b.style.setProperty('--arrow', `${l[k + 8].toFixed(3)}rad`);
        const text = distance(l[k + 6]);
        const d = b.querySelector('.dist');
        if (d.textContent !== text) d.textContent = text;
        b.dataset.distance = String(Math.round(l[k + 6]));
        b.dataset.bearing = l[k + 7].toFixed(1);
      } else if (b.dataset.edge !== undefined) {
        delete b.dataset.edge;
      }
      b.style.transform = edge ? `translate(${l[k]}px, ${l[k + 1]}px) translate(-50%, -50%)`
        : `translate(${l[k]}px, ${l[k + 1]}px) translate(-50%, -100%) scale(${l[k + 2].toFixed(3)})`;
      b.style.opacity = l[k + 3].toFixed(2);
      const count = l[k + 5];
      const c = b.lastChild;
      const clustered = count > 1;
      if (c.hidden === clustered) c.hidden = !clustered;
      const text = count > 999 ? '999+' : String(count);
      if (clustered && c.textContent !== text) c.textContent = text;
    }
    if (bench) bench.push({ layout: t1 - t0, dom: performance.now() - t1 });
  }

  /** Opens the card of POI `i` and fires `poi-select`. */
  open(i) {
    const p = this.#pois[i];
    if (!p) return;
    this.#selected = i;
    const card = this.#card;
    const body = card.querySelector('.body');
    body.replaceChildren();
    const h = document.createElement('h2');
    h.textContent = this.#text(p.name);
    body.append(h);
    const add = (tag, text, cls) => { const e = document.createElement(tag); e.textContent = text; if (cls) e.className = cls; body.append(e); return e; };
    const desc = this.#text(p.description);
    if (desc) add('p', desc, 'description');
    if (p.openingHours) add('p', `${this.#t('hours')}: ${p.openingHours}`, 'hours');
    if (p.image) { const img = document.createElement('img'); img.alt = ''; img.loading = 'lazy'; img.src = p.image; body.append(img); }
    if (p.ticketUrl) { const a = add('a', this.#t('tickets'), 'tickets'); a.setAttribute('part', 'button ticket-button'); a.href = p.ticketUrl; a.target = '_blank'; a.rel = 'noopener noreferrer'; }
    if (p.audioUrl) {
      const btn = add('button', this.#t('play'), 'audio');
      btn.setAttribute('part', 'button audio-button');
      btn.addEventListener('click', () => {
        if (!this.#audio) this.#audio = new Audio();
        if (this.#audio.src !== p.audioUrl) this.#audio.src = p.audioUrl;
        if (this.#audio.paused) { this.#audio.play().catch(() => {}); btn.textContent = this.#t('pause'); } else { this.#audio.pause(); btn.textContent = this.#t('play'); }
      });
    }
    card.querySelector('.close').setAttribute('aria-label', this.#t('close'));
    card.setAttribute('aria-label', this.#text(p.name));
    card.hidden = false;
    this.#host.dispatchEvent(new CustomEvent('poi-select', { detail: { id: p.id, poi: { ...p } } }));
  }

  closeCard() {
    this.#audio?.pause();
    if (this.#card.hidden) return;
    this.#card.hidden = true;
    const b = this.#buttons[this.#selected];
    this.#selected = null;
    b?.focus();
  }

  flyTo(id) {
    this.#viewer.flyTo(id);
    this.#requestFrame();
  }

  /** Opens POI `id`'s card and eases the camera to it. */
  select(id) {
    const i = this.#pois.findIndex((p) => p.id === id);
    if (i < 0) throw new Error(`no POI with id ${JSON.stringify(String(id))}`);
    this.flyTo(id);
    this.open(i);
  }

  /** The viewer is going away: stop fetching and playing, drop the labels. */
  detach() {
    this.#abort?.abort();
    this.#audio?.pause();
    this.#viewer = null;
    this.#pois = [];
    this.#build();
  }
}
