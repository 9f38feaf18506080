// AR attributes and modes of <scenic-viewer>: `ar` shows a toolbar button "AR 实景 / AR view";
// enterAR('location') puts POI labels over the rear camera's picture, placed by the visitor's
// position and the phone's compass; enterAR('map') is the panoramic AR map (a compass dial of
// the POIs around the visitor, no camera needed); enterAR('webxr') is the sand table (the model
// on a real table through WebXR, features/sandtable.js, where the browser offers immersive AR).
// The wasm viewer filters the fixes, smooths the orientation and lays the labels out
// (crate/src/ar); this module owns the sensors, the camera stream and the messages. Where
// something is refused or missing, it says so and falls back: camera → AR map; compass → a
// north-up map; position, or the sand table's session → the 3D view.
//
// Privacy: the position stays in this page (in the viewer's memory); nothing here sends it.

// Loaded by the element only for pages that use AR (the `ar` attribute, enterAR()); its
// attributes are `ar`, `ar-fov`, `ar-max-distance`, `ar-max-accuracy`, `visitor-crs`.
import { primaryLang } from './lang.js';
import { toolbarButton } from './toolbar.js';
import { tableSupported, requestTableSession } from './sandtable.js';
export const AR_MODES = ['location', 'map', 'webxr'];

const STRINGS = {
  zh: {
    enter: 'AR 实景', exit: '退出 AR', toMap: 'AR 地图', toCamera: 'AR 实景', you: '你的位置',
    insecure: 'AR 需要安全连接（https）', noGeo: '此浏览器无法定位，无法使用 AR', geoDenied: '未获得定位权限，无法使用 AR',
    geoFailed: '定位失败', camera: '无法打开摄像头，已改用 AR 地图', noCompass: '没有罗盘数据：地图朝北',
    calibrate: '罗盘不准：请将手机在空中画 8 字校准', waiting: '正在定位…', accuracy: (m) => `定位精度 ±${m} 米`,
    ignored: (m) => `已忽略精度 ±${m} 米的定位`, m: '米', km: '公里', north: '北',
    table: 'AR 沙盘', move: '重新放置', noXr: '此浏览器不支持 WebXR 增强现实：AR 沙盘需要支持 ARCore 的安卓手机上的 Chrome', xrFailed: 'AR 沙盘无法启动',
  },
  en: {
    enter: 'AR view', exit: 'Exit AR', toMap: 'AR map', toCamera: 'AR view', you: 'You are here',
    insecure: 'AR needs a secure (https) page', noGeo: 'This browser cannot give a position: AR is unavailable', geoDenied: 'Location permission was refused: AR is unavailable',
    geoFailed: 'Position unavailable', camera: 'The camera could not be opened: showing the AR map instead', noCompass: 'No compass readings: the map faces north',
    calibrate: 'Compass unreliable: move your phone in a figure-eight to calibrate', waiting: 'Finding your position…', accuracy: (m) => `Position ±${m} m`,
    ignored: (m) => `A ±${m} m position fix was ignored`, m: 'm', km: 'km', north: 'N',
    table: 'AR sand table', move: 'Move', noXr: 'This browser has no WebXR AR: the sand table needs Chrome on an ARCore Android phone', xrFailed: 'The AR sand table could not start',
  },
};

/** Seconds to wait for a first orientation reading before saying there is no compass. */
const ORIENTATION_WAIT_MS = 2000;

