// The worker behind features/tangents.js: MikkTSpace in its own small module (pkg/mikktspace),
// and the lighting photos' prefiltering in the viewer's own wasm bundle, instantiated here so
// that the memory of either is freed with the worker.

// By bundle: the glue must be the one of the module the viewer hands over.
const importers = {
  webgpu: () => import('../pkg/webgpu/scenic.js'),
  webgl2: () => import('../pkg/webgl2/scenic.js'),
  'webgpu-lite': () => import('../pkg/webgpu-lite/scenic.js'),
  'webgl2-lite': () => import('../pkg/webgl2-lite/scenic.js'),
};
const modules = {};
const ready = {};
let mikktspace = null;
const init = (m, module) => m.default(module && { module_or_path: module }).then(() => m);
// Instantiated when a job needs it: a worker started for tangents never instantiates the viewer.
const viewer = (backend) => {
  ready[backend] ??= importers[backend]().then((m) => init(m, modules[backend]));
  ready[backend].catch(() => delete ready[backend]);
  return ready[backend];
};
const tangents = () => {
  mikktspace ??= import('../pkg/mikktspace/scenic_mikktspace.js').then((m) => init(m));
  mikktspace.catch(() => { mikktspace = null; });
  return mikktspace;
};

self.onmessage = async ({ data: { init, preload, id, backend, job, positions, normals, uvs, indices, which, bytes, width, height } }) => {
  if (init) {
    modules[init.backend] = init.module;
    return;
  }
  if (preload === 'mikktspace') {
    tangents().catch(() => {}); // Said by the job that needs it.
    return;
  }
  try {
    const result = job === 'prefilter'
      ? (await viewer(backend)).prefilterEnvironment(which, bytes, width, height)
      : (await tangents()).mikktspaceTangents(positions, normals, uvs, indices);
    self.postMessage({ id, result }, [result.buffer]);
  } catch (e) {
    self.postMessage({ id, error: String(e?.message ?? e) });
  }
};
