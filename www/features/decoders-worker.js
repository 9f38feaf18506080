// The worker behind features/decoders.js: loads a decoder module on first use.

let meshopt = null;

self.onmessage = async ({ data: { id, spec, source } }) => {
  try {
    meshopt ??= import('../pkg/meshopt/scenic_meshopt.js').then(async (m) => { await m.default(); return m; });
    const m = await meshopt;
    const bytes = m.decode(spec.extension === 'KHR_meshopt_compression', spec.mode, spec.filter, spec.count, spec.stride, source);
    self.postMessage({ id, bytes }, [bytes.buffer]);
  } catch (e) {
    meshopt = null;
    self.postMessage({ id, error: String(e?.message ?? e) });
  }
};
