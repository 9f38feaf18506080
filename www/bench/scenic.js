import '../scenic-viewer.js';
import { params, src, drawn, failed } from './bench-common.js';

const v = document.createElement('scenic-viewer');
v.setAttribute('backend', params.get('backend') || 'auto');
v.setAttribute('camera-orbit', '0deg 20deg auto');
v.addEventListener('load', () => drawn());
v.addEventListener('error', (e) => failed(e.detail.message));
v.setAttribute('src', src);
document.body.append(v);
window.__bench.orbit = (yaw) => v.setAttribute('camera-orbit', `${yaw}deg 20deg auto`);
window.__bench.memory = async () => (await customElements.get('scenic-viewer').gpuStats()).wasmBytes;
