// Walk mode of <scenic-viewer>: `camera-mode="orbit|walk"` and a toolbar toggle "漫游 / Walk";
// the mode in use is `data-camera-mode`. Walking is first person at eye height over the scene's
// ground (crate/src/camera/walk.rs): drag to look, WASD or the arrow keys to walk (Shift runs),
// the wheel strides, and an on-screen joystick for thumbs. Entering and leaving fly between the
// views (at once under prefers-reduced-motion).
import { toolbarButton } from './toolbar.js';

const STRINGS = {
  zh: { walk: '漫游', orbit: '环视', walkLabel: '步行漫游', orbitLabel: '返回环视', joystick: '移动' },
  en: { walk: 'Walk', orbit: 'Orbit', walkLabel: 'Walk through the scene', orbitLabel: 'Back to the orbit view', joystick: 'Move' },
};
const KEYS = { KeyW: [1, 0], ArrowUp: [1, 0], KeyS: [-1, 0], ArrowDown: [-1, 0], KeyA: [0, -1], ArrowLeft: [0, -1], KeyD: [0, 1], ArrowRight: [0, 1] };

export const walkStyles = `
  .toolbar .walk-button { padding-inline: 10px; }
  .joystick { position: absolute; inset-inline-start: 16px; bottom: 16px; width: 96px; height: 96px; border-radius: 50%; display: none;
              background: color-mix(in srgb, var(--scenic-surface, var(--_surface)) 45%, transparent); border: 1px solid rgba(0,0,0,.2); touch-action: none; }
  :host([data-camera-mode="walk"]) .joystick { display: block; }
  .joystick .knob { position: absolute; left: 30px; top: 30px; width: 36px; height: 36px; border-radius: 50%;
                    background: var(--scenic-accent, var(--_accent)); opacity: .85; pointer-events: none; }
`;

export const WALK_ATTRIBUTES = ['camera-mode'];

export class WalkMode {
  #host; #viewer; #requestFrame; #warn; #lang;
  #button; #stick; #knob;
  #held = new Map(); #run = false; #stickVec = [0, 0];

  constructor(host, root, getViewer, requestFrame, warn, lang) {
    this.#host = host;
    this.#viewer = getViewer;
    this.#requestFrame = requestFrame;
    this.#warn = warn;
    this.#lang = lang;
    this.#button = toolbarButton(root, 'walk-button', () => this.toggle());
    const stick = this.#stick = document.createElement('div');
    stick.className = 'joystick';
    stick.part = 'joystick';
    stick.setAttribute('role', 'application');
    stick.innerHTML = '<div class="knob"></div>';
    this.#knob = stick.firstChild;
    root.append(stick);
    this.#attachStick();
    // Before the orbit keys (controls.js): a capture listener on the host runs first.
    host.addEventListener('keydown', (e) => this.#key(e, true), { capture: true });
    host.addEventListener('keyup', (e) => this.#key(e, false), { capture: true });
    host.addEventListener('blur', () => { this.#held.clear(); this.#send(); });
    host.addEventListener('tiles-load', () => this.localize());
    this.localize();
  }

  get #walking() { return this.#host.dataset.cameraMode === 'walk'; }

  #t(key) { return (this.#lang() === 'zh' ? STRINGS.zh : STRINGS.en)[key]; }

  /** Takes the `camera-mode` attribute (once a model is loaded). */
  apply() {
    const v = this.#viewer();
    if (!v) return;
    const wanted = (this.#host.getAttribute('camera-mode') ?? 'orbit').trim().toLowerCase() || 'orbit';
    if (wanted !== 'orbit' && wanted !== 'walk') {
      this.#warn(`camera-mode must be "orbit" or "walk", not ${JSON.stringify(wanted)}; orbiting`);
      this.set('orbit');
      return;
    }
    this.set(wanted);
  }

  toggle() { this.set(this.#walking ? 'orbit' : 'walk'); }

  /** Switches the camera; a scene with no ground to stand on says so and stays in orbit. */
  set(mode) {
    const v = this.#viewer();
    if (!v) return;
    try {
      v.setCameraMode(mode, matchMedia('(prefers-reduced-motion: reduce)').matches);
    } catch (e) {
      this.#warn(String(e?.message ?? e));
    }
    this.sync();
    this.#requestFrame();
  }

  /** Reflects the mode in use (also after a reset or a new model, which leave walking). */
  sync() {
    const mode = this.#viewer()?.cameraMode ?? 'orbit';
    this.#host.dataset.cameraMode = mode;
    if (mode !== 'walk') { this.#held.clear(); this.#stickVec = [0, 0]; this.#knob.style.transform = ''; }
    this.localize();
  }

  #key(e, down) {
    if (!this.#walking || !(e.code in KEYS || e.key === 'Shift')) return;
    // Typing in the card or the tour panel is not walking.
    if (e.composedPath().some((n) => n instanceof Element && n.matches('input, textarea, .tour'))) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    this.#run = e.shiftKey;
    if (e.code in KEYS) { if (down) this.#held.set(e.code, KEYS[e.code]); else this.#held.delete(e.code); }
    this.#send();
  }

  #send() {
    let [f, r] = this.#stickVec;
    for (const [df, dr] of this.#held.values()) { f += df; r += dr; }
    this.#viewer()?.walkInput(f, r, this.#run);
    this.#requestFrame();
  }

  #attachStick() {
    const stick = this.#stick;
    let id = null;
    const move = (e) => {
      const box = stick.getBoundingClientRect();
      const radius = box.width / 2;
      let x = (e.clientX - box.left - radius) / radius, y = (e.clientY - box.top - radius) / radius;
      const len = Math.hypot(x, y);
      if (len > 1) { x /= len; y /= len; }
      this.#knob.style.transform = `translate(${x * radius * 0.6}px, ${y * radius * 0.6}px)`;
      this.#stickVec = [-y, x];
      this.#run = len > 1.2; // pushed past the rim: run
      this.#send();
    };
    stick.addEventListener('pointerdown', (e) => {
      id = e.pointerId;
      try { stick.setPointerCapture(id); } catch { /* gone already */ }
      e.stopPropagation();
      move(e);
    });
    stick.addEventListener('pointermove', (e) => { if (e.pointerId === id) move(e); });
    const end = (e) => {
      if (e.pointerId !== id) return;
      id = null;
      this.#stickVec = [0, 0];
      this.#run = false;
      this.#knob.style.transform = '';
      this.#send();
    };
    for (const t of ['pointerup', 'pointercancel', 'lostpointercapture']) stick.addEventListener(t, end);
  }

  localize() {
    const walking = this.#walking;
    this.#button.textContent = this.#t(walking ? 'orbit' : 'walk');
    this.#button.title = this.#t(walking ? 'orbitLabel' : 'walkLabel');
    this.#button.setAttribute('aria-label', this.#button.title);
    // Walking needs ground to stand on: a model's or a tileset's (POIs alone have none).
    this.#button.hidden = !(this.#host.info?.triangles > 0 || this.#host.tilesInfo?.());
    this.#stick.setAttribute('aria-label', this.#t('joystick'));
  }
}
