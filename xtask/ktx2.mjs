// KTX2 variants of a corpus model for the KHR_texture_basisu tests (`cargo xtask content` runs
// this): node xtask/ktx2.mjs <corpus .gltf> <out dir> <name>. Every PNG image of the model is
// encoded by Basis Universal's own encoder (npm ktx2-encoder) with its whole mip chain, as
// gltf-transform and gltfpack write them, once as UASTC with Zstandard (<name>-uastc.gltf) and
// once as ETC1S (<name>-etc1s.gltf); buffers are copied beside them.
import { readFile, writeFile, copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PNG } from 'pngjs';
import { encodeToKTX2 } from 'ktx2-encoder';

const [source, out, name] = process.argv.slice(2);
const gltf = JSON.parse(await readFile(source, 'utf8'));
const from = dirname(source);
await mkdir(out, { recursive: true });
for (const buffer of gltf.buffers ?? []) await copyFile(join(from, buffer.uri), join(out, buffer.uri));

// Colour textures are sRGB; the rest (normals, occlusion-roughness-metal) are data.
const colour = new Set();
for (const m of gltf.materials ?? []) {
  for (const t of [m.pbrMetallicRoughness?.baseColorTexture, m.emissiveTexture]) if (t) colour.add(gltf.textures[t.index].source);
}
const decode = async (png) => {
  const { width, height, data } = PNG.sync.read(Buffer.from(png));
  return { width, height, data: new Uint8Array(data) };
};

// And once as UASTC without mips (<name>-uastc-nomips.gltf), as some exporters write them.
const MODES = [
  ['uastc', { isUASTC: true, needSupercompression: true, generateMipmap: true }],
  ['etc1s', { isUASTC: false, qualityLevel: 200, generateMipmap: true }],
  ['uastc-nomips', { isUASTC: true, needSupercompression: true, generateMipmap: false }],
];
for (const [mode, options] of MODES) {
  const variant = structuredClone(gltf);
  for (const [i, image] of gltf.images.entries()) {
    const ktx2 = await encodeToKTX2(await readFile(join(from, image.uri)), {
      ...options,
      isSetKTX2SRGBTransferFunc: colour.has(i),
      imageDecoder: decode,
    });
    const uri = `${name}-${mode}-${i}.ktx2`;
    await writeFile(join(out, uri), ktx2);
    variant.images[i] = { uri, mimeType: 'image/ktx2' };
  }
  for (const t of variant.textures) {
    t.extensions = { KHR_texture_basisu: { source: t.source } };
    delete t.source;
  }
  variant.extensionsUsed = [...new Set([...(variant.extensionsUsed ?? []), 'KHR_texture_basisu'])];
  variant.extensionsRequired = [...new Set([...(variant.extensionsRequired ?? []), 'KHR_texture_basisu'])];
  await writeFile(join(out, `${name}-${mode}.gltf`), JSON.stringify(variant));
}
