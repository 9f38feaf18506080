// Deep links of <scenic-viewer>: what a friend shared, restored from the page's address.
//   #poi=ID                       the POI's card, the camera flown to it
//   #view=YAW,PITCH,DISTANCE,X,Y,Z  an orbit (degrees, metres), as getCameraOrbit() reads it
//   #tour=ID&stop=N               the tour's stop N (counted from 1, as the tour panel shows it)
//   #walk=X,Y,Z,YAW,PITCH         walking, standing at X,Y,Z (metres) looking YAW,PITCH (degrees)
// Keys the element does not know are left alone, so a page's own hash keys live beside these.

/** What `hash` asks for: `{ poi?, view?, tour?, stop? }`, each present only when well formed. */
export function readLink(hash) {
  const q = new URLSearchParams(String(hash ?? '').replace(/^#/, ''));
  const out = {};
  const poi = q.get('poi');
  if (poi) out.poi = poi.slice(0, 200);
  const view = (q.get('view') ?? '').split(',').map(Number);
  if (view.length === 6 && view.every(Number.isFinite) && view[2] > 0) {
    out.view = { yaw: view[0], pitch: view[1], distance: view[2], target: view.slice(3) };
  }
  const walk = (q.get('walk') ?? '').split(',').map(Number);
  if (walk.length === 5 && walk.every(Number.isFinite)) out.walk = { feet: walk.slice(0, 3), yaw: walk[3], pitch: walk[4] };
  const tour = q.get('tour');
  if (tour) {
    out.tour = tour.slice(0, 200);
    const stop = Math.trunc(Number(q.get('stop') ?? 1));
    out.stop = Number.isFinite(stop) && stop >= 1 ? stop : 1;
  }
  return out;
}

const round = (v, digits) => Number(v.toFixed(digits));

/** `base` with its hash replaced by what restores `state` (`{ tour, stop }`, `{ poi }`,
 *  `{ walk }` or `{ view }`, the first given), keeping the page's own hash keys. */
export function shareUrl(base, state) {
  const url = new URL(base);
  const q = new URLSearchParams(url.hash.replace(/^#/, ''));
  for (const k of ['poi', 'view', 'tour', 'stop', 'walk']) q.delete(k);
  if (state.tour) { q.set('tour', state.tour); q.set('stop', String(state.stop)); }
  else if (state.poi) q.set('poi', state.poi);
  else if (state.walk) q.set('walk', [...state.walk.feet.map((t) => round(t, 2)), round(state.walk.yaw, 1), round(state.walk.pitch, 1)].join(','));
  else if (state.view) {
    const v = state.view;
    q.set('view', [round(v.yaw, 2), round(v.pitch, 2), round(v.distance, 3), ...v.target.map((t) => round(t, 3))].join(','));
  }
  const hash = q.toString();
  url.hash = hash ? `#${hash}` : '';
  return url.href;
}
