// Guided tours of <scenic-viewer>: the `tour` attribute (a URL) or setTour(object) gives an
// itinerary (schema.org TouristTrip, GeoJSON stops with an `order` property, or `{ stops }`);
// a toolbar button "导览 / Tour" starts it. Each stop flies the camera there (over the scene,
// eased; at once under prefers-reduced-motion), shows its name and narration and plays its audio;
// autoplay moves on when the audio ends (or after a reading time for text alone). Prev / pause /
// next in a panel, also from the keyboard (← → space, Esc ends); the narration is a polite live
// region for screen readers. Events: tour-load, tour-error, tour-stop (on arrival), tour-end.
//
// Loaded by the element only for pages that use tours. The wasm viewer reads the itinerary and
// flies the camera (crate/src/tour, crate/src/camera/flight.rs); this module sequences and speaks.
import { primaryLang, pick } from './lang.js';
import { toolbarButton } from './toolbar.js';

const STRINGS = {
  zh: { tour: '导览', start: '开始导览', prev: '上一站', next: '下一站', play: '继续', pause: '暂停', close: '结束导览', of: (i, n) => `第 ${i} 站 / 共 ${n} 站`, failed: '导览加载失败' },
  en: { tour: 'Tour', start: 'Start the tour', prev: 'Previous stop', next: 'Next stop', play: 'Resume', pause: 'Pause', close: 'End the tour', of: (i, n) => `Stop ${i} of ${n}`, failed: 'Could not load the tour' },
};
/** A tour file larger than this is refused (an itinerary is a few KB). */
const MAX_BYTES = 2 << 20;
const TIMEOUT_MS = 15000;

export const tourStyles = `
  .tour { position: absolute; inset-inline: 8px; bottom: 8px; max-height: 45%; overflow: auto; padding: 10px 12px;
          border-radius: 10px; background: var(--scenic-card-background, var(--scenic-surface, var(--_surface)));
          color: var(--scenic-card-color, var(--scenic-text, var(--_on-surface))); box-shadow: 0 4px 18px rgba(0,0,0,.25); }
  .tour[hidden] { display: none; }
  .tour header { display: flex; align-items: baseline; gap: 8px; margin-inline-end: 28px; font-size: 12px; opacity: .8; }
  .tour h2 { margin: 4px 0; font-size: 16px; }
  .tour p { margin: 0 0 8px; white-space: pre-line; }
  .tour .controls { display: flex; gap: 8px; }
  .tour .controls button { min-width: 40px; height: 32px; border-radius: 16px; border: 0; cursor: pointer; font: inherit; padding-inline: 12px;
          background: var(--scenic-accent, var(--_accent)); color: var(--scenic-button-color-on-accent, #fff); }
  .tour .controls button:disabled { opacity: .4; cursor: default; }
  .tour .end { position: absolute; top: 6px; inset-inline-end: 8px; border: 0; background: none; color: inherit; font-size: 20px; cursor: pointer; }
  :host([data-tour-stop]) .card { display: none; }
  .toolbar .tour-button { padding-inline: 10px; }
`;

export class TourMode {
  #host; #root; #viewer; #requestFrame; #warn;
  #panel; #button; #audio = null;
  #tour = null; #index = null; #playing = false; #arrived = false; #timer = 0; #token = 0; #abort = null;

