// Shared by the benchmark pages: each viewer calls `drawn()` when its model is ready to show and
// provides `orbit(yawDegrees)` to move the camera; the runner (tests/bench/compare.mjs) reads
// window.__bench. The first-frame time is taken in the animation frame after the model is
// ready, so it includes the frame that shows it.
export const params = new URLSearchParams(location.search);
export const src = new URL(params.get('src'), location.href).href;

window.__bench = { firstFrame: null, error: null, orbit: null };

export function drawn() {
  requestAnimationFrame(() => { window.__bench.firstFrame = performance.now(); });
}

export function failed(e) { window.__bench.error = String(e?.message ?? e); }

/** Orbits for `frames` animation frames; returns the rAF deltas (ms). */
window.__orbitFrames = (frames) => new Promise((resolve) => {
  const deltas = [];
  let last = null, yaw = 0;
  const step = (t) => {
    if (last !== null) deltas.push(t - last);
    last = t;
    yaw += 3;
    window.__bench.orbit(yaw);
    if (deltas.length < frames) requestAnimationFrame(step); else resolve(deltas);
  };
  requestAnimationFrame(step);
});
