// Compressed content (issue 13): meshopt variants of corpus models, made at test time by
// `cargo xtask content` (gltfpack) and served under /generated/, and the corpus's own Draco
// variants, drawn by both renderers. Each
// must look like its uncompressed original (the parity metric of browser.mjs: RMS ≤ 1.5 and at
// most 0.5 % of pixels more than 24 apart; measured 0.16–0.68 and 0 %: gltfpack quantises positions
// to 14 bits, normals to 8 and UVs to 12, so shading moves slightly). The decoder module is fetched only for such files, and a
// broken stream is a readable error that leaves the viewer usable.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openFixture, pixels, difference, fraction, BACKENDS, BASE } from './browser.mjs';

const VARIANTS = [
  ['/corpus/gltf/models/Avocado/glTF-Draco/Avocado.gltf', 'Avocado/glTF/Avocado.gltf'],
  ['/corpus/gltf/models/Duck/glTF-Draco/Duck.gltf', 'Duck/glTF/Duck.gltf'],
  ['/corpus/gltf/models/CesiumMan/glTF-Draco/CesiumMan.gltf', 'CesiumMan/glTF/CesiumMan.gltf'],
  ['duck-ext.glb', 'Duck/glTF-Binary/Duck.glb'],
  ['duck-khr.glb', 'Duck/glTF-Binary/Duck.glb'],
  ['duck-external.gltf', 'Duck/glTF-Binary/Duck.glb'],
  ['helmet-exp.glb', 'DamagedHelmet/glTF-Binary/DamagedHelmet.glb'],
  ['boxcolors-khr.glb', 'BoxVertexColors/glTF-Binary/BoxVertexColors.glb'],
];

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Opens `src` on `backend`; returns its frame and the URLs the page and its workers requested. */
async function shot(src, backend) {
  const requests = [];
  const context = await browser.newContext();
  context.on('request', (r) => requests.push(r.url()));
  try {
    const { page, logs } = await openFixture(context, src, backend);
    assert.equal(await page.evaluate(() => document.getElementById('viewer').dataset.state), 'ready', `${src}: ${logs.join('\n')}`);
    return { image: await pixels(page), requests };
  } finally {
    await context.close();
  }
}

for (const backend of BACKENDS) {
  for (const [variant, original] of VARIANTS) {
    const draco = variant.includes('Draco');
    test(`${draco ? 'Draco' : 'meshopt'} ${variant.split('/').pop()} on ${backend} looks like ${original.split('/')[0]}`, async () => {
      const a = await shot(draco ? variant : `/generated/meshopt/${variant}`, backend);
      const b = await shot(`/corpus/gltf/models/${original}`, backend);
      const { rms, outliers } = difference(a.image, b.image);
      console.log(`${variant.split('/').pop()} ${backend}: rms ${rms.toFixed(2)}, outliers ${(outliers * 100).toFixed(2)} %`);
      assert.ok(rms <= 1.5, `RMS ${rms.toFixed(2)} > 1.5`);
      assert.ok(outliers <= 0.005, `${(outliers * 100).toFixed(2)} % of pixels differ by more than 24`);
      // The decoder module came for the compressed file only.
      const decoder = (r) => r.includes(draco ? '/pkg/draco/' : '/pkg/meshopt/');
      assert.ok(a.requests.some(decoder), `no decoder fetched: ${a.requests.join(' ')}`);
      assert.ok(a.requests.some((r) => r.endsWith('/features/decoders-worker.js')), 'decoded off the main thread');
      assert.ok(!b.requests.some(decoder), `decoder fetched for an uncompressed file: ${b.requests.filter(decoder)}`);
    });
  }
}

test('a corrupt meshopt stream is an error naming the mesh, and the next model loads', async () => {
  const page = await browser.newPage({ viewport: { width: 256, height: 256 } });
  try {
    // Serve duck-ext.glb with its first compressed stream's header byte garbled.
    await page.route('**/broken-duck.glb', async (route) => {
      const bytes = new Uint8Array(await (await fetch(`${BASE}/generated/meshopt/duck-ext.glb`)).arrayBuffer());
      const jsonLength = new DataView(bytes.buffer).getUint32(12, true);
      const json = JSON.parse(new TextDecoder().decode(bytes.subarray(20, 20 + jsonLength)));
      const ext = json.bufferViews.find((v) => v.extensions?.EXT_meshopt_compression?.mode === 'ATTRIBUTES').extensions.EXT_meshopt_compression;
      bytes[20 + jsonLength + 8 + (ext.byteOffset ?? 0)] = 0x7f;
      await route.fulfill({ body: Buffer.from(bytes), contentType: 'model/gltf-binary' });
    });
    await page.goto(`${BASE}/fidelity/?backend=webgl2&src=${encodeURIComponent('/broken-duck.glb')}`);
    await page.waitForFunction(() => ['ready', 'error'].includes(document.getElementById('viewer')?.dataset.state), null, { timeout: 60000 });
    const shown = await page.evaluate(() => document.getElementById('viewer').shadowRoot.querySelector('[part=error]').textContent);
    assert.match(shown, /mesh 0 .*meshopt: the compressed stream is truncated or corrupt/);
    await page.evaluate(() => document.getElementById('viewer').setAttribute('src', '/generated/meshopt/duck-khr.glb'));
    await page.waitForFunction(() => document.getElementById('viewer').dataset.state === 'ready', null, { timeout: 60000 });
  } finally {
    await page.close();
  }
});

