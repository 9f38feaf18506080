// A typed use of the package: importing it defines <scenic-viewer>; the model is an asset Vite
// fingerprints and copies into dist/.
// The bare import defines the element (an import used only for types would be dropped).
import 'scenic-viewer';
import type { ScenicViewer, ScenicInfo } from 'scenic-viewer';
import modelUrl from '../../../../assets/lakeside.glb?url';

const viewer = document.querySelector<ScenicViewer>('#viewer')!;
const status = document.getElementById('status')!;

viewer.addEventListener('load', (e) => {
  const info: ScenicInfo = e.detail;
  status.textContent = `${viewer.activeBackend}: ${info.triangles} triangles`;
  // A POI: its reader is a wasm part of its own, which Vite fingerprints like the module.
  viewer.setPois([{ id: 'pavilion', name: { zh: '湖心亭', en: 'Lake pavilion' }, category: 'viewpoint', position: [0, 2, 0] }])
    .catch((err: Error) => { status.textContent = err.message; });
});
viewer.addEventListener('error', (e) => { status.textContent = e.detail.message; });
viewer.cameraOrbit = '30deg 25deg auto';
viewer.src = modelUrl;
