// Decoder modules for compressed glTF content, each its own small wasm bundle beside the
// viewer's, fetched only when a file declares its extension and run in a worker (closed when
// idle, taking its memory with it): meshopt (EXT_ / KHR_meshopt_compression, pkg/meshopt),
// Draco (KHR_draco_mesh_compression, pkg/draco) and Basis Universal (KHR_texture_basisu,
// pkg/basis). Where a worker cannot start, the module runs on the main thread instead.

const IDLE_MS = 5000;
let worker = null;
let idle = 0;
let next = 0;
const pending = new Map();
const inline = {};

// A worker that fails to start (its script not found, as in a bundled app) hands its jobs to
// the main thread.
const WORKER_FAILED = Symbol('worker failed');

function stop() {
  worker?.terminate();
  worker = null;
  for (const p of pending.values()) p.reject(WORKER_FAILED);
  pending.clear();
}

function start(spawn) {
  const w = spawn();
  w.onmessage = ({ data }) => {
    const p = pending.get(data.id);
    pending.delete(data.id);
    if (data.error) p?.reject(new Error(data.error));
    else p?.resolve(data.bytes);
  };
  w.onerror = (e) => { e.preventDefault(); stop(); };
  return w;
}

const MODULES = { KHR_draco_mesh_compression: 'draco', KHR_texture_basisu: 'basis' };

/** Which module decodes `spec` ('meshopt', 'draco' or 'basis'). */
export const moduleFor = (spec) => MODULES[spec.extension] ?? 'meshopt';

/** Runs `spec` on module `m` (its wasm-bindgen glue, initialised). Basis takes the block formats
 *  the GPU samples (`spec.formats`, best first) and answers with format, width, height and level
 *  count (u32 LE), each level's length, then the levels. */
export function run(m, spec, source) {
  if (spec.extension === 'KHR_texture_basisu') return m.transcode(new Int32Array(spec.formats ?? []), source);
  if (spec.extension === 'KHR_draco_mesh_compression') return m.decode(source);
  return m.decode(spec.extension === 'KHR_meshopt_compression', spec.mode, spec.filter, spec.count, spec.stride, source);
}

/** Module `name` instantiated on this thread, once (again after a failed load);
 *  `importers[name]()` imports pkg/<name> (written in the element's file, so that the one-file
 *  build and bundlers resolve it from there). Also features/tangents.js's, for MikkTSpace. */
export function moduleHere(importers, name) {
  inline[name] ??= importers[name]().then(async (m) => { await m.default(); return m; });
  inline[name].catch(() => { delete inline[name]; });
  return inline[name];
}

/** On this thread (no worker). */
async function decodeHere(importers, spec, source) {
  return run(await moduleHere(importers, moduleFor(spec)), spec, source);
}

/** For `Viewer.load`: `(spec, source) => Promise<Uint8Array>`, decoding in the worker `spawn()`
 *  makes; if it cannot be made, on this thread with the modules `importers` import. */
export function decodersIn(spawn, importers) {
  return (spec, source) => {
    clearTimeout(idle);
    try {
      worker ??= start(spawn);
    } catch {
      return decodeHere(importers, spec, source);
    }
    const id = next++;
    const done = new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
    // A copy of just the stream: posting a view of the whole file would clone all of it.
    const copy = source.slice();
    worker.postMessage({ id, spec, source: copy }, [copy.buffer]);
    return done.catch((e) => (e === WORKER_FAILED ? decodeHere(importers, spec, source) : Promise.reject(e))).finally(() => {
      if (!pending.size) idle = setTimeout(stop, IDLE_MS);
    });
  };
}
