// Renderer parity: each corpus model drawn by the WebGPU backend (wgpu) and by the WebGL2 backend
// (web-sys, GLSL translated from the same WGSL) at the same size and camera must match.
// Metric, per model: each pixel's difference is the smallest, over the other picture's 3×3
// neighbourhood, of the largest RGB channel difference (0–255). An edge lying exactly on a row of
// pixel centres is filled by the row above in one API and the row below in the other (GL counts
// rows from the bottom): a one-pixel shift, not a shading difference. The RMS of that difference
// must be ≤ 2 and at most 0.5 % of pixels may be more than 24 apart. The figures print per model.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openFixture, pixels, difference } from './browser.mjs';

const MODELS = [
  'AlphaBlendModeTest/glTF/AlphaBlendModeTest.gltf',
  'Avocado/glTF/Avocado.gltf',
  'Box/glTF-Binary/Box.glb',
  'BoxTextured/glTF/BoxTextured.gltf',
  'BoxTexturedNonPowerOfTwo/glTF/BoxTexturedNonPowerOfTwo.gltf',
  'BoxVertexColors/glTF/BoxVertexColors.gltf',
  'DamagedHelmet/glTF-Binary/DamagedHelmet.glb',
  'Duck/glTF-Binary/Duck.glb',
  'EmissiveStrengthTest/glTF/EmissiveStrengthTest.gltf',
  'MeshPrimitiveModes/glTF/MeshPrimitiveModes.gltf',
  'MetalRoughSpheresNoTextures/glTF/MetalRoughSpheresNoTextures.gltf',
  'NormalTangentTest/glTF/NormalTangentTest.gltf',
  'OrientationTest/glTF-Binary/OrientationTest.glb',
  'TextureCoordinateTest/glTF/TextureCoordinateTest.gltf',
  'TextureTransformMultiTest/glTF/TextureTransformMultiTest.gltf',
  'TwoSidedPlane/glTF/TwoSidedPlane.gltf',
  'UnlitTest/glTF/UnlitTest.gltf',
  'VertexColorTest/glTF/VertexColorTest.gltf',
];

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

for (const path of MODELS) {
  test(`parity: ${path.split('/')[0]}`, async () => {
    const images = [];
    for (const backend of ['webgpu', 'webgl2']) {
      const { page, logs } = await openFixture(browser, `/corpus/gltf/models/${path}`, backend);
      try {
        assert.equal(await page.evaluate(() => document.getElementById('viewer').dataset.state), 'ready', logs.join('\n'));
        images.push(await pixels(page));
      } finally {
        await page.close();
      }
    }
    const { rms, outliers } = difference(images[0], images[1]);
    console.log(`parity ${path.split('/')[0]}: rms ${rms.toFixed(2)}, outliers ${(outliers * 100).toFixed(2)} %`);
    assert.ok(rms <= 2, `RMS ${rms.toFixed(2)} > 2`);
    assert.ok(outliers <= 0.005, `${(outliers * 100).toFixed(2)} % of pixels differ by more than 24`);
  });
}

test('parity metric: a deliberately different picture fails it', () => {
  const w = 16, h = 16;
  const flat = (v) => ({ width: w, height: h, data: Array.from({ length: w * h * 4 }, (_, i) => (i % 4 === 3 ? 255 : v)) });
  assert.deepEqual(difference(flat(100), flat(100)), { rms: 0, outliers: 0 });
  const off = difference(flat(100), flat(110));
  assert.ok(off.rms > 2 && off.outliers === 0, JSON.stringify(off));
  // A picture moved by one pixel is the same picture; one moved by three is not.
  const stripes = (shift) => ({ width: w, height: h, data: Array.from({ length: w * h * 4 }, (_, i) => (i % 4 === 3 ? 255 : ((Math.floor(i / 4) % w) + shift) % 8 < 4 ? 0 : 200)) });
  assert.equal(difference(stripes(0), stripes(1)).rms, 0);
  assert.ok(difference(stripes(0), stripes(3)).outliers > 0.1);
});
