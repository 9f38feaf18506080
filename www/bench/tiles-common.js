// Shared by the 3D Tiles benchmark pages (tests/bench/tiles.mjs): each sets window.__tiles =
// { place(yawDeg, pitchDeg, distanceM), settled(), stats() } for the same camera path; `start` is
// the pose before the first frame, so neither fetches for a default camera first.
export function tilesParams() {
  const p = new URLSearchParams(location.search);
  return { url: new URL(p.get('tiles'), location.href).href, budget: Number(p.get('budget') ?? 192) * 1024 * 1024, errorTarget: Number(p.get('error') ?? 16), backend: p.get('backend') ?? 'auto', start: (p.get('start') ?? '0,55,9000').split(',').map(Number) };
}
