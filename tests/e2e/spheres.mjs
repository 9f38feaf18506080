// The scene of the image-based lighting tests (lighting.test.mjs, and engines.test.mjs on
// Firefox and WebKit): three white unit spheres 2.2 m apart, a mirror-smooth metal one on the
// left, a clear glass one in the middle (KHR_materials_transmission) and a rough matte one on the
// right, seen level from 8 m, under an environment with known colours: red above the horizon,
// blue below, a green cap around +X (the photo's middle, as three.js and model-viewer orient it)
// and a yellow one around -Z, behind the spheres. And where to look in the frame, and what must
// be seen there.
import assert from 'node:assert/strict';

export const SIZE = 320, DISTANCE = 8, SPREAD = 2.2;
const SCALE = (SIZE / 2) / (DISTANCE * Math.tan(Math.PI / 8)); // pixels per metre at z = 0 (45° fov)
const RADIUS = SCALE * DISTANCE / Math.sqrt(DISTANCE ** 2 - 1); // the unit sphere's outline
export const METAL = -SPREAD, GLASS = 0, MATTE = SPREAD;

/** The environment: linear RGB by direction. */
export function radiance([x, y, z]) {
  if (x > Math.cos(25 * Math.PI / 180)) return [0.05, 1, 0.05];
  if (-z > Math.cos(25 * Math.PI / 180)) return [1, 1, 0.05];
  return y > 0 ? [1, 0.05, 0.05] : [0.05, 0.05, 1];
}

/** A Radiance .hdr (flat scanlines) of `radiance`, `w` × `w/2`, rows from the zenith. */
export function hdr(w) {
  const h = w / 2;
  const head = new TextEncoder().encode(`#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y ${h} +X ${w}\n`);
  const out = new Uint8Array(head.length + w * h * 4);
  out.set(head);
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const phi = ((i + 0.5) / w - 0.5) * 2 * Math.PI, theta = (j + 0.5) / h * Math.PI;
      const c = radiance([Math.sin(theta) * Math.cos(phi), Math.cos(theta), Math.sin(theta) * Math.sin(phi)]);
      const m = Math.max(...c), e = Math.floor(Math.log2(m)) + 1, s = 256 / 2 ** e;
      out.set([...c.map((v) => Math.min(255, Math.floor(v * s))), e + 128], head.length + (j * w + i) * 4);
    }
  }
  return out;
}

/** Mean RGB over a disc of `r` (fraction of the radius) at offset (dx, dy) (fractions, y up)
 *  from the middle of the sphere at x = `cx` metres. */
export function spot(img, cx, dx, dy, r = 0.12) {
  const x = SIZE / 2 + cx * SCALE + dx * RADIUS, y = SIZE / 2 - dy * RADIUS;
  const sum = [0, 0, 0];
  let n = 0;
  for (let j = Math.floor(y - r * RADIUS); j <= y + r * RADIUS; j++) {
    for (let i = Math.floor(x - r * RADIUS); i <= x + r * RADIUS; i++) {
      if (Math.hypot(i - x, j - y) > r * RADIUS) continue;
      const k = (j * img.width + i) * 4;
      for (let c = 0; c < 3; c++) sum[c] += img.data[k + c];
      n++;
    }
  }
  return sum.map((s) => Math.round(s / n));
}
export const reddish = ([r, g, b]) => r > 1.6 * b && r > 1.6 * g && r > 60;
export const bluish = ([r, g, b]) => b > 1.6 * r && b > 1.6 * g && b > 60;
export const greenish = ([r, g, b]) => g > 2 * r && g > 2 * b && g > 60;


/** The three spheres as a GLB: UV spheres of radius 1 (positions are their normals). Other
 *  tests give their own `materials`, one sphere each at x = `positions`, and `images` (PNG bytes,
 *  texture i showing image i), which add lat-long UVs. */
