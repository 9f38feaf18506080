// Lighting attributes of <scenic-viewer>, with model-viewer's names and meaning:
// `environment-image` lights the model from an equirectangular photo (Radiance .hdr, or a JPEG,
// PNG or WebP); `skybox-image` shows one behind the model, and lights it too unless an
// environment image is given. Without them the `environment` preset's sky does both. This
// module fetches and decodes; the wasm viewer prefilters (crate::ibl). A photo that cannot be
// fetched or read gives a message and leaves the lighting as it was. `shadow-intensity` (0..1,
// default 0: none) and `shadow-softness` (0..1, default 1) lay a soft contact shadow under the
// model (crate::shadow).

export const LIGHTING_ATTRIBUTES = ['environment-image', 'skybox-image', 'shadow-intensity', 'shadow-softness'];
const SHADOW = ['shadow-intensity', 'shadow-softness'];

/** Widest photo handed on: the skybox's sharp level is at most this wide. */
const MAX_WIDTH = 2048;

export class Lighting {
  /** The request per attribute: a newer one (or a new viewer) makes an older answer stale. */
  #tokens = new Map();
  /** Per viewer, the attributes whose photo it holds. */
  #given = new WeakMap();

  /** `prefilter()`: the worker's prefiltering for the viewer's bundle (features/tangents.js's
   *  `prefilterIn`), or null where there is no worker. */
  constructor(host, getViewer, requestFrame, warn, prefilter = null) {
    this.host = host;
    this.getViewer = getViewer;
    this.requestFrame = requestFrame;
    this.warn = warn;
    this.prefilter = prefilter;
  }

  /** Hands `viewer` the photos the attributes name (all of them, or those in `names`). Resolves
   *  when they are applied or refused. */
  async sync(viewer, names = LIGHTING_ATTRIBUTES) {
    if (names.some((n) => SHADOW.includes(n))) this.shadow(viewer);
    await Promise.all(names.filter((n) => !SHADOW.includes(n)).map((name) => this.#apply(viewer, name)));
  }

  /** A number in 0..1 from `name`, else `fallback` (and a message when the text is wrong). */
  #fraction(name, fallback) {
    const raw = (this.host.getAttribute(name) ?? '').trim();
    if (raw === '') return fallback;
    const v = Number(raw);
    if (Number.isFinite(v) && v >= 0 && v <= 1) return v;
    this.warn(`${name}="${raw}" is not a number from 0 to 1`);
    return fallback;
  }

  /** Makes the shadow for the model `viewer` shows (again after each load); drawn once made. */
  shadow(viewer) {
    viewer.setShadow(this.#fraction('shadow-intensity', 0), this.#fraction('shadow-softness', 1)).then(() => this.requestFrame(), () => {});
  }

  async #apply(viewer, name) {
    const token = {};
    this.#tokens.set(name, token);
    const which = name === 'skybox-image' ? 'skybox' : 'environment';
    const raw = (this.host.getAttribute(name) ?? '').trim();
    const current = () => this.#tokens.get(name) === token && this.getViewer() === viewer;
    if (!raw) {
      // Removed: the preset's sky again (a viewer that never had the photo has nothing to undo).
      if (this.#given.get(viewer)?.delete(name)) {
        viewer.setEnvironmentImage(which, new Uint8Array(0), 0, 0);
        this.requestFrame();
      }
      return;
    }
    try {
      const url = new URL(raw, document.baseURI);
      if (!['http:', 'https:', 'blob:', 'data:'].includes(url.protocol)) throw new Error(`${url.protocol} URLs are not fetched`);
      // The worker starts with the viewer's compiled bundle while the photo downloads.
      this.prefilter?.()?.(viewer.wasmModule);
      const response = await fetch(url.href);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (!current()) return;
      const isHdr = bytes[0] === 0x23 && bytes[1] === 0x3f; // "#?": Radiance
      const [data, width, height] = isHdr ? [bytes, 0, 0] : await decode(bytes);
      if (!current()) return;
      // Prefiltered in the worker where there is one (the main thread stays free, the memory
      // goes with the worker); where it fails, here.
      let packed = null;
      try {
        packed = await this.prefilter?.()?.(which, data, width, height);
      } catch { /* done below */ }
      if (!current()) return;
      const size = packed ? viewer.setEnvironmentPrefiltered(which, packed) : viewer.setEnvironmentImage(which, data, width, height);
      if (!this.#given.has(viewer)) this.#given.set(viewer, new Set());
      this.#given.get(viewer).add(name);
      this.requestFrame();
      this.host.dispatchEvent(new CustomEvent('environment-change', { detail: { attribute: name, url: url.href, width: size[0], height: size[1] } }));
    } catch (e) {
      if (current()) this.warn(`${name}="${raw}" could not be used: ${e?.message ?? e}`);
    }
  }
}

/** A JPEG, PNG or WebP decoded by the browser to RGBA8 texels, at most MAX_WIDTH wide. */
async function decode(bytes) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes]), { premultiplyAlpha: 'none' });
  } catch {
    throw new Error('not an image the browser can decode (nor a Radiance .hdr)');
  }
  if (bitmap.width > MAX_WIDTH) {
    const smaller = await createImageBitmap(bitmap, { resizeWidth: MAX_WIDTH, resizeHeight: Math.max(1, Math.round(bitmap.height * MAX_WIDTH / bitmap.width)), resizeQuality: 'high' });
    bitmap.close();
    bitmap = smaller;
  }
  const { width, height } = bitmap;
  const canvas = typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(width, height) : Object.assign(document.createElement('canvas'), { width, height });
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const texels = ctx.getImageData(0, 0, width, height).data;
  return [new Uint8Array(texels.buffer, texels.byteOffset, texels.byteLength), width, height];
}