  constructor(host, root, getViewer, requestFrame, warn) {
    this.#host = host;
    this.#root = root;
    this.#viewer = getViewer;
    this.#requestFrame = requestFrame;
    this.#warn = warn;
    const panel = this.#panel = document.createElement('section');
    panel.className = 'tour';
    panel.part = 'tour';
    panel.hidden = true;
    panel.tabIndex = -1;
    panel.innerHTML = `<header><span class="name"></span><span class="count"></span></header><h2></h2><p aria-live="polite"></p>
      <div class="controls"><button class="prev" type="button">‹</button><button class="toggle" type="button"></button><button class="next" type="button">›</button></div>
      <button class="end" type="button">×</button>`;
    root.append(panel);
    this.#button = toolbarButton(root, 'tour-button', () => this.start(0), { hidden: true });
    panel.querySelector('.prev').addEventListener('click', () => this.previous());
    panel.querySelector('.next').addEventListener('click', () => this.next());
    panel.querySelector('.toggle').addEventListener('click', () => (this.#playing ? this.pause() : this.resume()));
    panel.querySelector('.end').addEventListener('click', () => this.end());
    // The panel's keys are the tour's, not the orbit's.
    panel.addEventListener('keydown', (e) => {
      const keys = { ArrowRight: () => this.next(), ArrowLeft: () => this.previous(), Escape: () => this.end(), ' ': () => (this.#playing ? this.pause() : this.resume()) };
      if (!keys[e.key] || (e.key === ' ' && e.target.tagName === 'BUTTON')) return;
      e.preventDefault();
      e.stopPropagation();
      keys[e.key]();
    });
    this.localize();
  }

  #t(key) { return (primaryLang(this.#host) === 'zh' ? STRINGS.zh : STRINGS.en)[key]; }

  /** `{ id, name, stops, skipped }` of the tour held, or null. */
  get tour() { return this.#tour ? { ...this.#tour } : null; }
  /** The stop shown (0-based) while touring, else null. */
  get index() { return this.#index; }
  get playing() { return this.#playing; }

  /** Fetches the tour at `url` (the `tour` attribute); an empty url forgets it. */
  async load(url) {
    this.#abort?.abort();
    if (!url) return this.#forget();
    const abort = this.#abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error(`no answer in ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
    try {
      const href = new URL(url, document.baseURI).href;
      const response = await fetch(href, { signal: abort.signal });
      if (!response.ok) throw new Error(`${href}: HTTP ${response.status}`);
      if (Number(response.headers.get('content-length')) > MAX_BYTES) throw new Error(`${href}: larger than ${MAX_BYTES >> 20} MB`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (bytes.length > MAX_BYTES) throw new Error(`${href}: larger than ${MAX_BYTES >> 20} MB`);
      if (abort.signal.aborted) return;
      this.#take(() => this.#viewer().setTour(bytes, null, this.#host.getAttribute('pois-crs')));
    } catch (e) {
      if (abort.signal.aborted && this.#abort !== abort) return; // replaced by a newer load
      this.#failed(abort.signal.reason ?? e);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A tour given by the page as an object (or an array of stops). */
  set(value) {
    this.#abort?.abort();
    try {
      this.#take(() => this.#viewer().setTour(new Uint8Array(0), value, this.#host.getAttribute('pois-crs')));
    } catch (e) {
      this.#failed(e);
      throw e;
    }
  }

  #take(read) {
    this.end();
    const summary = read();
    this.#tour = summary;
    this.#button.hidden = false;
    this.localize();
    for (const reason of summary.skipped) console.warn(`scenic-viewer: tour: ${reason}`);
    if (summary.skipped.length) this.#warn(`tour: ${summary.skipped.length} stop(s) left out: ${summary.skipped[0]}`);
    this.#host.dispatchEvent(new CustomEvent('tour-load', { detail: { ...summary } }));
  }

  #failed(e) {
    const message = `${this.#t('failed')}: ${e?.message ?? e}`;
    this.#forget();
    this.#warn(message);
    this.#host.dispatchEvent(new CustomEvent('tour-error', { detail: { message } }));
  }

  #forget() {
    this.end();
    this.#tour = null;
    this.#button.hidden = true;
    this.#viewer()?.clearTour();
  }

  /** Goes to stop `index` and, unless `play` is false, plays on from there. */
  start(index = 0, { play = true } = {}) {
    if (!this.#tour) throw new Error('no tour: set the tour attribute or call setTour()');
    const i = Math.trunc(Number(index));
    if (!(i >= 0 && i < this.#tour.stops)) throw new RangeError(`the tour has stops 0 to ${this.#tour.stops - 1}`);
    this.#playing = !!play;
    this.#panel.hidden = false;
    this.#go(i);
    this.#panel.focus({ preventScroll: true });
  }

  next() {
    if (this.#index === null) return;
    if (this.#index + 1 < this.#tour.stops) this.#go(this.#index + 1);
    else this.#finish();
  }

  previous() {
    if (this.#index !== null && this.#index > 0) this.#go(this.#index - 1);
  }

  pause() {
    if (!this.#playing) return;
    this.#playing = false;
    clearTimeout(this.#timer);
    this.#audio?.pause();
    this.#sync();
  }

  resume() {
    if (this.#index === null || this.#playing) return;
    this.#playing = true;
    this.#sync();
    if (!this.#arrived) return; // the landing goes on from here
    if (this.#audio?.getAttribute('src') && !this.#audio.ended) this.#play();
    else this.#dwell();
  }

  /** Leaves the tour (the panel closes, the audio stops); fires tour-end once. */
  end() { this.#close(false); }

  #finish() { this.#close(true); }

  #close(completed) {
    if (this.#index === null) return;
    const index = this.#index;
    this.#stopStop();
    this.#index = null;
    this.#playing = false;
    this.#panel.hidden = true;
    delete this.#host.dataset.tourStop;
    delete this.#host.dataset.tourState;
    this.#host.dispatchEvent(new CustomEvent('tour-end', { detail: { id: this.#tour?.id, index, completed } }));
  }

  #stopStop() {
    this.#token++;
    clearTimeout(this.#timer);
    if (this.#audio) { this.#audio.pause(); this.#audio.removeAttribute('src'); this.#audio.load(); }
    this.#arrived = false;
  }

  #go(i) {
    this.#stopStop();
    this.#index = i;
    const token = this.#token;
    this.#host.dataset.tourStop = String(i + 1);
    const reduced = matchMedia('(prefers-reduced-motion: reduce)').matches;
    let flight;
    try {
      flight = this.#viewer().flyToStop(i, reduced);
    } catch (e) {
      // A stop that cannot be placed is said; the tour goes on past it.
      this.#render(this.#viewer().tourStop(i), i, String(e?.message ?? e));
      this.#warn(`tour: ${e?.message ?? e}`);
      this.#arrive(token, null);
      return;
    }
    this.#render(flight.stop, i, null);
    this.#requestFrame();
    const began = performance.now();
    const landed = () => {
      if (token !== this.#token) return;
      const v = this.#viewer();
      // Landed, or stopped by the visitor's own touch (either way the stop has begun). A hidden
      // tab draws no frames, so there time also ends the wait; a slow device's frames lag the
      // clock (each advances the flight by at most a tenth of a second), so a visible page waits
      // far longer before giving up on the landing.
      const late = performance.now() - began > flight.duration * 1000 + (document.hidden ? 1500 : 15000);
      if (!v || !v.flying || late) this.#arrive(token, flight.stop);
      else this.#timer = setTimeout(landed, 100);
    };
    this.#timer = setTimeout(landed, Math.min(100, flight.duration * 1000));
  }

  #arrive(token, stop) {
    if (token !== this.#token) return;
    this.#arrived = true;
    const i = this.#index;
    this.#host.dispatchEvent(new CustomEvent('tour-stop', { detail: { id: this.#tour.id, index: i, stop: i + 1, poi: stop?.poi ?? null, name: stop ? pick(stop.name, primaryLang(this.#host)) : '' } }));
    if (stop?.audio) {
      const audio = this.#audio ??= this.#makeAudio();
      audio.src = stop.audio;
      if (this.#playing) this.#play();
    } else if (this.#playing) {
      this.#dwell();
    }
  }

  /** Plays the stop's audio; refused (no tap yet, a broken file), the text is read instead. A
   *  play interrupted by pause() also rejects: then nothing is to be done. */
  #play() {
    const token = this.#token;
    this.#audio.play().catch(() => { if (token === this.#token && this.#playing && this.#audio.paused) this.#dwell(); });
  }

  #makeAudio() {
    const audio = new Audio();
    audio.preload = 'auto';
    audio.addEventListener('ended', () => { if (this.#playing && this.#arrived) this.next(); });
    audio.addEventListener('error', () => { if (this.#audio?.getAttribute('src') && this.#playing) this.#dwell(); });
    return audio;
  }

  /** Time to read the stop's text before autoplay moves on: 4–20 s. */
  #dwell() {
    clearTimeout(this.#timer);
    const chars = this.#panel.querySelector('p').textContent.length;
    const token = this.#token;
    this.#timer = setTimeout(() => { if (token === this.#token && this.#playing) this.next(); }, Math.min(20000, Math.max(4000, 2500 + 60 * chars)));
  }

  #render(stop, i, problem) {
    const lang = primaryLang(this.#host);
    this.#panel.querySelector('.name').textContent = pick(this.#tour.name, lang); // text, never HTML
    this.#panel.querySelector('.count').textContent = this.#t('of')(i + 1, this.#tour.stops);
    this.#panel.querySelector('h2').textContent = pick(stop?.name, lang);
    this.#panel.querySelector('p').textContent = problem ?? pick(stop?.text, lang);
    this.#sync();
  }

  #sync() {
    const p = this.#panel;
    if (this.#index !== null) this.#host.dataset.tourState = this.#playing ? 'playing' : 'paused';
    p.querySelector('.prev').disabled = !(this.#index > 0);
    const toggle = p.querySelector('.toggle');
    toggle.textContent = this.#playing ? '❚❚' : '▶';
    toggle.setAttribute('aria-label', this.#t(this.#playing ? 'pause' : 'play'));
    toggle.setAttribute('aria-pressed', String(!this.#playing));
  }

  localize() {
    const p = this.#panel;
    this.#button.textContent = this.#t('tour');
    this.#button.title = this.#t('start');
    this.#button.setAttribute('aria-label', this.#t('start'));
    p.setAttribute('aria-label', this.#t('tour'));
    for (const [cls, key] of [['prev', 'prev'], ['next', 'next'], ['end', 'close']]) {
      const b = p.querySelector(`.${cls}`);
      b.setAttribute('aria-label', this.#t(key));
      b.title = this.#t(key);
    }
    if (this.#index !== null) this.#render(this.#viewer().tourStop(this.#index), this.#index, null);
    else this.#sync();
  }

  /** The viewer is going away. */
  detach() {
    this.#abort?.abort();
    this.end();
    this.#tour = null;
    this.#button.hidden = true;
  }
}