export const arStyles = `
  .ar-video { position: absolute; inset: 0; width: 100%; height: 100%; object-fit: cover; background: #000; display: none; }
  :host([data-ar="location"]) .ar-video { display: block; }
  :host([data-ar]) canvas { visibility: hidden; }
  .ar-map { position: absolute; inset: 0; display: none; pointer-events: none;
            background: var(--scenic-map-background, var(--scenic-background, var(--_bg))); }
  :host([data-ar="map"]) .ar-map { display: block; }
  .ar-map svg { position: absolute; inset: 0; width: 100%; height: 100%; }
  .ar-map circle { fill: none; stroke: currentColor; stroke-opacity: .25; }
  .ar-map text { fill: currentColor; fill-opacity: .6; font-size: 11px; }
  .ar-map .you { fill: var(--scenic-accent, var(--_accent)); fill-opacity: 1; stroke: #fff; stroke-width: 2; stroke-opacity: 1; }
  .ar-map .north { fill: var(--_error); fill-opacity: 1; font-weight: 600; font-size: 13px; }
  .ar-status { position: absolute; bottom: 8px; inset-inline-start: 8px; padding: 3px 8px; border-radius: 10px; font-size: 12px;
               background: color-mix(in srgb, var(--scenic-surface, var(--_surface)) 85%, transparent); color: var(--scenic-text, var(--_on-surface)); }
  .ar-status[hidden], .ar-switch[hidden] { display: none; }
  .poi .dist, .poi .arrow { display: none; }
  :host([data-ar]) .poi .dist { display: inline; font-size: 11px; opacity: .75; }
  .poi[data-edge] { padding: 4px; border-radius: 50%; }
  .poi[data-edge] .name, .poi[data-edge] .icon, :host([data-ar]) .poi[data-edge] .dist { display: none; }
  .poi[data-edge] .arrow { display: inline-block; transform: rotate(var(--arrow, 0rad)); line-height: 1; }
  /* The sand table: the element is the session's DOM overlay, over the camera and the model. */
  :host([data-ar="webxr"]) { background: transparent; }
  :host([data-ar="webxr"]) .poi .dist { display: none; }
`;

const ICON = '<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"><path d="M12 2 4 6v5c0 5 3.4 9.4 8 11 4.6-1.6 8-6 8-11V6zm0 5a3 3 0 1 1 0 6 3 3 0 0 1 0-6z" fill="currentColor"/></svg>';

export class ArMode {
  #host; #root; #viewer; #requestFrame; #onChange; #warn;
  #video; #map; #status; #button; #switch; #tableButton; #moveButton; #xr;
  /** The sand table while its session runs, and whether this browser offers one. */
  #table = null; #xrSupported = false;
  #mode = null; #stream = null; #watch = null; #abort = null; #orientationTimer = null;
  #absoluteSeen = false; #readings = 0; #geoProblem = ''; #token = 0; #pagePositions = false;

