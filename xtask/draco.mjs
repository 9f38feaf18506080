// The Draco version of a GLB for the tests (`cargo xtask content` runs this): node
// xtask/draco.mjs <in.glb> <out.glb>. gltf-transform's draco() with Google's encoder from npm
// draco3dgltf, at its defaults (edgebreaker, 14-bit positions), as `gltf-transform draco` writes.
import { NodeIO } from '@gltf-transform/core';
import { ALL_EXTENSIONS } from '@gltf-transform/extensions';
import { draco } from '@gltf-transform/functions';
import draco3d from 'draco3dgltf';

const [input, output] = process.argv.slice(2);
const io = new NodeIO().registerExtensions(ALL_EXTENSIONS).registerDependencies({ 'draco3d.encoder': await draco3d.createEncoderModule() });
const doc = await io.read(input);
await doc.transform(draco());
await io.write(output, doc);
