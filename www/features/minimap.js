// The mini-map of <scenic-viewer> (`minimap` attribute): a top-down picture of the scene, north
// up, drawn once by the viewer's renderer with a camera looking straight down; POIs as dots; where
// the camera (or the walker) is and a cone for what it sees, moved every frame; a tap flies there;
// the visitor's own position (AR's) as a blue dot where the scene is geo-referenced.

const STRINGS = { zh: { map: '小地图：点按飞往该处' }, en: { map: 'Mini-map: tap to fly there' } };
const SVG = 'http://www.w3.org/2000/svg';

export const minimapStyles = `
  .minimap { position: absolute; top: 8px; inset-inline-start: 8px; width: var(--scenic-minimap-size, 120px); aspect-ratio: 1;
             border-radius: 8px; overflow: hidden; box-shadow: 0 1px 4px rgba(0,0,0,.35); background: var(--scenic-surface, var(--_surface));
             cursor: crosshair; touch-action: none; }
  .minimap[hidden], :host(:not([data-state="ready"])) .minimap { display: none; }
  /* On a narrow phone the toolbar wraps beside the map rather than over it. */
  :host([minimap]) .toolbar { flex-wrap: wrap; justify-content: flex-end; max-width: calc(100% - var(--scenic-minimap-size, 120px) - 24px); }
  .minimap canvas, .minimap svg { position: absolute; inset: 0; width: 100%; height: 100%; }
  .minimap .dot { fill: var(--scenic-accent, var(--_accent)); stroke: #fff; stroke-width: .006; }
  .minimap .cone { fill: rgba(255,255,255,.45); stroke: #fff; stroke-width: .008; }
  .minimap .me { fill: #e23; stroke: #fff; stroke-width: .008; }
  .minimap .visitor { fill: #1a73e8; stroke: #fff; stroke-width: .012; }
  .minimap .visitor[hidden] { display: none; }
`;

export class Minimap {
  #host; #viewer; #requestFrame; #lang;
  #box; #canvas; #svg; #cone; #me; #dots; #visitor; #square = null; #token = 0;

  constructor(host, root, getViewer, requestFrame, lang) {
    this.#host = host;
    this.#viewer = getViewer;
    this.#requestFrame = requestFrame;
    this.#lang = lang;
    const box = this.#box = document.createElement('div');
    box.className = 'minimap';
    box.part = 'minimap';
    box.hidden = true;
    box.setAttribute('role', 'button');
    box.innerHTML = `<canvas width="240" height="240"></canvas><svg viewBox="0 0 1 1" preserveAspectRatio="none"><g class="dots"></g><path class="cone"/><circle class="me" r=".025"/><circle class="visitor" r=".03" hidden/></svg>`;
    this.#canvas = box.querySelector('canvas');
    this.#svg = box.querySelector('svg');
    this.#cone = box.querySelector('.cone');
    this.#me = box.querySelector('.me');
    this.#dots = box.querySelector('.dots');
    this.#visitor = box.querySelector('.visitor');
    root.append(box);
    box.addEventListener('pointerdown', (e) => {
      e.stopPropagation();
      const r = box.getBoundingClientRect();
      this.flyTo((e.clientX - r.left) / r.width, (e.clientY - r.top) / r.height);
    });
    this.localize();
  }

  get shown() { return !this.#box.hidden; }

  /** Shows or hides the map (the `minimap` attribute); shown, its picture is drawn afresh. */
  sync() {
    const on = this.#host.hasAttribute('minimap') && !!this.#viewer();
    this.#box.hidden = !on;
    if (on) this.redraw();
  }

  /** Draws the top-down picture again (a new model, a new scene). */
  async redraw() {
    const v = this.#viewer();
    if (!v || this.#box.hidden) return;
    const token = ++this.#token;
    let img;
    try {
      img = await v.mapImage();
    } catch {
      return; // a lost context: the map comes back with the next load
    }
    if (token !== this.#token || !img) return;
    const side = Math.min(img.width, img.height);
    const sx = (img.width - side) >> 1, sy = (img.height - side) >> 1;
    const bitmap = await createImageBitmap(new ImageData(img.data, img.width, img.height), sx, sy, side, side);
    const ctx = this.#canvas.getContext('2d');
    ctx.drawImage(bitmap, 0, 0, this.#canvas.width, this.#canvas.height);
    bitmap.close();
    this.#square = Array.from(img.square);
    this.#box.dataset.square = this.#square.join(',');
    this.pois();
    this.update();
  }

  #uv(x, z) {
    const [x0, z0, x1, z1] = this.#square;
    return [(x - x0) / (x1 - x0), (z - z0) / (z1 - z0)];
  }

  /** Places the POI dots (after the POIs change). */
  pois() {
    const v = this.#viewer();
    if (!v || !this.#square) return;
    const xz = v.mapPois();
    this.#dots.replaceChildren();
    for (let i = 0; i + 1 < xz.length; i += 2) {
      const [u, w] = this.#uv(xz[i], xz[i + 1]);
      if (u < 0 || u > 1 || w < 0 || w > 1) continue;
      const c = document.createElementNS(SVG, 'circle');
      c.setAttribute('class', 'dot');
      c.setAttribute('cx', u.toFixed(4));
      c.setAttribute('cy', w.toFixed(4));
      c.setAttribute('r', '0.018');
      this.#dots.append(c);
    }
  }

  /** Moves the camera's marker and cone (every frame the map is shown). */
  update() {
    const v = this.#viewer();
    if (!v || !this.#square || this.#box.hidden) return;
    const [ex, ez, dx, dz, half] = v.mapCamera();
    const [u, w] = this.#uv(ex, ez);
    this.#me.setAttribute('cx', u.toFixed(4));
    this.#me.setAttribute('cy', w.toFixed(4));
    const len = 0.16, a = Math.atan2(dz, dx);
    const p = (t) => `${(u + len * Math.cos(t)).toFixed(4)} ${(w + len * Math.sin(t)).toFixed(4)}`;
    this.#cone.setAttribute('d', `M${u.toFixed(4)} ${w.toFixed(4)} L${p(a - half)} L${p(a + half)} Z`);
    this.#box.dataset.camera = `${u.toFixed(4)},${w.toFixed(4)}`;
    // The visitor, once AR knows where they stand (setVisitorPosition, or the phone's GPS).
    const me = v.mapVisitor?.() ?? [];
    this.#visitor.toggleAttribute('hidden', me.length < 2);
    if (me.length >= 2) {
      const [mu, mw] = this.#uv(me[0], me[1]);
      this.#visitor.setAttribute('cx', mu.toFixed(4));
      this.#visitor.setAttribute('cy', mw.toFixed(4));
      this.#box.dataset.visitor = `${mu.toFixed(4)},${mw.toFixed(4)}`;
    } else delete this.#box.dataset.visitor;
  }

  /** Flies to the map's point (u, v), both 0..1 from the top left. */
  flyTo(u, w) {
    const v = this.#viewer();
    if (!v || !this.#square) return null;
    const [x0, z0, x1, z1] = this.#square;
    try {
      const at = v.flyToGround(x0 + u * (x1 - x0), z0 + w * (z1 - z0));
      this.#requestFrame();
      return at;
    } catch (e) {
      return null; // e.g. water where a walker cannot stand: nothing happens
    }
  }

  localize() {
    const label = (this.#lang() === 'zh' ? STRINGS.zh : STRINGS.en).map;
    this.#box.setAttribute('aria-label', label);
    this.#box.title = label;
  }
}