  /** `xr`: `{ gl }` resolves to `{ viewer, canvas }` on WebGL2 for the sand table, `labels(layout)`
   *  moves the POI labels from its frames. */
  constructor(host, root, getViewer, requestFrame, onChange, warn, xr) {
    this.#warn = warn;
    this.#xr = xr;
    this.#host = host;
    this.#root = root;
    this.#viewer = getViewer;
    this.#requestFrame = requestFrame;
    this.#onChange = onChange;
    this.#video = Object.assign(document.createElement('video'), { className: 'ar-video', muted: true, playsInline: true, autoplay: true });
    this.#video.setAttribute('part', 'ar-video');
    this.#video.setAttribute('aria-hidden', 'true');
    this.#map = document.createElement('div');
    this.#map.className = 'ar-map';
    this.#map.setAttribute('part', 'ar-map');
    this.#status = Object.assign(document.createElement('div'), { className: 'ar-status', hidden: true });
    this.#status.setAttribute('part', 'ar-status');
    this.#status.setAttribute('role', 'status');
    root.querySelector('.labels').before(this.#video, this.#map);
    root.querySelector('.labels').after(this.#status);
    // Prepended each: the switch, then the AR button before it.
    this.#switch = toolbarButton(root, 'ar-switch', () => this.enter(this.#mode === 'map' ? 'location' : 'map'), { hidden: true, part: 'ar-switch-button' });
    this.#moveButton = toolbarButton(root, 'ar-move', () => this.#table?.lift(), { hidden: true, part: 'ar-move-button' });
    this.#tableButton = toolbarButton(root, 'ar-table', () => this.enter('webxr'), { hidden: true, part: 'ar-table-button' });
    this.#button = toolbarButton(root, 'ar', () => { if (this.#mode) this.exit(); else this.enter('location'); }, { hidden: true, part: 'ar-button' });
    this.#button.innerHTML = ICON; // a constant: no page or POI text
    this.#button.append(Object.assign(document.createElement('span'), { className: 'ar-label' }));
    document.addEventListener('visibilitychange', () => this.#visibility());
    tableSupported().then((ok) => { this.#xrSupported = ok; this.localize(); });
    this.localize();
  }

  /** The sand table's state while it runs: `{ surface, placed, anchor, yaw, scale, zoom }`. */
  get table() { return this.#table?.status ?? null; }

  get mode() { return this.#mode; }

  #t(key) {
    return (primaryLang(this.#host) === 'zh' ? STRINGS.zh : STRINGS.en)[key];
  }

  /** A wrong number in `ar-fov`, `ar-max-distance` or `ar-max-accuracy` is said (the default
   *  is used meanwhile). */
  checkAttributes() {
    for (const name of ['ar-fov', 'ar-max-distance', 'ar-max-accuracy']) {
      if (this.#host.hasAttribute(name) && this.#number(name) === undefined) this.#warn(`${name}="${this.#host.getAttribute(name)}" is not a number above 0; the default is used`);
    }
  }

  /** Labels, and whether the button shows (the `ar` attribute). */
  localize() {
    this.#button.hidden = !this.#host.hasAttribute('ar') && !this.#mode;
    const label = this.#mode ? this.#t('exit') : this.#t('enter');
    this.#button.lastChild.textContent = label;
    this.#button.setAttribute('aria-label', label);
    this.#button.setAttribute('aria-pressed', String(!!this.#mode));
    this.#switch.hidden = !this.#mode || this.#mode === 'webxr';
    this.#switch.textContent = this.#mode === 'map' ? this.#t('toCamera') : this.#t('toMap');
    // Shown only where the browser offers immersive AR.
    this.#tableButton.hidden = !this.#host.hasAttribute('ar') || !this.#xrSupported || !!this.#mode;
    this.#tableButton.textContent = this.#t('table');
    this.#moveButton.textContent = this.#t('move');
    if (this.#mode === 'map') this.#drawDial();
  }

  #fire(name, detail) { this.#host.dispatchEvent(new CustomEvent(name, { detail })); }

  /** Enters AR `mode` ('location' | 'map'); resolves with the mode in use (after fallbacks),
   *  or null when AR cannot run here (the reason is shown and sent as `ar-error`). */
  async enter(mode = 'location') {
    if (!AR_MODES.includes(mode)) {
      this.#error(mode, 'unsupported', `AR mode "${mode}" is not one of ${AR_MODES.join(', ')}`, null);
      return null;
    }
    if (mode === 'webxr' && this.#mode === 'webxr') return mode;
    const token = ++this.#token;
    if (!window.isSecureContext) return this.#fail(mode, 'insecure', this.#t('insecure'));
    if (mode === 'webxr') return this.#enterTable(token);
    // From the sand table to another mode: its session ends first (no ar-end: AR goes on).
    if (this.#table) { const table = this.#table; this.#table = null; table.end(); }
    if (!navigator.geolocation) return this.#fail(mode, 'no-geolocation', this.#t('noGeo'));
    // iOS asks for motion permission, and only from a tap: this call must come from one.
    // Chromium has the method too, and answers 'denied' (then sends empty readings) when asked
    // without a tap, so it is asked only while the page holds one.
    const ask = globalThis.DeviceOrientationEvent?.requestPermission;
    let orientationRefused = false;
    if (typeof ask === 'function' && !this.#abort && navigator.userActivation?.isActive !== false) {
      try { orientationRefused = (await ask.call(DeviceOrientationEvent)) !== 'granted'; } catch { orientationRefused = true; }
    }
    if (token !== this.#token) return this.#mode;
    if (mode === 'location') {
      try {
        await this.#openCamera();
      } catch (e) {
        if (token !== this.#token) return this.#mode;
        this.#error('location', e?.name || 'camera', `${this.#t('camera')} (${e?.message || e?.name || e})`, 'map');
        mode = 'map';
      }
      if (token !== this.#token) { this.#stopCamera(); return this.#mode; }
    } else {
      this.#stopCamera();
    }
    const was = this.#mode;
    this.#mode = mode;
    this.#host.dataset.ar = mode;
    this.#startSensors(orientationRefused);
    this.localize();
    this.#onChange();
    if (!was) this.#fire('ar-start', { mode });
    else if (was !== mode) this.#fire('ar-start', { mode, from: was });
    this.#requestFrame();
    return mode;
  }

  /** The sand table: an immersive AR session, the element as its DOM overlay. */
  async #enterTable(token) {
    if (!(await tableSupported())) return this.#fail('webxr', 'unsupported', this.#t('noXr'));
    let session;
    try {
      session = await requestTableSession(this.#host);
    } catch (e) {
      return this.#fail('webxr', e?.name || 'session', `${this.#t('xrFailed')} (${e?.message || e?.name || e})`);
    }
    if (token !== this.#token) { session.end().catch(() => {}); return this.#mode; }
    // Another AR mode hands over: its camera and sensors are let go.
    this.#stopCamera();
    this.#stopSensors();
    const { SandTable } = await import('./sandtable.js');
    const table = this.#table = new SandTable({
      host: this.#host, root: this.#root, lang: () => primaryLang(this.#host), labels: this.#xr.labels,
      status: this.#status, moveButton: this.#moveButton,
      onEnd: () => { if (this.#table === table) this.exit(); },
    });
    const was = this.#mode;
    this.#mode = 'webxr';
    this.#host.dataset.ar = 'webxr';
    this.localize();
    this.#onChange();
    this.#fire('ar-start', was ? { mode: 'webxr', from: was } : { mode: 'webxr' });
    try {
      await table.start(session, this.#xr.gl);
    } catch (e) {
      if (this.#table !== table) return this.#mode;
      this.#error('webxr', 'session', `${this.#t('xrFailed')} (${e?.message ?? e})`, '3d');
      this.exit();
      return null;
    }
    return this.#table === table ? 'webxr' : this.#mode;
  }

  /** Leaves AR: the camera is stopped (its light goes off), the sensors are let go, a sand
   *  table's session ends. */
  exit() {
    this.#token++;
    const table = this.#table;
    this.#table = null;
    table?.end();
    const was = this.#mode;
    this.#stopCamera();
    this.#stopSensors();
    this.#mode = null;
    delete this.#host.dataset.ar;
    this.#status.hidden = true;
    this.#geoProblem = '';
    this.#viewer()?.arReset();
    this.localize();
    this.#onChange();
    if (was) this.#fire('ar-end', { mode: was });
    this.#requestFrame();
  }

  /** A position from the page (WeChat's JS-SDK gives GCJ-02: `crs: 'gcj02'`). */
  setPosition({ longitude, latitude, altitude = null, accuracy = 10, crs } = {}) {
    // The page has its own source (WeChat's JS-SDK): from now on it replaces the browser's (two
    // sources would pull the filter between them), and a refused browser position is not fatal.
    this.#pagePositions = true;
    this.#fix(Number(longitude), Number(latitude), altitude, Number(accuracy), Date.now(), crs ?? this.#host.getAttribute('visitor-crs'));
  }

  #fix(lon, lat, altitude, accuracy, time, crs) {
    const viewer = this.#viewer();
    if (!viewer) return;
    try {
      const ignored = viewer.arFix(lon, lat, Number.isFinite(altitude) ? altitude : undefined, accuracy, time, crs || undefined, this.#number('ar-max-accuracy'));
      if (!ignored) this.#geoProblem = '';
      this.#fire('ar-position', { accepted: !ignored, accuracy, reason: ignored ?? undefined });
    } catch (e) {
      this.#error(this.#mode, 'position', String(e?.message ?? e), null);
    }
    this.#requestFrame();
  }

  #number(name) {
    const v = Number(this.#host.getAttribute(name));
    return this.#host.hasAttribute(name) && Number.isFinite(v) && v > 0 ? v : undefined;
  }

  async #openCamera() {
    if (this.#stream?.active) return;
    if (!navigator.mediaDevices?.getUserMedia) throw Object.assign(new Error('no camera API here'), { name: 'NotSupportedError' });
    const stream = await navigator.mediaDevices.getUserMedia({ audio: false, video: { facingMode: { ideal: 'environment' } } });
    this.#stream = stream;
    this.#video.srcObject = stream;
    await this.#video.play().catch(() => {});
  }

  #stopCamera() {
    for (const t of this.#stream?.getTracks() ?? []) t.stop();
    this.#stream = null;
    this.#video.srcObject = null;
  }

  #startSensors(orientationRefused) {
    if (this.#abort) return;
    const abort = this.#abort = new AbortController();
    const opts = { signal: abort.signal };
    this.#watch = navigator.geolocation.watchPosition(
      (p) => this.#pagePositions || this.#fix(p.coords.longitude, p.coords.latitude, p.coords.altitude, p.coords.accuracy, p.timestamp, null),
      (e) => {
        if (e.code === e.PERMISSION_DENIED && !this.#pagePositions) this.#fail(this.#mode, 'geolocation-denied', this.#t('geoDenied'));
        else { this.#geoProblem = `${this.#t('geoFailed')}: ${e.message}`; this.#requestFrame(); }
      },
      { enableHighAccuracy: true, maximumAge: 1000, timeout: 30000 },
    );
    const read = (e) => {
      const absolute = e.type === 'deviceorientationabsolute' || e.absolute === true;
      // Chromium fires both events: the relative one adds nothing once absolute ones arrive.
      if (absolute) this.#absoluteSeen = true;
      else if (this.#absoluteSeen && e.webkitCompassHeading == null) return;
      const screen = screen_angle();
      if (this.#viewer()?.arOrientation(e.alpha ?? undefined, e.beta ?? undefined, e.gamma ?? undefined, screen, e.webkitCompassHeading ?? undefined, e.webkitCompassAccuracy ?? undefined, absolute)) {
        this.#readings++;
        this.#requestFrame();
      }
    };
    window.addEventListener('deviceorientationabsolute', read, opts);
    window.addEventListener('deviceorientation', read, opts);
    screen.orientation?.addEventListener('change', () => this.#requestFrame(), opts);
    // No readings (a desktop, a refused permission): the map stays north-up and says so.
    this.#readings = 0;
    this.#orientationTimer = setTimeout(() => {
      if (this.#readings > 0 || !this.#mode) return;
      const reason = orientationRefused ? 'orientation-denied' : 'no-orientation';
      if (this.#mode === 'location') {
        this.#error('location', reason, this.#t('noCompass'), 'map');
        this.enter('map');
      } else {
        this.#error('map', reason, this.#t('noCompass'), null);
      }
    }, ORIENTATION_WAIT_MS);
  }

  #stopSensors() {
    this.#abort?.abort();
    this.#abort = null;
    if (this.#watch !== null) navigator.geolocation?.clearWatch(this.#watch);
    this.#watch = null;
    clearTimeout(this.#orientationTimer);
    this.#absoluteSeen = false;
  }

  /** A hidden page lets go of the camera and the position (light off, battery); coming back
   *  takes them again. */
  #visibility() {
    if (!this.#mode) return;
    // The sand table's session (and its camera) ends with the page hidden; a tap starts anew.
    if (this.#mode === 'webxr') { if (document.hidden) this.exit(); return; }
    if (document.hidden) {
      this.#stopCamera();
      this.#stopSensors();
      return;
    }
    this.#startSensors(false);
    if (this.#mode === 'location') {
      const token = this.#token;
      this.#openCamera().catch((e) => {
        if (token !== this.#token) return;
        this.#error('location', e?.name || 'camera', this.#t('camera'), 'map');
        this.enter('map');
      });
    }
    this.#requestFrame();
  }

  /** Something needed is missing: say so, fire `ar-error`, go back to the 3D view. */
  #fail(mode, reason, message) {
    const was = this.#mode;
    this.#error(mode, reason, message, '3d');
    if (was) this.exit();
    return null;
  }

  #error(mode, reason, message, fallback) {
    this.#host.dispatchEvent(new CustomEvent('ar-error', { detail: { mode, reason, message, fallback } }));
    // Shown in the element's notice line (text, never HTML).
    const notice = this.#root.querySelector('.notice');
    notice.textContent = message;
    notice.hidden = false;
    this.#requestFrame();
  }

  /** The placements for this frame while in AR (9 numbers per POI), else null. */
  layout(time) {
    const viewer = this.#viewer();
    if (!this.#mode || this.#mode === 'webxr' || !viewer) return null;
    const w = this.#host.clientWidth, h = this.#host.clientHeight;
    const l = viewer.arLayout(this.#mode, w, h, this.#number('ar-fov') ?? 65, this.#maxDistance, time);
    const s = viewer.arStatus();
    this.#showStatus(s);
    if (this.#mode === 'map') this.#turnDial(s);
    return l;
  }

  get moving() { return !!this.#mode && !!this.#viewer()?.arMoving; }

  get #maxDistance() { return this.#number('ar-max-distance') ?? 5000; }

  #showStatus(s) {
    const parts = [];
    if (this.#geoProblem) parts.push(this.#geoProblem);
    else if (!s.position) parts.push(this.#t('waiting'));
    else parts.push(this.#t('accuracy')(Math.round(s.uncertainty ?? 0)));
    if (s.lastAccuracy != null && s.position && s.lastAccuracy > (this.#number('ar-max-accuracy') ?? 50)) parts.push(this.#t('ignored')(Math.round(s.lastAccuracy)));
    if (s.heading === 'uncalibrated') parts.push(this.#t('calibrate'));
    if (s.heading === 'unknown' && this.#mode === 'map') parts.push(this.#t('noCompass'));
    const text = parts.join(' · ');
    if (this.#status.textContent !== text) this.#status.textContent = text;
    this.#status.hidden = false;
    this.#status.dataset.heading = s.heading;
  }

  /** The dial: rings at round distances, the visitor in the middle, north marked. */
  #drawDial() {
    const viewer = this.#viewer();
    if (!viewer) return;
    const w = this.#host.clientWidth, h = this.#host.clientHeight;
    const r = Math.max(20, Math.min(w, h) / 2 - 36); // as crate::ar::dial_radius
    const max = this.#maxDistance;
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
    const el = (tag, attrs, text) => { const e = document.createElementNS(ns, tag); for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v); if (text) e.textContent = text; svg.append(e); return e; };
    for (const d of [100, 500, 1000, 2000, 5000, 10000, 20000].filter((d) => d <= max)) {
      const k = viewer.arMapRadius(d, max) * r;
      el('circle', { cx: w / 2, cy: h / 2, r: k });
      el('text', { x: w / 2 + 3, y: h / 2 - k - 2 }, this.distanceText(d));
    }
    el('circle', { cx: w / 2, cy: h / 2, r: 6, class: 'you' }).append(Object.assign(document.createElementNS(ns, 'title'), { textContent: this.#t('you') }));
    const north = el('text', { x: w / 2, y: h / 2 - r - 8, 'text-anchor': 'middle', class: 'north' }, this.#t('north'));
    north.dataset.cx = w / 2; north.dataset.cy = h / 2;
    this.#map.replaceChildren(svg);
    this.#dialSize = `${w}x${h}x${max}`;
  }
  #dialSize = '';

  #turnDial(s) {
    const w = this.#host.clientWidth, h = this.#host.clientHeight;
    if (this.#dialSize !== `${w}x${h}x${this.#maxDistance}`) this.#drawDial();
    const north = this.#map.querySelector('.north');
    const deg = s.heading === 'unknown' ? 0 : (s.headingDeg ?? 0);
    north?.setAttribute('transform', `rotate(${-deg} ${w / 2} ${h / 2})`);
    this.#map.dataset.heading = String(Math.round(deg));
  }

  /** "350 m", "1.2 km" (or 米 / 公里). */
  distanceText(d) {
    if (d < 1000) return `${Math.max(10, Math.round(d / 10) * 10)} ${this.#t('m')}`;
    return `${(d / 1000).toFixed(d < 10000 ? 1 : 0)} ${this.#t('km')}`;
  }

}

function screen_angle() {
  const a = screen.orientation?.angle ?? window.orientation ?? 0;
  return Number.isFinite(a) ? a : 0;
}
