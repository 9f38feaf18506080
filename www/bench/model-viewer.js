import './vendor/model-viewer.min.js';
import { src, drawn, failed } from './bench-common.js';

const mv = document.createElement('model-viewer');
mv.setAttribute('camera-orbit', '0deg 70deg auto');
mv.setAttribute('interaction-prompt', 'none');
mv.addEventListener('load', () => drawn());
mv.addEventListener('error', (e) => failed(e.detail?.type ?? 'error'));
mv.setAttribute('src', src);
document.body.append(mv);
window.__bench.orbit = (yaw) => { mv.cameraOrbit = `${yaw}deg 70deg auto`; mv.jumpCameraToGoal(); };
window.__bench.memory = async () => 0;
