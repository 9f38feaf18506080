// The WebXR sand table (enterAR('webxr')): the scenic model stood on a real table seen through
// the phone's camera, where `navigator.xr` offers 'immersive-ar' (Chrome on Android). The
// screen's centre aims a hit test: the model previews on the surface found there, a tap puts
// it down, two fingers pinch to scale and twist to turn, and the POI labels ride on the element,
// which is the session's DOM overlay. The wasm viewer keeps the table's state and draws
// (crate/src/ar/table.rs, `xrFrame`); this module owns the session, its frames and the gestures.
//
// XR layers take a WebGL context: the element hands over a viewer on WebGL2 (moving to it from
// WebGPU if need be, the model loaded again from the browser's cache).

const STRINGS = {
  zh: {
    preparing: '正在准备 AR 沙盘…', find: '将手机对准桌面或地面，慢慢移动', place: '轻点屏幕，把沙盘放在这里',
    placed: '双指缩放、旋转沙盘；轻点景点查看介绍',
  },
  en: {
    preparing: 'Preparing the AR sand table…', find: 'Point the phone at a table or the floor and move it slowly',
    place: 'Tap to put the sand table here', placed: 'Pinch to scale, twist to turn; tap a label to read about it',
  },
};

/** Whether this browser offers immersive AR (the sand table's button shows only then). */
export async function tableSupported() {
  try {
    return !!(await navigator.xr?.isSessionSupported('immersive-ar'));
  } catch {
    return false;
  }
}

/** Asks for the session; call it from a tap (a browser grants immersive sessions only then). */
export function requestTableSession(host) {
  return navigator.xr.requestSession('immersive-ar', {
    requiredFeatures: ['hit-test'],
    optionalFeatures: ['dom-overlay', 'local-floor'],
    domOverlay: { root: host },
  });
}

/** A tap: a press released within this many CSS pixels and milliseconds. */
const TAP_PX = 12, TAP_MS = 400;

export class SandTable {
  #host; #root; #lang; #labels; #status; #moveButton; #onEnd;
  #session = null; #viewer = null; #space = null; #hits = null; #ended = false; #abort = new AbortController();
  #pointers = new Map(); #last = null; #tap = null; #said = '';

  /** `labels(layout)` moves the POI labels; `onEnd(reason)` runs once the session is over. */
  constructor({ host, root, lang, labels, status, moveButton, onEnd }) {
    this.#host = host;
    this.#root = root;
    this.#lang = lang;
    this.#labels = labels;
    this.#status = status;
    this.#moveButton = moveButton;
    this.#onEnd = onEnd;
  }

  #t(key) { return (this.#lang() === 'zh' ? STRINGS.zh : STRINGS.en)[key]; }

