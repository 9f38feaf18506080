// three.js r187's decoders for compressed glTF content, as GLTFLoader uses them (bundled by
// esbuild into www/bench/vendor/three-decoders.js for the decoder benchmark, decoders.mjs).
export { WebGLRenderer } from 'three';
export { DRACOLoader } from 'three/examples/jsm/loaders/DRACOLoader.js';
export { KTX2Loader } from 'three/examples/jsm/loaders/KTX2Loader.js';
export { MeshoptDecoder } from 'three/examples/jsm/libs/meshopt_decoder.module.js';