test('a corrupt Draco stream is an error naming the primitive, and the viewer goes on', async () => {
  const page = await browser.newPage({ viewport: { width: 256, height: 256 } });
  try {
    const gltf = '/corpus/gltf/models/Duck/glTF-Draco/Duck.gltf';
    const json = await (await fetch(`${BASE}${gltf}`)).json();
    const view = json.bufferViews[json.meshes[0].primitives[0].extensions.KHR_draco_mesh_compression.bufferView];
    // Garble the stream past its header, in several places.
    await page.route('**/glTF-Draco/Duck.bin', async (route) => {
      const bytes = new Uint8Array(await (await fetch(`${BASE}/corpus/gltf/models/Duck/glTF-Draco/Duck.bin`)).arrayBuffer());
      for (let k = 12; k < view.byteLength; k += 97) bytes[(view.byteOffset ?? 0) + k] ^= 0xa5;
      await route.fulfill({ body: Buffer.from(bytes), contentType: 'application/octet-stream' });
    });
    await page.goto(`${BASE}/fidelity/?backend=webgl2&src=${encodeURIComponent(gltf)}`);
    await page.waitForFunction(() => ['ready', 'error'].includes(document.getElementById('viewer')?.dataset.state), null, { timeout: 60000 });
    const state = await page.evaluate(() => document.getElementById('viewer').dataset.state);
    const shown = await page.evaluate(() => document.getElementById('viewer').shadowRoot.querySelector('[part=error]').textContent);
    assert.equal(state, 'error', 'a garbled stream is not drawn as garbage');
    assert.match(shown, /\/meshes\/0\/primitives\/0: Draco: /);
    await page.unroute('**/glTF-Draco/Duck.bin');
    await page.evaluate(() => document.getElementById('viewer').setAttribute('src', '/corpus/gltf/models/Box/glTF-Draco/Box.gltf'));
    await page.waitForFunction(() => document.getElementById('viewer').dataset.state === 'ready', null, { timeout: 60000 });
  } finally {
    await page.close();
  }
});

// KHR_texture_basisu: the corpus lamp's four KTX2 textures, transcoded by the Basis module
// (pkg/basis, fetched only for such files) in the decoder worker. With the module unreachable
// the textures are left out with a warning, the lamp still drawn: the two frames must differ
// where the textures are, which shows the transcoded texels reached the GPU.
const LAMP = '/corpus/gltf/models/AnisotropyBarnLamp/glTF-KTX2-Basisu/AnisotropyBarnLamp.gltf';
const BLOCKS = {
  webgpu: ['texture-compression-astc', 'texture-compression-bc', 'texture-compression-etc2'],
  webgl2: ['WEBGL_compressed_texture_astc', 'EXT_texture_compression_bptc', 'WEBGL_compressed_texture_etc'],
};
/** The block formats the page's GPU samples on `backend` (WebGPU features, WebGL2 extensions). */
function blockFormats(page, backend) {
  return page.evaluate(async ([backend, names]) => {
    if (backend === 'webgpu') {
      const a = await navigator.gpu?.requestAdapter();
      return names.filter((n) => a?.features.has(n));
    }
    const gl = document.createElement('canvas').getContext('webgl2');
    return names.filter((n) => gl?.getExtension(n));
  }, [backend, BLOCKS[backend]]);
}
for (const backend of BACKENDS) {
  test(`KTX2 textures (Basis) on ${backend} are transcoded and drawn`, async () => {
    const run = async (block) => {
      const context = await browser.newContext();
      const requests = [];
      context.on('request', (r) => requests.push(r.url()));
      if (block) await context.route('**/pkg/basis/**', (route) => route.abort());
      try {
        const { page, logs } = await openFixture(context, LAMP, backend);
        assert.equal(await page.evaluate(() => document.getElementById('viewer').dataset.state), 'ready', logs.join('\n'));
        const bytes = await page.evaluate(async () => (await customElements.get('scenic-viewer').gpuStats()).sceneBytes);
        return { image: await pixels(page), logs, requests, bytes, blocks: await blockFormats(page, backend) };
      } finally {
        await context.close();
      }
    };
    const shown = await run(false);
    const bare = await run(true);
    assert.ok(!shown.logs.some((l) => /images\/\d.*left out/.test(l)), shown.logs.join('\n'));
    assert.ok(shown.requests.some((r) => r.includes('/pkg/basis/')), 'the Basis module was fetched');
    assert.ok(bare.logs.some((l) => /\/images\/\d: .*left out/.test(l)), `no warning without the module: ${bare.logs.join('\n')}`);
    const { rms } = difference(shown.image, bare.image);
    console.log(`KTX2 lamp ${backend}: rms against the untextured lamp ${rms.toFixed(2)}`);
    assert.ok(rms > 4, `textured and untextured lamp look alike (RMS ${rms.toFixed(2)})`);
    // Its 2048² textures have no mips: where the GPU samples a block format they stay blocks,
    // 4 MiB each, against 21 MiB as RGBA8 with mips made on the GPU. Three are drawn (the fourth
    // is KHR_materials_anisotropy's, which Scenic does not read).
    // Sampled, not black (an incomplete texture samples black: a mipless texture whose
    // levels GL was not told of).
    const black = fraction(shown.image, ([r, g, b]) => r + g + b < 24);
    console.log(`KTX2 lamp ${backend}: black pixels ${(black * 100).toFixed(2)} %`);
    assert.ok(black < 0.01, `${(black * 100).toFixed(1)} % of the frame is black`);
    const textures = shown.bytes - bare.bytes;
    console.log(`KTX2 lamp ${backend}: texture bytes on the GPU ${textures}, block formats [${shown.blocks}]`);
    if (shown.blocks.length) assert.equal(textures, 3 * 2048 * 2048);
    else assert.ok(textures > 3 * 20 * 2 ** 20, `${textures} texture bytes without a block format`);
    // An uncompressed textured file does not fetch the module.
    const duck = await shot('/corpus/gltf/models/Duck/glTF-Binary/Duck.glb', backend);
    assert.ok(!duck.requests.some((r) => r.includes('/pkg/basis/')), 'Basis module fetched for a PNG model');
  });
}