  /** What the table shows: `{ surface, placed, anchor, yaw, scale, zoom }`, or null. */
  get status() { return this.#viewer && !this.#ended ? this.#viewer.xrTable() : null; }

  /** Runs `session` with the viewer `gl()` resolves to: `{ viewer, canvas }` on WebGL2. */
  async start(session, gl) {
    this.#session = session;
    const signal = this.#abort.signal;
    session.addEventListener('end', () => this.#finish(), { signal });
    this.#say(this.#t('preparing'));
    const { viewer, canvas } = await gl();
    if (this.#ended) return;
    this.#viewer = viewer;
    this.#canvas = canvas;
    // The context the viewer draws with (a canvas gives its one context again).
    const context = canvas.getContext('webgl2');
    await context.makeXRCompatible?.();
    if (this.#ended) return;
    session.updateRenderState({ baseLayer: new XRWebGLLayer(session, context) });
    // Gravity-aligned with its origin on the floor where the browser has it, else at the phone.
    this.#space = await session.requestReferenceSpace('local-floor').catch(() => session.requestReferenceSpace('local'));
    const viewerSpace = await session.requestReferenceSpace('viewer');
    this.#hits = await session.requestHitTestSource({ space: viewerSpace });
    if (this.#ended) return;
    for (const t of ['pointerdown', 'pointermove', 'pointerup', 'pointercancel']) this.#host.addEventListener(t, (e) => this.#pointer(e), { signal });
    // Taps on labels, the card and the buttons are theirs, not the session's.
    this.#root.addEventListener('beforexrselect', (e) => { if (this.#ours(e)) e.preventDefault(); }, { signal });
    // A headset's controller or gaze has no screen to tap: its select places the model.
    session.addEventListener('select', (e) => { if (e.inputSource?.targetRayMode !== 'screen') this.place(); }, { signal });
    this.#moveButton.hidden = true;
    session.requestAnimationFrame((t, f) => this.#frame(t, f));
  }
  #canvas = null;

  /** Ends the session (the button, exitAR(), a hidden page, the element removed). */
  end() {
    if (this.#session && !this.#ended) this.#session.end().catch(() => this.#finish());
    else this.#finish();
  }

  /** Puts the model down where it is previewed. */
  place() {
    if (!this.#viewer || this.#ended) return false;
    const placed = this.#viewer.xrPlace();
    this.#moveButton.hidden = !placed;
    return placed;
  }

  /** Picks the model up again: it follows the screen's centre until the next tap. */
  lift() {
    this.#viewer?.xrLift();
    this.#moveButton.hidden = true;
  }

  #finish() {
    if (this.#ended) return;
    this.#ended = true;
    this.#abort.abort();
    this.#hits?.cancel?.();
    this.#hits = null;
    this.#moveButton.hidden = true;
    // An emulator (iwer) moves the canvas out to draw it full screen, and back to the end of
    // its parent, or nowhere when that parent is a shadow root: put it under the labels and
    // toolbar again, unless the element has a new canvas by now.
    const canvas = this.#canvas;
    const poster = this.#root.querySelector('.poster');
    const here = [...this.#root.children].find((c) => c.tagName === 'CANVAS');
    if (canvas && poster && (!here || here === canvas) && canvas.nextElementSibling !== poster) poster.before(canvas);
    try { this.#viewer?.xrEnd(); } catch { /* a viewer freed meanwhile */ }
    this.#onEnd();
  }

  #frame(time, frame) {
    if (this.#ended) return;
    const session = frame.session;
    session.requestAnimationFrame((t, f) => this.#frame(t, f));
    const pose = frame.getViewerPose(this.#space);
    const layer = session.renderState.baseLayer;
    if (!pose || !layer) return;
    const views = new Float32Array(pose.views.length * 36);
    pose.views.forEach((v, i) => {
      const vp = layer.getViewport(v);
      views.set([vp.x, vp.y, vp.width, vp.height], i * 36);
      views.set(v.transform.inverse.matrix, i * 36 + 4);
      views.set(v.projectionMatrix, i * 36 + 20);
    });
    const hit = this.#hits ? frame.getHitTestResults(this.#hits)[0]?.getPose(this.#space) : null;
    try {
      const layout = this.#viewer.xrFrame(layer.framebuffer, views, hit ? hit.transform.matrix : undefined, this.#host.clientWidth, this.#host.clientHeight, time);
      this.#labels(layout);
    } catch (e) {
      this.#say(String(e?.message ?? e));
      return;
    }
    const s = this.#viewer.xrTable();
    this.#say(s.placed ? this.#t('placed') : s.surface ? this.#t('place') : this.#t('find'));
  }

  #say(text) {
    if (text === this.#said) return;
    this.#said = text;
    this.#status.textContent = text;
    this.#status.hidden = false;
  }

  #ours(e) {
    return e.composedPath().some((n) => n instanceof Element && n.matches('button, a, .card'));
  }

  /** One finger taps to place; two pinch (scale) and twist (turn). */
  #pointer(e) {
    if (!this.#viewer) return;
    if (e.type === 'pointerdown') {
      if (this.#ours(e)) return;
      this.#pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
      this.#tap = this.#pointers.size === 1 ? { id: e.pointerId, x: e.clientX, y: e.clientY, t: e.timeStamp } : null;
      this.#last = this.#pair();
      return;
    }
    const p = this.#pointers.get(e.pointerId);
    if (!p) return;
    if (e.type === 'pointermove') {
      p.x = e.clientX;
      p.y = e.clientY;
      if (this.#tap && Math.hypot(e.clientX - this.#tap.x, e.clientY - this.#tap.y) > TAP_PX) this.#tap = null;
      const now = this.#pair();
      if (now && this.#last) {
        let twist = now.angle - this.#last.angle;
        if (twist > Math.PI) twist -= 2 * Math.PI;
        if (twist < -Math.PI) twist += 2 * Math.PI;
        this.#viewer.xrGesture(this.#last.dist > 0 ? now.dist / this.#last.dist : 1, twist);
      }
      this.#last = now;
      return;
    }
    this.#pointers.delete(e.pointerId);
    this.#last = this.#pair();
    const tap = this.#tap;
    this.#tap = null;
    if (e.type === 'pointerup' && tap?.id === e.pointerId && e.timeStamp - tap.t < TAP_MS && !this.#viewer.xrTable().placed) this.place();
  }

  /** The two fingers' distance and the angle of the line between them, when two are down. */
  #pair() {
    if (this.#pointers.size !== 2) return null;
    const [a, b] = [...this.#pointers.values()];
    return { dist: Math.hypot(b.x - a.x, b.y - a.y), angle: Math.atan2(b.y - a.y, b.x - a.x) };
  }
}
