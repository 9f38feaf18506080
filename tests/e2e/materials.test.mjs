// Material extensions, judged on read-back pixels of the Khronos sample model made for each
// (../shared/corpus/gltf). SpecularTest (KHR_materials_specular): seven rows of five black,
// mirror-smooth spheres whose reflection of the sky is all they show. Its README says what each
// row must do: the factor scales the reflection at every angle (the first sphere is black), the
// colour only at normal incidence (the spheres' centres darken, their rims stay), yellow stays
// yellow at the centre and white at the rim, a texture row matches its factor row, and a colour
// factor of 25 makes a mirror ball. Without the extension every sphere in a row looks the same.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openFixture, pixels, png, BACKENDS } from './browser.mjs';
import { spheresGlb } from './spheres.mjs';

const SPECULAR = '/corpus/gltf/models/SpecularTest/glTF/SpecularTest.gltf';
// A front view: the spheres' centres lie in the z = 0 plane (SampleRoot's translation added):
// columns at x = -0.115 + 0.11 c, rows at y = 0.33 … -0.33; radius 0.05.
const SIZE = 384, DISTANCE = 1.3, TARGET = [0.035, -0.03];
const SCALE = (SIZE / 2) / (DISTANCE * Math.tan(Math.PI / 8)); // pixels per metre at z = 0 (45° fov)
const ROWS = [0.33, 0.22, 0.11, 0, -0.11, -0.22, -0.33];
const centre = (row, c) => [SIZE / 2 + (-0.115 + 0.11 * c - TARGET[0]) * SCALE, SIZE / 2 - (ROWS[row] - TARGET[1]) * SCALE];
// The sphere's outline on screen: its tangent cone from the eye.
const RADIUS = 0.05 / Math.sqrt(DISTANCE ** 2 - 0.05 ** 2) * SCALE * DISTANCE;

/** Mean RGB over the ring r0..r1 (fractions of `radius` pixels) around pixel (x, y). */
function ringAt(img, [x, y], radius, r0, r1) {
  const sum = [0, 0, 0];
  let n = 0;
  for (let j = Math.floor(y - r1 * radius); j <= y + r1 * radius; j++) {
    for (let i = Math.floor(x - r1 * radius); i <= x + r1 * radius; i++) {
      const d = Math.hypot(i - x, j - y) / radius;
      if (d < r0 || d > r1) continue;
      const k = (j * img.width + i) * 4;
      for (let ch = 0; ch < 3; ch++) sum[ch] += img.data[k + ch];
      n++;
    }
  }
  return sum.map((s) => s / n);
}
/** The same around sphere (row, column) of SpecularTest. */
const ring = (img, row, c, r0, r1) => ringAt(img, centre(row, c), RADIUS, r0, r1);
const luma = ([r, g, b]) => 0.299 * r + 0.587 * g + 0.114 * b;
const middle = (img, row, c) => ring(img, row, c, 0, 0.5);
const rim = (img, row, c) => ring(img, row, c, 0.85, 0.95);
const increasing = (values) => values.every((v, i) => i === 0 || v > values[i - 1]);
const fmt = (values) => values.map((v) => v.toFixed(1)).join(', ');

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A corpus model seen from the front (looking down -z at `target`, an [x, y] in metres, from
 *  `distance` metres), as a `size`² frame; it must load with no warning. */
async function frontView(src, backend, { size, distance, target }) {
  const { page, logs } = await openFixture(browser, src, backend, size);
  const state = await page.evaluate(({ size, distance, target }) => new Promise((resolve) => {
    const v = document.getElementById('viewer');
    v.style.width = v.style.height = `${size}px`;
    v.setAttribute('camera-target', `${target[0]}m ${target[1]}m 0m`);
    v.setAttribute('camera-orbit', `0deg 0deg ${distance}m`);
    // The resize reaches the canvas with the next frames.
    setTimeout(() => requestAnimationFrame(() => requestAnimationFrame(() => resolve({ state: v.dataset.state, warnings: v.info?.warnings }))), 200);
  }), { size, distance, target });
  assert.equal(state.state, 'ready', logs.join('\n'));
  assert.deepEqual(state.warnings, [], 'the extension is supported, not warned about');
  const img = await pixels(page);
  await page.close();
  assert.equal(img.width, size);
  return img;
}

