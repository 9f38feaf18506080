// Input for <scenic-viewer>: one pointer orbits (right button or Shift pans), two pointers
// pinch-zoom and pan, the wheel zooms, arrow keys orbit (Shift pans), +/- zoom, 0/Home reset.
// All listeners sit on the host element, so they go with it.

export function attachControls(host, viewer, requestFrame) {
  const pointers = new Map();
  let lastPinch = null;

  host.addEventListener('pointerdown', (e) => {
    // A press on a button or the card is not an orbit: captured by the host, the pointer's
    // click would go to the host instead of the button (Pointer Events' click target).
    if (e.composedPath().some((n) => n instanceof Element && n.matches('button, a, .card, .tour, .joystick, .minimap'))) return;
    // In AR the phone's own motion is the camera: the hidden 3D view is not orbited.
    if (host.hasAttribute('data-ar')) return;
    try { host.setPointerCapture(e.pointerId); } catch { /* pointer already gone: track it anyway */ }
    pointers.set(e.pointerId, { x: e.clientX, y: e.clientY, pan: e.button === 2 || e.shiftKey });
    lastPinch = null;
  });

  host.addEventListener('pointermove', (e) => {
    const p = pointers.get(e.pointerId);
    const v = viewer();
    if (!p || !v) return;
    const h = Math.max(1, host.clientHeight);
    const dx = (e.clientX - p.x) / h, dy = (e.clientY - p.y) / h;
    p.x = e.clientX; p.y = e.clientY;
    if (pointers.size === 1) {
      if (p.pan) v.pan(dx, dy); else v.rotate(dx, dy);
    } else if (pointers.size === 2) {
      const [a, b] = [...pointers.values()];
      const dist = Math.hypot(a.x - b.x, a.y - b.y);
      const mid = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
      if (lastPinch) {
        if (dist > 0 && lastPinch.dist > 0) v.zoom(lastPinch.dist / dist);
        v.pan((mid.x - lastPinch.mid.x) / h, (mid.y - lastPinch.mid.y) / h);
      }
      lastPinch = { dist, mid };
    }
    requestFrame();
  });

  for (const t of ['pointerup', 'pointercancel', 'lostpointercapture']) {
    host.addEventListener(t, (e) => { pointers.delete(e.pointerId); lastPinch = null; });
  }

  host.addEventListener('wheel', (e) => {
    const v = viewer();
    if (!v || host.hasAttribute('data-ar')) return;
    e.preventDefault();
    const px = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaMode === 2 ? e.deltaY * 400 : e.deltaY;
    v.zoom(Math.exp(px * 0.0015));
    requestFrame();
  }, { passive: false });

  host.addEventListener('keydown', (e) => {
    const v = viewer();
    if (!v || host.hasAttribute('data-ar')) return;
    const step = 0.05;
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (moves[e.key]) {
      const [dx, dy] = moves[e.key];
      if (e.shiftKey) v.pan(dx, dy); else v.rotate(dx, dy);
    } else if (e.key === '+' || e.key === '=') v.zoom(0.9);
    else if (e.key === '-' || e.key === '_') v.zoom(1 / 0.9);
    else if (e.key === '0' || e.key === 'Home') host.resetView();
    else return;
    e.preventDefault();
    requestFrame();
  });

  host.addEventListener('contextmenu', (e) => e.preventDefault());
}
