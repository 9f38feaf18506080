// MikkTSpace tangents (for normal maps in files that lack them) and the prefiltering of lighting
// photos (environment-image, skybox-image) in a worker. The viewer's wasm memory never shrinks:
// MikkTSpace peaks at ~140 bytes per triangle corner (DamagedHelmet: 6.6 MB) and a 2048 × 1024
// photo's prefiltering at ~40 MB, and the latter takes a quarter of a second of CPU here. So both
// run in a worker that instantiates the same bundle and is closed when idle, taking that memory
// with it; the main thread stays free meanwhile. Where the worker cannot start or fails, the
// viewer does the work itself.

const IDLE_MS = 5000;
let worker = null;
let idle = 0;
let next = 0;
const pending = new Map();
// By bundle, the viewer's compiled WebAssembly.Module: a worker instantiates it instead of
// fetching (a second download where the HTTP cache misses) and compiling the bundle again, also
// after an idle restart.
const modules = new Map();
let handed = new Set();

function stop() {
  worker?.terminate();
  worker = null;
  handed = new Set();
  for (const p of pending.values()) p.reject(new Error('the tangent worker stopped'));
  pending.clear();
}

/** The worker, started if need be, with `backend`'s compiled module handed over once. */
function ready(spawn, backend) {
  worker ??= start(spawn);
  const module = modules.get(backend);
  if (module && !handed.has(backend)) {
    handed.add(backend);
    worker.postMessage({ init: { backend, module } });
  }
  return worker;
}

function start(spawn) {
  const w = spawn();
  w.onmessage = ({ data }) => {
    const p = pending.get(data.id);
    pending.delete(data.id);
    if (data.error) p?.reject(new Error(data.error));
    else p?.resolve(data.result);
  };
  w.onerror = (e) => { e.preventDefault(); stop(); };
  return w;
}

/** Given the viewer's module alone, a job function starts the worker early with it. */
function warm(spawn, backend, module) {
  clearTimeout(idle); // One idle timer at a time: an older one would stop the next job's worker.
  modules.set(backend, module);
  try {
    ready(spawn, backend);
  } catch {
    return Promise.resolve(); // No worker here (a CSP, an old in-app browser): jobs fall back.
  }
  // Closed again if no job follows (a normal map without UVs to generate from).
  if (!pending.size) idle = setTimeout(stop, IDLE_MS);
  return Promise.resolve();
}

/** For `Viewer.load`: `(positions, normals, uvs, indices?) => Promise<Float32Array>` (one
 *  tangent per corner), run in the worker `spawn()` makes, with bundle `backend` (its pkg/ folder: "webgpu-lite", …). Called
 *  with the viewer's `WebAssembly.Module` alone, it starts the worker early. */
export function tangentsIn(spawn, backend) {
  return (positions, normals, uvs, indices) => {
    if (positions instanceof WebAssembly.Module) return warm(spawn, backend, positions);
    const transfer = [positions.buffer, normals.buffer, uvs.buffer, ...(indices ? [indices.buffer] : [])];
    return job(spawn, backend, { job: 'tangents', positions, normals, uvs, indices }, transfer);
  };
}

/** Posts `message` to the worker (started if need be) and resolves with its answer. */
function job(spawn, backend, message, transfer) {
  clearTimeout(idle);
  const w = ready(spawn, backend);
  const id = next++;
  const done = new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
  w.postMessage({ id, backend, ...message }, transfer);
  return done.finally(() => {
    if (!pending.size) idle = setTimeout(stop, IDLE_MS);
  });
}

/** For features/lighting.js: `(which, bytes, width, height) => Promise<Uint8Array>`, what
 *  `Viewer.setEnvironmentPrefiltered` takes, made in the worker by the viewer's bundle. Called
 *  with the viewer's `WebAssembly.Module` alone (`viewer.wasmModule`), it starts the worker early
 *  with it, while the photo downloads. */
export function prefilterIn(spawn, backend) {
  return (which, bytes, width, height) => {
    if (which instanceof WebAssembly.Module) return warm(spawn, backend, which);
    // Copied, not transferred: where the worker fails the viewer prefilters the same bytes.
    return job(spawn, backend, { job: 'prefilter', which, bytes, width, height }, []);
  };
}
