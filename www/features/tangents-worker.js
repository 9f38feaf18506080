// The worker behind features/tangents.js: MikkTSpace in the viewer's own wasm bundle,
// instantiated here so that its memory is freed with the worker.

// By bundle: the glue must be the one of the module the viewer hands over.
const importers = {
  webgpu: () => import('../pkg/webgpu/scenic.js'),
  webgl2: () => import('../pkg/webgl2/scenic.js'),
  'webgpu-lite': () => import('../pkg/webgpu-lite/scenic.js'),
  'webgl2-lite': () => import('../pkg/webgl2-lite/scenic.js'),
};
const ready = {};
const load = (backend, module) => importers[backend]().then(async (m) => { await m.default(module && { module_or_path: module }); return m; });

self.onmessage = async ({ data: { init, id, backend, positions, normals, uvs, indices } }) => {
  if (init) {
    ready[init.backend] ??= load(init.backend, init.module);
    ready[init.backend].catch(() => delete ready[init.backend]);
    return;
  }
  try {
    ready[backend] ??= load(backend);
    const tangents = (await ready[backend]).mikktspaceTangents(positions, normals, uvs, indices);
    self.postMessage({ id, tangents }, [tangents.buffer]);
  } catch (e) {
    self.postMessage({ id, error: String(e?.message ?? e) });
  }
};
