// The worker behind features/tangents.js: MikkTSpace and the lighting photos' prefiltering in
// the viewer's own wasm bundle, instantiated here so that their memory is freed with the worker.

// By bundle: the glue must be the one of the module the viewer hands over.
const importers = {
  webgpu: () => import('../pkg/webgpu/scenic.js'),
  webgl2: () => import('../pkg/webgl2/scenic.js'),
  'webgpu-lite': () => import('../pkg/webgpu-lite/scenic.js'),
  'webgl2-lite': () => import('../pkg/webgl2-lite/scenic.js'),
};
const ready = {};
const load = (backend, module) => importers[backend]().then(async (m) => { await m.default(module && { module_or_path: module }); return m; });

self.onmessage = async ({ data: { init, id, backend, job, positions, normals, uvs, indices, which, bytes, width, height } }) => {
  if (init) {
    ready[init.backend] ??= load(init.backend, init.module);
    ready[init.backend].catch(() => delete ready[init.backend]);
    return;
  }
  try {
    ready[backend] ??= load(backend);
    const m = await ready[backend];
    const result = job === 'prefilter' ? m.prefilterEnvironment(which, bytes, width, height) : m.mikktspaceTangents(positions, normals, uvs, indices);
    self.postMessage({ id, result }, [result.buffer]);
  } catch (e) {
    self.postMessage({ id, error: String(e?.message ?? e) });
  }
};