for (const backend of BACKENDS) {
  test(`${backend}: KHR_materials_specular: factor, colour and their textures do what SpecularTest's rows ask`, async () => {
    const img = await frontView(SPECULAR, backend, { size: SIZE, distance: DISTANCE, target: TARGET });
    const row = (r, at) => [0, 1, 2, 3, 4].map((c) => at(img, r, c));
    const [factorMid, factorRim] = [row(0, middle).map(luma), row(0, rim).map(luma)];
    console.log(`${backend} specularFactor 0…1: centres ${fmt(factorMid)}; rims ${fmt(factorRim)}`);
    // Row 1: no specular at all is black; the factor scales normal and grazing reflection.
    assert.ok(factorMid[0] < 2 && factorRim[0] < 4, `specularFactor 0 is not black: ${fmt([factorMid[0], factorRim[0]])}`);
    assert.ok(increasing(factorMid) && increasing(factorRim), `row 1 does not brighten with the factor: ${fmt(factorMid)} / ${fmt(factorRim)}`);
    // Row 2 (specularTexture's alpha) is row 1.
    row(1, middle).map(luma).forEach((v, c) => assert.ok(Math.abs(v - factorMid[c]) < 3, `specularTexture sphere ${c + 1}: ${v.toFixed(1)} against ${factorMid[c].toFixed(1)}`));
    // Row 3: the colour darkens the centre only; the rim (f90) stays.
    const [colourMid, colourRim] = [row(2, middle).map(luma), row(2, rim).map(luma)];
    console.log(`${backend} specularColorFactor 0…1: centres ${fmt(colourMid)}; rims ${fmt(colourRim)}`);
    assert.ok(increasing(colourMid) && colourMid[0] < 3, `row 3's centres: ${fmt(colourMid)}`);
    assert.ok(Math.min(...colourRim) > 18 && Math.min(...colourRim) > 0.6 * Math.max(...colourRim), `row 3's rims should stay bright: ${fmt(colourRim)}`);
    // Row 4 (specularColorTexture) is row 3.
    row(3, middle).map(luma).forEach((v, c) => assert.ok(Math.abs(v - colourMid[c]) < 3, `specularColorTexture sphere ${c + 1}: ${v.toFixed(1)} against ${colourMid[c].toFixed(1)}`));
    // Rows 5 and 6: yellow at the centre (no blue), white at the rim.
    for (const r of [4, 5]) {
      const [mid, edge] = [middle(img, r, 4), rim(img, r, 4)];
      assert.ok(mid[0] > mid[2] + 15 && mid[1] > mid[2] + 15, `row ${r + 1}'s brightest centre is not yellow: ${fmt(mid)}`);
      assert.ok(edge[2] > 0.6 * edge[0], `row ${r + 1}'s rim is not white: ${fmt(edge)}`);
    }
    // Row 7: colour factors above 1 lift the reflectance up to a mirror's.
    const hdr = row(6, middle).map(luma);
    console.log(`${backend} specularColorFactor 0…25: centres ${fmt(hdr)}`);
    assert.ok(increasing(hdr) && hdr[0] < 3 && hdr[4] > 4 * factorMid[4] && hdr[4] > 80, `row 7: ${fmt(hdr)}`);
  });
}

// ClearCoatTest (KHR_materials_clearcoat): rows of a base layer (left), the same base with a
// clear coat (centre) and the coat alone on black (right). Its README: the centre must show the
// reflections of both outer columns. So on every row the coated sample is brighter than the bare
// base (without the extension the two are the same material), by no more than the coat alone
// reflects. The camera looks from the front at all six rows (y = 5.25 … -5.25).
const CLEARCOAT = '/corpus/gltf/models/ClearCoatTest/glTF/ClearCoatTest.gltf';
const COAT_ROWS = { 'simple coating': 5.25, 'partial coating': 3.15, 'roughness variations': 1.05, 'base normal map': -1.05, 'shared normal map': -3.15, 'coat normal map': -5.25 };

for (const backend of BACKENDS) {
  test(`${backend}: KHR_materials_clearcoat: each row's coated sample shows the base and the coat's reflections`, async () => {
    const size = 384, distance = 16;
    const scale = (size / 2) / (distance * Math.tan(Math.PI / 8));
    const img = await frontView(CLEARCOAT, backend, { size, distance, target: [0, 0] });
    // Mean luma over a sample's square (0.8 units either side of its centre).
    const mean = (x, y) => {
      const [cx, cy, h] = [size / 2 + x * scale, size / 2 - y * scale, 0.8 * scale];
      let sum = 0, n = 0;
      for (let j = Math.round(cy - h); j <= cy + h; j++) {
        for (let i = Math.round(cx - h); i <= cx + h; i++) {
          const k = (j * size + i) * 4;
          sum += luma([img.data[k], img.data[k + 1], img.data[k + 2]]);
          n++;
        }
      }
      return sum / n;
    };
    for (const [row, y] of Object.entries(COAT_ROWS)) {
      const [base, coated, coat] = [-2.1, 0, 2.1].map((x) => mean(x, y));
      console.log(`${backend} ${row}: base ${base.toFixed(1)}, coated ${coated.toFixed(1)}, coat alone ${coat.toFixed(1)}`);
      assert.ok(coated > base + (row === 'partial coating' ? 3 : 6), `${row}: the coat adds nothing (${coated.toFixed(1)} against ${base.toFixed(1)})`);
      assert.ok(coated < base + coat + 10, `${row}: the coat adds more than it reflects alone (${coated.toFixed(1)} > ${base.toFixed(1)} + ${coat.toFixed(1)})`);
    }
  });
}

