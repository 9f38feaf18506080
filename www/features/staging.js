// Staging attributes of <scenic-viewer>: camera-orbit, camera-target, auto-rotate, exposure,
// environment. Each is handed to the wasm viewer, which parses and checks it; a wrong value
// gives a message (the `warn` callback) and leaves the rest working.

export const STAGING_ATTRIBUTES = ['camera-orbit', 'camera-target', 'auto-rotate', 'auto-rotate-speed', 'exposure', 'environment'];

/** Degrees per second when `auto-rotate` is on and `auto-rotate-speed` is not given. */
const DEFAULT_SPEED = 12;

export function applyStaging(host, viewer, warn, names = STAGING_ATTRIBUTES) {
  const attr = (n) => host.getAttribute(n) ?? '';
  const attempt = (fn) => { try { fn(); } catch (e) { warn(String(e?.message ?? e)); } };
  const has = (n) => names.includes(n);
  if (has('camera-orbit') || has('camera-target')) attempt(() => viewer.setCamera(attr('camera-orbit'), attr('camera-target')));
  if (has('environment')) attempt(() => viewer.setEnvironment(attr('environment')));
  if (has('exposure')) {
    const text = attr('exposure').trim();
    const v = text === '' ? 1 : Number(text);
    if (Number.isFinite(v) && v >= 0) viewer.exposure = v;
    else { viewer.exposure = 1; warn(`exposure="${text}" is not a number ≥ 0`); }
  }
  if (has('auto-rotate') || has('auto-rotate-speed')) {
    let speed = 0;
    if (host.hasAttribute('auto-rotate')) {
      const text = attr('auto-rotate-speed').trim();
      speed = text === '' ? DEFAULT_SPEED : Number(text);
      if (!Number.isFinite(speed)) { warn(`auto-rotate-speed="${text}" is not a number of degrees per second`); speed = DEFAULT_SPEED; }
    }
    viewer.setAutoRotate(speed);
  }
}