// KTX2 made by ktx2-encoder from the Duck's PNG (UASTC + Zstandard, and ETC1S, with mips; and
// UASTC without mips):
// drawn within a tolerance of the PNG original on each backend. Where the GPU samples a block
// format the Basis module can reach (WebGPU features, WebGL2 extensions), the texture stays
// compressed: its GPU bytes fall to a quarter of RGBA8's with mips.

for (const backend of BACKENDS) {
  for (const mode of ['uastc', 'etc1s', 'uastc-nomips']) {
    test(`KTX2 ${mode} Duck on ${backend} looks like the PNG Duck, block-compressed where the GPU can`, async () => {
      const open = async (src) => {
        const context = await browser.newContext();
        try {
          const { page, logs } = await openFixture(context, src, backend);
          assert.equal(await page.evaluate(() => document.getElementById('viewer').dataset.state), 'ready', `${src}: ${logs.join('\n')}`);
          const bytes = await page.evaluate(async () => (await customElements.get('scenic-viewer').gpuStats()).sceneBytes);
          return { image: await pixels(page), bytes, blocks: await blockFormats(page, backend), logs };
        } finally {
          await context.close();
        }
      };
      const ktx2 = await open(`/generated/ktx2/duck-${mode}.gltf`);
      const png = await open('/corpus/gltf/models/Duck/glTF/Duck.gltf');
      assert.ok(!ktx2.logs.some((l) => /left out/.test(l)), ktx2.logs.join('\n'));
      const { rms, outliers } = difference(ktx2.image, png.image);
      console.log(`KTX2 ${mode} Duck ${backend}: rms ${rms.toFixed(2)}, outliers ${(outliers * 100).toFixed(2)} %, GPU bytes ${ktx2.bytes} vs PNG ${png.bytes}, block formats [${ktx2.blocks}]`);
      // ETC1S is the lossier codec; without mips the texture is sampled from its base level
      // alone (as three.js does it), a little sharper and noisier than the PNG's mips.
      const limit = { uastc: 3, etc1s: 6, 'uastc-nomips': 4 }[mode];
      assert.ok(rms <= limit, `RMS ${rms.toFixed(2)} > ${limit}`);
      // The Duck's texture is 512²: 1,398,100 bytes as RGBA8 with mips, 349,552 in blocks.
      if (ktx2.blocks.length) assert.ok(png.bytes - ktx2.bytes > 1_000_000, `blocks [${ktx2.blocks}] offered, yet ${ktx2.bytes} GPU bytes against the PNG's ${png.bytes}`);
      else assert.ok(Math.abs(png.bytes - ktx2.bytes) < 100_000, `no block format, yet ${ktx2.bytes} GPU bytes against the PNG's ${png.bytes}`);
    });
  }
}