// KHR_materials_sheen has no corpus model; these spheres are made here. Four black, rough
// dielectric spheres in a row under the default sky: the first without sheen; the second with a
// green sheen (factors, roughness 0.8); the third with a white sheen factor times a blue
// sheenColorTexture; the fourth the second's green sheen with a sheenRoughnessTexture whose alpha
// is 0, which makes the fibres fine (roughness 0.07). Velvet shows its sheen at grazing angles:
// the rim takes the sheen's colour, the centre stays dark, and fine fibres reflect far less at
// the rim than rough ones. Without the extension all four are the first.
const SHEEN_X = [-3.3, -1.1, 1.1, 3.3], SHEEN_SIZE = 400, SHEEN_DISTANCE = 11;

function sheenGlb() {
  const black = { baseColorFactor: [0, 0, 0, 1], metallicFactor: 0, roughnessFactor: 1 };
  const sheen = (ext) => ({ pbrMetallicRoughness: black, extensions: { KHR_materials_sheen: ext } });
  return spheresGlb({
    positions: SHEEN_X,
    extensionsUsed: ['KHR_materials_sheen'],
    images: [png(1, 1, Buffer.from([0, 0, 0, 255, 255])), png(1, 1, Buffer.from([0, 255, 255, 255, 0]))],
    materials: [
      { pbrMetallicRoughness: black },
      sheen({ sheenColorFactor: [0, 1, 0], sheenRoughnessFactor: 0.8 }),
      sheen({ sheenColorFactor: [1, 1, 1], sheenColorTexture: { index: 0 }, sheenRoughnessFactor: 0.8 }),
      sheen({ sheenColorFactor: [0, 1, 0], sheenRoughnessFactor: 0.8, sheenRoughnessTexture: { index: 1 } }),
    ],
  });
}

for (const backend of BACKENDS) {
  test(`${backend}: KHR_materials_sheen: velvet spheres show the sheen's colour at the rim, from factor and texture; fine fibres less`, async () => {
    const { page, logs } = await openFixture(browser, '/corpus/gltf/models/Box/glTF-Binary/Box.glb', backend, SHEEN_SIZE);
    const loaded = await page.evaluate(({ glb, size, distance }) => new Promise((resolve) => {
      const v = document.getElementById('viewer');
      v.style.width = v.style.height = `${size}px`;
      v.addEventListener('load', () => resolve(v.info.warnings.length ? v.info.warnings.join('; ') : 'load'), { once: true });
      v.addEventListener('error', (e) => resolve(e.detail.message), { once: true });
      v.setAttribute('camera-target', '0m 0m 0m');
      v.setAttribute('camera-orbit', `0deg 90deg ${distance}m`);
      v.setAttribute('src', URL.createObjectURL(new Blob([Uint8Array.from(atob(glb), (c) => c.charCodeAt(0))])));
    }).then((what) => new Promise((done) => setTimeout(() => requestAnimationFrame(() => requestAnimationFrame(() => done(what))), 200))),
    { glb: Buffer.from(sheenGlb()).toString('base64'), size: SHEEN_SIZE, distance: SHEEN_DISTANCE });
    assert.equal(loaded, 'load', logs.join('\n'));
    const img = await pixels(page);
    await page.close();
    const scale = (SHEEN_SIZE / 2) / (SHEEN_DISTANCE * Math.tan(Math.PI / 8));
    const radius = scale * SHEEN_DISTANCE / Math.sqrt(SHEEN_DISTANCE ** 2 - 1);
    // Mean RGB over the ring r0..r1 (fractions of the outline) of sphere k.
    const ringOf = (k, r0, r1) => ringAt(img, [SHEEN_SIZE / 2 + SHEEN_X[k] * scale, SHEEN_SIZE / 2], radius, r0, r1);
    const rims = [0, 1, 2, 3].map((k) => ringOf(k, 0.8, 0.95)), centres = [0, 1, 2, 3].map((k) => ringOf(k, 0, 0.4));
    console.log(`${backend} sheen rims ${rims.map(fmt).join(' | ')}; centres ${centres.map(fmt).join(' | ')}`);
    const [bare, green, blue, fine] = rims;
    // The green sheen's rim is green, well above the bare sphere's, and brighter than its centre.
    assert.ok(green[1] > bare[1] + 40 && green[1] > 1.5 * green[0] && green[1] > 1.5 * green[2], `green sheen rim: ${fmt(green)} (bare ${fmt(bare)})`);
    assert.ok(green[1] > centres[1][1] + 25, `the sheen is at the rim, not the centre: ${fmt(green)} / ${fmt(centres[1])}`);
    // The texture's blue (white factor) makes a blue rim.
    assert.ok(blue[2] > bare[2] + 40 && blue[2] > 1.5 * blue[0] && blue[2] > 1.3 * blue[1], `blue sheen texture rim: ${fmt(blue)} (bare ${fmt(bare)})`);
    // Fine fibres (the roughness texture's alpha 0) reflect less at the rim than rough ones.
    assert.ok(fine[1] - bare[1] < 0.5 * (green[1] - bare[1]), `sheenRoughnessTexture: fine fibres ${fmt(fine)} against rough ${fmt(green)}`);
  });
}
