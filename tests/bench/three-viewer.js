// A minimal three.js glTF viewer as an operator would write it (bundled and minified by esbuild
// into www/bench/vendor/three-viewer.js): WebGLRenderer, GLTFLoader, a sun and a hemisphere
// light, the model framed, a frame drawn only when the camera moves.
import * as THREE from 'three';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';

export function view(url, drawn, failed) {
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
  const camera = new THREE.PerspectiveCamera(45, 600 / 450, 0.1, 1000);
  let center = new THREE.Vector3(), distance = 5;
  const place = (yawDeg) => {
    const yaw = (yawDeg * Math.PI) / 180, pitch = 0.35;
    camera.position.set(center.x + distance * Math.sin(yaw) * Math.cos(pitch), center.y + distance * Math.sin(pitch), center.z + distance * Math.cos(yaw) * Math.cos(pitch));
    camera.lookAt(center);
    renderer.render(scene, camera);
  };
  new GLTFLoader().load(url, (gltf) => {
    scene.add(gltf.scene);
    const box = new THREE.Box3().setFromObject(gltf.scene);
    const sphere = box.getBoundingSphere(new THREE.Sphere());
    center = sphere.center;
    distance = (sphere.radius / Math.sin((45 * Math.PI) / 360)) * 1.1;
    camera.near = distance / 1000;
    camera.far = distance + sphere.radius * 4;
    camera.updateProjectionMatrix();
    place(0);
    drawn();
  }, undefined, failed);
  window.__bench.orbit = place;
  window.__bench.memory = async () => 0;
}
