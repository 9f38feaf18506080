// Gyro look for <scenic-viewer>: a toolbar button "陀螺仪 / Gyro" while walking or in a
// panorama; pressed (a tap: iOS asks for motion access only then), the phone's own turning turns
// the view (crate/src/web/gyro.rs). Pressed again, or leaving the mode, it stops.
import { toolbarButton } from './toolbar.js';

const STRINGS = { zh: { on: '陀螺仪：转动手机看四周', off: '关闭陀螺仪' }, en: { on: 'Gyro: turn the phone to look round', off: 'Turn the gyro off' } };

export const gyroStyles = `
  .toolbar .gyro-button { display: none; padding-inline: 10px; }
  :host([data-camera-mode="walk"]) .toolbar .gyro-button:not([hidden]), :host([data-panorama]) .toolbar .gyro-button:not([hidden]) { display: inline-grid; }
  .toolbar .gyro-button[aria-pressed="true"] { background: var(--scenic-accent, var(--_accent)); color: var(--scenic-button-color-on-accent, #fff); }
`;

export class GyroLook {
  #host; #viewer; #requestFrame; #warn; #lang; #button; #on = false;

  constructor(host, root, getViewer, requestFrame, warn, lang) {
    this.#host = host;
    this.#viewer = getViewer;
    this.#requestFrame = requestFrame;
    this.#warn = warn;
    this.#lang = lang;
    // No orientation events at all (most desktops): no button.
    this.#button = toolbarButton(root, 'gyro-button', () => (this.#on ? this.stop() : this.start()), { hidden: !('DeviceOrientationEvent' in window) });
    this.#button.textContent = '⟳';
    this.localize();
  }

  get on() { return this.#on; }

  #reading = (e) => {
    const v = this.#viewer();
    if (!v) return;
    // Outside walk mode and panoramas the readings turn nothing: gyro look ends.
    if (!v.gyroLook(e.alpha, e.beta, e.gamma, screen.orientation?.angle ?? 0)) { if (!this.#host.dataset.panorama && this.#host.dataset.cameraMode !== 'walk') this.stop(); return; }
    this.#requestFrame();
  };

  async start() {
    const ask = window.DeviceOrientationEvent?.requestPermission;
    if (typeof ask === 'function') {
      const answer = await ask.call(window.DeviceOrientationEvent).catch(() => 'denied');
      if (answer !== 'granted') { this.#warn(this.#lang() === 'zh' ? '未获得运动传感器权限' : 'motion access was refused: drag to look instead'); return; }
    }
    this.#on = true;
    this.#viewer()?.gyroStop();
    addEventListener('deviceorientation', this.#reading);
    this.localize();
  }

  stop() {
    if (!this.#on) return;
    this.#on = false;
    removeEventListener('deviceorientation', this.#reading);
    this.#viewer()?.gyroStop();
    this.localize();
  }

  localize() {
    const t = this.#lang() === 'zh' ? STRINGS.zh : STRINGS.en;
    const label = this.#on ? t.off : t.on;
    this.#button.title = label;
    this.#button.setAttribute('aria-label', label);
    this.#button.setAttribute('aria-pressed', String(this.#on));
  }
}
