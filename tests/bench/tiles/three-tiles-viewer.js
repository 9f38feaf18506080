// A three.js r187 page streaming a tileset with NASA-AMMOS's 3DTilesRendererJS 0.5.3 as its
// README shows (bundled by esbuild into www/bench/vendor/three-tiles-viewer.js): TilesRenderer
// with the same screen-space error (16 px) and GPU byte budget Scenic is given, the tileset's z up
// turned to three's y up as Scenic turns it, a sun and a hemisphere light, 45° field of view,
// updated and drawn every animation frame (how the library is driven).
import * as THREE from 'three';
import { TilesRenderer } from '3d-tiles-renderer';

export function view(url, { budget, errorTarget, start }) {
  const renderer = new THREE.WebGLRenderer({ antialias: true });
  renderer.setPixelRatio(window.devicePixelRatio);
  renderer.setSize(600, 450);
  renderer.toneMapping = THREE.NeutralToneMapping;
  document.body.append(renderer.domElement);
  const scene = new THREE.Scene();
  scene.background = new THREE.Color(0xbfd4ea);
  scene.add(new THREE.HemisphereLight(0xcfe3ff, 0x4d4a44, 1.2));
  const sun = new THREE.DirectionalLight(0xffffff, 2.5);
  sun.position.set(0.45, 0.75, 0.5);
  scene.add(sun);
  const camera = new THREE.PerspectiveCamera(45, 600 / 450, 1, 60000);
  const tiles = new TilesRenderer(url);
  tiles.errorTarget = errorTarget;
  tiles.lruCache.maxBytesSize = budget;
  tiles.lruCache.minBytesSize = budget * 0.75;
  tiles.group.rotation.x = -Math.PI / 2;
  scene.add(tiles.group);
  tiles.setCamera(camera);
  tiles.setResolutionFromRenderer(camera, renderer);
  let failed = 0;
  tiles.addEventListener('load-error', () => { failed++; });
  // Same orbit as Scenic's camera-orbit: yaw from +z towards +x, pitch above the horizon.
  const place = (yawDeg, pitchDeg, distance, target = [0, 20, 0]) => {
    const yaw = (yawDeg * Math.PI) / 180, pitch = (pitchDeg * Math.PI) / 180;
    camera.position.set(target[0] + distance * Math.sin(yaw) * Math.cos(pitch), target[1] + distance * Math.sin(pitch), target[2] + distance * Math.cos(yaw) * Math.cos(pitch));
    camera.lookAt(...target);
    camera.updateMatrixWorld();
  };
  place(...start);
  let quiet = 0;
  const frame = () => {
    tiles.update();
    renderer.render(scene, camera);
    const s = tiles.stats;
    quiet = s.queued + s.downloading + s.parsing === 0 && !tiles.processNodeQueue.running && tiles.root ? quiet + 1 : 0;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  return {
    place,
    // Nothing queued, downloading or parsing for three frames in a row.
    settled: () => quiet >= 3,
    stats: () => ({ loaded: tiles.stats.loaded, failed, drawn: tiles.stats.visible, gpuBytes: tiles.lruCache.cachedBytes }),
  };
}
