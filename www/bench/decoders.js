// Decoder benchmark page: every Draco primitive, meshopt buffer view and KTX2 image of one glTF
// file decoded by one engine's decoders — Scenic's decoder modules through the viewer's own path
// (features/decoders.js, a worker), or three.js r187's DRACOLoader (its workers), MeshoptDecoder
// and KTX2Loader (its workers) as GLTFLoader calls them — `runs` times. The file's bytes are
// fetched first and not timed; the first run includes fetching and compiling the decoders.
// Results in window.__decoders: { runs: [ms], streams, formats } or { error }.
import { decodersIn } from '../features/decoders.js';

const params = new URLSearchParams(location.search);
const engine = params.get('engine');
const src = new URL(params.get('src'), location.href).href;
const RUNS = Number(params.get('runs') ?? 5);
window.__decoders = null;

/** The document, its buffers and its images' bytes (a .glb or a .gltf with external files). */
async function read(url) {
  const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
  let json, bin = null;
  if (new TextDecoder().decode(bytes.subarray(0, 4)) === 'glTF') {
    const view = new DataView(bytes.buffer);
    const jsonLength = view.getUint32(12, true);
    json = JSON.parse(new TextDecoder().decode(bytes.subarray(20, 20 + jsonLength)));
    const at = 20 + jsonLength;
    if (at < bytes.length) bin = bytes.subarray(at + 8, at + 8 + view.getUint32(at, true));
  } else {
    json = JSON.parse(new TextDecoder().decode(bytes));
  }
  const file = async (uri) => new Uint8Array(await (await fetch(new URL(uri, url))).arrayBuffer());
  const buffers = await Promise.all((json.buffers ?? []).map((b) => (b.uri ? file(b.uri) : Promise.resolve(bin ?? new Uint8Array(b.byteLength)))));
  const viewBytes = (i) => {
    const v = json.bufferViews[i];
    return buffers[v.buffer].subarray(v.byteOffset ?? 0, (v.byteOffset ?? 0) + v.byteLength);
  };
  const images = await Promise.all((json.images ?? []).map((im) => (im.uri ? file(im.uri) : Promise.resolve(viewBytes(im.bufferView)))));
  return { json, buffers, images, viewBytes };
}

/** The file's compressed streams: Draco primitives, meshopt views, KTX2 images. */
function streams({ json, buffers, images, viewBytes }) {
  const TYPES = { 5120: 'Int8Array', 5121: 'Uint8Array', 5122: 'Int16Array', 5123: 'Uint16Array', 5125: 'Uint32Array', 5126: 'Float32Array' };
  const out = [];
  for (const mesh of json.meshes ?? []) for (const p of mesh.primitives) {
    const d = p.extensions?.KHR_draco_mesh_compression;
    if (!d) continue;
    const types = Object.fromEntries(Object.keys(d.attributes).map((name) => [name, TYPES[json.accessors[p.attributes[name]].componentType]]));
    out.push({ kind: 'draco', bytes: viewBytes(d.bufferView), ids: d.attributes, types });
  }
  for (const v of json.bufferViews ?? []) {
    const m = v.extensions?.EXT_meshopt_compression ?? v.extensions?.KHR_meshopt_compression;
    if (!m) continue;
    const bytes = buffers[m.buffer].subarray(m.byteOffset ?? 0, (m.byteOffset ?? 0) + m.byteLength);
    out.push({ kind: 'meshopt', khr: !!v.extensions.KHR_meshopt_compression, bytes, count: m.count, stride: m.byteStride, mode: m.mode, filter: m.filter ?? 'NONE' });
  }
  // KTX2 images: named by KHR_texture_basisu, or (as the corpus lamp's) by their type or name.
  const ktx2 = (json.images ?? []).map((im, i) => i).filter((i) => {
    const im = json.images[i];
    return im.mimeType === 'image/ktx2' || /\.ktx2$/i.test(im.uri ?? '') || (json.textures ?? []).some((t) => t.extensions?.KHR_texture_basisu?.source === i);
  });
  for (const i of ktx2) out.push({ kind: 'ktx2', bytes: images[i] });
  return out;
}

/** Scenic: the viewer's decode function (a worker running pkg/draco, pkg/meshopt, pkg/basis). */
function scenic() {
  const decode = decodersIn(
    () => new Worker(new URL('../features/decoders-worker.js', import.meta.url), { type: 'module' }),
    { meshopt: () => import('../pkg/meshopt/scenic_meshopt.js'), draco: () => import('../pkg/draco/scenic_draco.js'), basis: () => import('../pkg/basis/scenic_basis.js') },
  );
  // The block formats the WebGL2 renderer asks for where SwiftShader offers them (ASTC, BC7, ETC2).
  const FORMATS = { 10: 'ASTC 4x4', 6: 'BC7', 1: 'ETC2', 13: 'RGBA8' };
  return async (s) => {
    if (s.kind === 'draco') {
      await decode({ extension: 'KHR_draco_mesh_compression' }, s.bytes);
      return null;
    }
    if (s.kind === 'meshopt') {
      await decode({ extension: s.khr ? 'KHR_meshopt_compression' : 'EXT_meshopt_compression', mode: s.mode, filter: s.filter, count: s.count, stride: s.stride }, s.bytes);
      return null;
    }
    const answer = await decode({ extension: 'KHR_texture_basisu', formats: [10, 6, 1] }, s.bytes);
    return FORMATS[new DataView(answer.buffer, answer.byteOffset).getUint32(0, true)] ?? 'other';
  };
}

/** three.js r187: DRACOLoader (WASM decoder in its workers), MeshoptDecoder, KTX2Loader. */
async function three() {
  const { WebGLRenderer, DRACOLoader, KTX2Loader, MeshoptDecoder } = await import('./vendor/three-decoders.js');
  // The WASM decoder (DRACOLoader's choice wherever WebAssembly runs).
  const draco = new DRACOLoader().setDecoderPath('./vendor/three-draco/');
  const renderer = new WebGLRenderer();
  const ktx2 = new KTX2Loader().setTranscoderPath('./vendor/three-basis/').detectSupport(renderer);
  const FORMATS = { 37808: 'ASTC 4x4', 36492: 'BC7', 37496: 'ETC2', 1023: 'RGBA8' };
  return async (s) => {
    if (s.kind === 'draco') {
      // decodeDracoFile hands the buffer to a worker: a copy, as GLTFLoader's is its own.
      await new Promise((resolve, reject) => draco.decodeDracoFile(s.bytes.slice().buffer, resolve, s.ids, s.types, undefined, reject));
      return null;
    }
    if (s.kind === 'meshopt') {
      await MeshoptDecoder.ready;
      MeshoptDecoder.decodeGltfBuffer(new Uint8Array(s.count * s.stride), s.count, s.stride, s.bytes, s.mode, s.filter);
      return null;
    }
    const texture = await new Promise((resolve, reject) => ktx2.parse(s.bytes.slice().buffer, resolve, reject));
    return FORMATS[texture.format] ?? String(texture.format);
  };
}

try {
  const list = streams(await read(src));
  if (!list.length) throw new Error(`${src} has no Draco, meshopt or KTX2 content`);
  const decode = engine === 'three' ? await three() : scenic();
  const runs = [];
  let formats = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    // All of a file's streams at once, as both loaders start them.
    formats = await Promise.all(list.map(decode));
    runs.push(performance.now() - t0);
  }
  window.__decoders = { runs, streams: list.map((s) => s.kind), formats: formats.filter(Boolean) };
} catch (e) {
  window.__decoders = { error: String(e?.message ?? e) };
}