export function spheresGlb({
  materials = [
    { pbrMetallicRoughness: { baseColorFactor: [1, 1, 1, 1], metallicFactor: 1, roughnessFactor: 0 } },
    { pbrMetallicRoughness: { baseColorFactor: [1, 1, 1, 1], metallicFactor: 0, roughnessFactor: 1 } },
    { pbrMetallicRoughness: { baseColorFactor: [1, 1, 1, 1], metallicFactor: 0, roughnessFactor: 0 }, extensions: { KHR_materials_transmission: { transmissionFactor: 1 } } },
  ],
  positions = [METAL, MATTE, GLASS],
  extensionsUsed = ['KHR_materials_transmission'],
  images = [],
} = {}) {
  const [rings, segs] = [32, 48];
  const pos = [], uv = [], idx = [];
  for (let i = 0; i <= rings; i++) {
    for (let j = 0; j <= segs; j++) {
      const t = i / rings * Math.PI, p = j / segs * 2 * Math.PI;
      pos.push(Math.sin(t) * Math.cos(p), Math.cos(t), Math.sin(t) * Math.sin(p));
      uv.push(j / segs, i / rings);
    }
  }
  for (let i = 0; i < rings; i++) {
    for (let j = 0; j < segs; j++) {
      const a = i * (segs + 1) + j, b = a + segs + 1;
      idx.push(a, a + 1, b, a + 1, b + 1, b);
    }
  }
  const p = new Float32Array(pos), ix = new Uint16Array(idx), t = new Float32Array(images.length ? uv : []);
  const bin = new Uint8Array(p.byteLength * 2 + ix.byteLength + t.byteLength);
  bin.set(new Uint8Array(p.buffer), 0); bin.set(new Uint8Array(p.buffer), p.byteLength); bin.set(new Uint8Array(ix.buffer), p.byteLength * 2);
  bin.set(new Uint8Array(t.buffer), p.byteLength * 2 + ix.byteLength);
  const n = pos.length / 3;
  const attributes = images.length ? { POSITION: 0, NORMAL: 1, TEXCOORD_0: 3 } : { POSITION: 0, NORMAL: 1 };
  const json = {
    asset: { version: '2.0' }, scene: 0, scenes: [{ nodes: positions.map((_, i) => i) }], extensionsUsed,
    nodes: positions.map((x, i) => ({ mesh: i, translation: [x, 0, 0] })),
    meshes: positions.map((_, m) => ({ primitives: [{ attributes, indices: 2, material: m }] })),
    materials,
    buffers: [{ byteLength: bin.length }],
    bufferViews: [{ buffer: 0, byteLength: p.byteLength }, { buffer: 0, byteOffset: p.byteLength, byteLength: p.byteLength }, { buffer: 0, byteOffset: p.byteLength * 2, byteLength: ix.byteLength },
      ...(images.length ? [{ buffer: 0, byteOffset: p.byteLength * 2 + ix.byteLength, byteLength: t.byteLength }] : [])],
    accessors: [
      { bufferView: 0, componentType: 5126, count: n, type: 'VEC3', min: [-1, -1, -1], max: [1, 1, 1] },
      { bufferView: 1, componentType: 5126, count: n, type: 'VEC3' },
      { bufferView: 2, componentType: 5123, count: idx.length, type: 'SCALAR' },
      ...(images.length ? [{ bufferView: 3, componentType: 5126, count: n, type: 'VEC2' }] : []),
    ],
    ...(images.length ? {
      images: images.map((png) => ({ uri: `data:image/png;base64,${Buffer.from(png).toString('base64')}` })),
      textures: images.map((_, i) => ({ source: i })),
    } : {}),
  };
  const text = new TextEncoder().encode(JSON.stringify(json));
  const jl = (text.length + 3) & ~3, bl = (bin.length + 3) & ~3, total = 28 + jl + bl;
  const out = new Uint8Array(total), dv = new DataView(out.buffer);
  dv.setUint32(0, 0x46546C67, true); dv.setUint32(4, 2, true); dv.setUint32(8, total, true);
  dv.setUint32(12, jl, true); dv.setUint32(16, 0x4E4F534A, true); out.fill(0x20, 20, 20 + jl); out.set(text, 20);
  dv.setUint32(20 + jl, bl, true); dv.setUint32(24 + jl, 0x004E4942, true); out.set(bin, 28 + jl);
  return out;
}

/** What a frame under the `.hdr` environment shows at the places that tell. */
export const seenUnderHdr = (img) => ({
  matteTop: spot(img, MATTE, 0, 0.85, 0.08), matteBottom: spot(img, MATTE, 0, -0.85, 0.08), matteMiddle: spot(img, MATTE, 0, 0),
  mirrorTop: spot(img, METAL, 0, 0.6), mirrorBottom: spot(img, METAL, 0, -0.6), mirrorRight: spot(img, METAL, 0.707, 0, 0.08),
  background: spot(img, 0, 0, 1.6, 0.1), glass: spot(img, GLASS, 0, 0, 0.15),
});

/** Each sphere reflects or diffuses the environment's colours where the geometry says. */
export function assertLitByHdr(seen) {
  assert.ok(reddish(seen.matteTop), `matte top under the red sky: ${seen.matteTop}`);
  assert.ok(bluish(seen.matteBottom), `matte bottom over the blue ground: ${seen.matteBottom}`);
  const [r, , b] = seen.matteMiddle;
  assert.ok(Math.abs(r - b) < 0.1 * (r + b) && r > 60, `matte middle, half sky and half ground: ${seen.matteMiddle}`);
  assert.ok(reddish(seen.mirrorTop), `mirror top reflects the sky: ${seen.mirrorTop}`);
  assert.ok(bluish(seen.mirrorBottom), `mirror bottom reflects the ground: ${seen.mirrorBottom}`);
  assert.ok(greenish(seen.mirrorRight), `mirror at 45° right reflects +X, the green cap: ${seen.mirrorRight}`);
  // Clear glass shows what is behind it: the yellow cap (a white matte sphere there would be
  // magenta, half red and half blue).
  const [gr, gg, gb] = seen.glass;
  assert.ok(gr > 2 * gb && gg > 2 * gb && gg > 120, `glass shows the yellow behind it: ${seen.glass}`);
  // The background is still the procedural sky (no skybox-image).
  assert.ok(!reddish(seen.background) && seen.background[2] > seen.background[0], `background: ${seen.background}`);
}
