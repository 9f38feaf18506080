// MikkTSpace tangents (for normal maps in files that lack them) and the prefiltering of lighting
// photos (environment-image, skybox-image) in a worker. The viewer's wasm memory never shrinks:
// MikkTSpace peaks at ~140 bytes per triangle corner (DamagedHelmet: 6.6 MB) and a 2048 × 1024
// photo's prefiltering at ~40 MB, and the latter takes a quarter of a second of CPU here. So both
// run in a worker that is closed when idle, taking that memory with it; the main thread stays
// free meanwhile. MikkTSpace is a small module of its own (pkg/mikktspace: the viewer's bundles
// leave its 12 KB gzip out, as most files bring their tangents); prefiltering is the viewer's own
// bundle, instantiated in the worker. Where the worker cannot start or fails, MikkTSpace runs on
// this thread and the viewer prefilters itself.

import { moduleHere } from './decoders.js';

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
// What pending jobs are rejected with when the worker stops or fails to start.
const WORKER_FAILED = Symbol('worker failed');

function stop() {
  worker?.terminate();
  worker = null;
  handed = new Set();
  for (const p of pending.values()) p.reject(WORKER_FAILED);
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

/** Given the viewer's module alone, a job function starts the worker early with it (and
 *  `message`, if any, to start on). */
function warm(spawn, backend, module, message) {
  clearTimeout(idle); // One idle timer at a time: an older one would stop the next job's worker.
  modules.set(backend, module);
  try {
    ready(spawn, backend);
    if (message) worker.postMessage(message);
  } catch {
    return Promise.resolve(); // No worker here (a CSP, an old in-app browser): jobs fall back.
  }
  // Closed again if no job follows (a normal map without UVs to generate from).
  if (!pending.size) idle = setTimeout(stop, IDLE_MS);
  return Promise.resolve();
}

/** For `Viewer.load`: `(positions, normals, uvs, indices?) => Promise<Float32Array>` (one
 *  tangent per corner), run in the worker `spawn()` makes, or where it cannot run, on this thread
 *  by the module `importers.mikktspace()` imports (pkg/mikktspace; features/decoders.js's
 *  `moduleHere`). `backend` is the viewer's bundle (its
 *  pkg/ folder: "webgpu-lite", …). Called with the viewer's `WebAssembly.Module` alone, it starts
 *  the worker early, which starts fetching the module. */
export function tangentsIn(spawn, backend, importers) {
  return (positions, normals, uvs, indices) => {
    if (positions instanceof WebAssembly.Module) return warm(spawn, backend, positions, { preload: 'mikktspace' });
    const args = [positions, normals, uvs, indices];
    // Copies go to the worker: where it fails (its script not found, as in a bundled app) the
    // same arrays are worked on here.
    const copies = args.map((a) => a?.slice());
    let done;
    try {
      done = job(spawn, backend, { job: 'tangents', positions: copies[0], normals: copies[1], uvs: copies[2], indices: copies[3] }, copies.filter(Boolean).map((a) => a.buffer));
    } catch {
      return tangentsHere(importers, args); // No worker here (a CSP, an old in-app browser).
    }
    return done.catch((e) => (e === WORKER_FAILED ? tangentsHere(importers, args) : Promise.reject(e)));
  };
}

/** MikkTSpace on this thread. */
async function tangentsHere(importers, [positions, normals, uvs, indices]) {
  return (await moduleHere(importers, 'mikktspace')).mikktspaceTangents(positions, normals, uvs, indices);
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
