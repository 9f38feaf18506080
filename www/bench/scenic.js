import { params, src, drawn, failed } from './bench-common.js';

// ?lib=before loads a saved earlier build (www/bench/vendor/before/, see compare.mjs) so a
// change can be measured against the code before it in the same run.
// The one-file build, as an operator's page loads it.
const lib = params.get('lib') === 'before' ? './vendor/before/scenic-viewer.js' : '../scenic-viewer.min.js';
await import(lib);

const v = document.createElement('scenic-viewer');
v.setAttribute('backend', params.get('backend') || 'auto');
v.setAttribute('camera-orbit', '0deg 20deg auto');
v.addEventListener('load', () => drawn());
v.addEventListener('error', (e) => failed(e.detail.message));
v.setAttribute('src', src);
document.body.append(v);
window.__bench.orbit = (yaw) => v.setAttribute('camera-orbit', `${yaw}deg 20deg auto`);
window.__bench.memory = async () => (await customElements.get('scenic-viewer').gpuStats()).wasmBytes;
