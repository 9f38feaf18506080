// The worker behind features/decoders.js: loads each decoder module on first use. A module that
// failed (a trap on a corrupt stream) is started afresh for the next job.
import { moduleFor, run } from './decoders.js';

const importers = {
  meshopt: () => import('../pkg/meshopt/scenic_meshopt.js'),
  draco: () => import('../pkg/draco/scenic_draco.js'),
  basis: () => import('../pkg/basis/scenic_basis.js'),
};
const ready = {};

self.onmessage = async ({ data: { id, spec, source } }) => {
  const name = moduleFor(spec);
  try {
    ready[name] ??= importers[name]().then(async (m) => { await m.default(); return m; });
    const bytes = run(await ready[name], spec, source);
    self.postMessage({ id, bytes }, [bytes.buffer]);
  } catch (e) {
    delete ready[name];
    self.postMessage({ id, error: String(e?.message ?? e) });
  }
};
