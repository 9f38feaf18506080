// Fidelity suite: Khronos sample models from ../shared/corpus/gltf (served under /corpus/),
// rendered at 256x256 on both backends and judged on read-back pixels. Expected colours and
// places come from each model's documented intent (its README and reference screenshot).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openFixture, pixels, at, BACKENDS, changedPixels } from './browser.mjs';

const model = (p) => `/corpus/gltf/models/${p}`;
const near = (px, rgb, tol = 24) => rgb.every((c, i) => Math.abs(px[i] - c) <= tol);
const isRed = (p) => p[0] > 150 && p[1] < 80 && p[2] < 80;
const isGreen = (p) => p[1] > 150 && p[0] < 100 && p[2] < 100;
const isBlue = (p) => p[2] > 120 && p[0] < 80 && p[1] < 80;
const isSky = (p) => p[2] > p[0] + 20;

/** Fraction of pixels in the square of half-size `r` (pixels) around (x, y) that satisfy `pred`. */
function regionFraction(img, x, y, r, pred) {
  let n = 0, hit = 0;
  for (let j = y - r; j <= y + r; j++) for (let i = x - r; i <= x + r; i++) {
    const k = (j * img.width + i) * 4;
    n++;
    if (pred(img.data.slice(k, k + 4))) hit++;
  }
  return hit / n;
}

function fractionWhere(img, pred) {
  let hit = 0;
  for (let k = 0; k < img.data.length; k += 4) if (pred(img.data.slice(k, k + 4))) hit++;
  return hit / (img.width * img.height);
}

/** Connected groups (4-neighbour) of pixels for which `pred(k)` holds (k: pixel index), of at
 *  least `min` pixels. */
function blobs(img, pred, min = 4) {
  const { width: w, height: h } = img;
  const seen = new Uint8Array(w * h);
  let count = 0;
  for (let start = 0; start < w * h; start++) {
    if (seen[start] || !pred(start)) continue;
    let size = 0;
    const stack = [start];
    seen[start] = 1;
    while (stack.length) {
      const k = stack.pop();
      size++;
      const x = k % w, y = (k - x) / w;
      for (const [i, j] of [[x + 1, y], [x - 1, y], [x, y + 1], [x, y - 1]]) {
        const q = j * w + i;
        if (i < 0 || j < 0 || i >= w || j >= h || seen[q] || !pred(q)) continue;
        seen[q] = 1;
        stack.push(q);
      }
    }
    if (size >= min) count++;
  }
  return count;
}

const scenarios = [
  ['SimpleInstancing: 125 instances of one cube, not one (EXT_mesh_gpu_instancing)', model('SimpleInstancing/glTF-Binary/SimpleInstancing.glb'), (img) => {
    // The background changes only from row to row (sky, horizon, ground); a pixel unlike its row's
    // first one is a cube. Seen through a grid of cubes, the background shows in many separate
    // gaps; one cube, or one merged block, leaves none.
    const cube = (k) => {
      const row = k - (k % img.width);
      return [0, 1, 2].some((c) => Math.abs(img.data[k * 4 + c] - img.data[row * 4 + c]) > 12);
    };
    const gaps = blobs(img, (k) => !cube(k)) - 1; // less the background around the grid
    console.log(`SimpleInstancing: ${gaps} gaps between the cubes`);
    assert.ok(gaps >= 10, `${gaps} gaps between the cubes`);
    let covered = 0;
    for (let k = 0; k < img.width * img.height; k++) if (cube(k)) covered++;
    covered /= img.width * img.height;
    assert.ok(covered > 0.1 && covered < 0.8, `cubes cover ${covered}`);
  }],
  ['Box: red silhouette on the sky', model('Box/glTF-Binary/Box.glb'), (img) => {
    assert.ok(isRed(at(img, 0.5, 0.5)), `centre ${at(img, 0.5, 0.5)}`);
    assert.ok(isSky(at(img, 0.05, 0.05)), `corner ${at(img, 0.05, 0.05)}`);
    const red = fractionWhere(img, isRed);
    assert.ok(red > 0.2 && red < 0.6, `red covers ${red}`);
  }],
  ['BoxTextured: the texture, not a flat colour', model('BoxTextured/glTF/BoxTextured.gltf'), (img) => {
    const blue = fractionWhere(img, (p) => p[2] > 180 && p[0] < 120);
    const green = fractionWhere(img, (p) => p[1] > 90 && p[0] < 110 && p[2] < 80);
    const white = fractionWhere(img, (p) => p[0] > 200 && p[1] > 200 && p[2] > 200);
    assert.ok(blue > 0.05 && green > 0.03 && white > 0.02, `blue ${blue} green ${green} white ${white}`);
  }],
  ['TextureCoordinateTest: UV origin at the top left', model('TextureCoordinateTest/glTF/TextureCoordinateTest.gltf'), (img) => {
    assert.ok(near(at(img, 80 / 256, 90 / 256), [201, 206, 3], 40), 'top left is yellow');
    assert.ok(near(at(img, 175 / 256, 90 / 256), [201, 70, 3], 40), 'top right is orange');
    assert.ok(near(at(img, 80 / 256, 185 / 256), [3, 99, 217], 40), 'bottom left is blue');
    assert.ok(near(at(img, 175 / 256, 185 / 256), [3, 206, 4], 40), 'bottom right is green');
  }],
  ['UnlitTest: colours exactly as authored', model('UnlitTest/glTF/UnlitTest.gltf'), (img) => {
    assert.ok(near(at(img, 80 / 256, 0.5), [255, 128, 0], 3), `orange ${at(img, 80 / 256, 0.5)}`);
    assert.ok(near(at(img, 180 / 256, 0.5), [0, 128, 255], 3), `blue ${at(img, 180 / 256, 0.5)}`);
  }],
  ['VertexColorTest: per-vertex red, green and blue', model('VertexColorTest/glTF/VertexColorTest.gltf'), (img) => {
    for (const [x, pred, name] of [[87, isRed, 'red'], [130, isGreen, 'green'], [173, isBlue, 'blue']]) {
      for (const y of [103, 160]) {
        const f = regionFraction(img, x, y, 10, pred);
        assert.ok(f > 0.15, `${name} check at ${x},${y}: ${f}`);
      }
    }
  }],
  ['TextureTransformTest: the rotated arrow reaches the green marker', model('TextureTransformTest/glTF/TextureTransformTest.gltf'), (img) => {
    // Rotation quad (bottom left): the arrow's tip is dark where the reference points.
    const tip = regionFraction(img, 62, 168, 3, (p) => p[0] + p[1] + p[2] < 150);
    assert.ok(tip > 0.2, `arrow tip ${tip}`);
    // With the rotation applied the wrong way the arrow points right, over this light spot.
    assert.ok(regionFraction(img, 75, 141, 2, (p) => p[0] > 150) > 0.8, 'no arrow along the wrong direction');
  }],
  ['OrientationTest: node rotations point each arrow at its target', model('OrientationTest/glTF-Binary/OrientationTest.glb'), (img) => {
    // Seen from the front: the blue arrow (a quaternion about Z) and the green one on top (about Y)
    // each point at the target of their colour, so arrow and target lie on one line: the colour's
    // pixels are strongly elongated. A transposed rotation turns the arrow away, into a V shape.
    const elongation = (pred) => {
      const pts = [];
      for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width; x++) {
        const k = (y * img.width + x) * 4;
        if (pred(img.data.slice(k, k + 4))) pts.push([x, y]);
      }
      assert.ok(pts.length > 100, `${pts.length} pixels`);
      const n = pts.length, mx = pts.reduce((s, p) => s + p[0], 0) / n, my = pts.reduce((s, p) => s + p[1], 0) / n;
      let xx = 0, yy = 0, xy = 0;
      for (const [x, y] of pts) { xx += (x - mx) ** 2 / n; yy += (y - my) ** 2 / n; xy += (x - mx) * (y - my) / n; }
      const half = (xx + yy) / 2, root = Math.sqrt(half * half - (xx * yy - xy * xy));
      return (half + root) / (half - root); // ratio of the principal variances
    };
    const blue = elongation((p) => p[2] > 150 && p[0] < 70 && p[1] < 70);
    const green = elongation((p) => p[1] > 150 && p[0] < 90 && p[2] < 90);
    assert.ok(blue > 12 && green > 12, `elongation blue ${blue}, green ${green}`);
  }],
  ['AlphaBlendModeTest: blended panels let the background through', model('AlphaBlendModeTest/glTF/AlphaBlendModeTest.gltf'), (img) => {
    // The opaque panel's green is solid; blended ones mix with the marble behind (less saturated).
    const sat = (p) => Math.max(...p.slice(0, 3)) - Math.min(...p.slice(0, 3));
    assert.ok(sat(at(img, 60 / 256, 130 / 256)) > sat(at(img, 95 / 256, 130 / 256)));
  }],
  ['SimpleSparseAccessor: sparse values lift the peaks', model('SimpleSparseAccessor/glTF/SimpleSparseAccessor.gltf'), (img) => {
    const geometry = (p) => Math.abs(p[0] - p[2]) < 25 && p[0] > 120 && p[0] < 200;
    // Peaks rise well above the base strip: geometry in the upper part of the image.
    assert.ok(regionFraction(img, 230, 110, 8, geometry) > 0.5 || fractionWhere(img, geometry) > 0.08);
  }],
];

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

for (const backend of BACKENDS) {
  for (const [name, src, check] of scenarios) {
    test(`${backend}: ${name}`, async () => {
      const { page, logs } = await openFixture(browser, src, backend);
      try {
        const state = await page.evaluate(() => document.getElementById('viewer').dataset.state);
        assert.equal(state, 'ready', logs.join('\n'));
        assert.equal(await page.evaluate(() => document.getElementById('viewer').activeBackend), backend);
        check(await pixels(page));
      } finally {
        await page.close();
      }
    });
  }

  test(`${backend}: SimpleInstancing's 125 cubes are one instanced draw, not 125`, async () => {
    const { page, logs } = await openFixture(browser, model('SimpleInstancing/glTF-Binary/SimpleInstancing.glb'), backend);
    try {
      assert.equal(await page.evaluate(() => document.getElementById('viewer').dataset.state), 'ready', logs.join('\n'));
      const img = await pixels(page);
      const stats = await page.evaluate(() => customElements.get('scenic-viewer').gpuStats());
      assert.equal(stats.draws, 1, `draw calls in the last frame: ${stats.draws}`);
      // And each copy where its instance puts it: the grid's gaps, as the scenario checks.
      scenarios.find(([name]) => name.startsWith('SimpleInstancing'))[2](img);
    } finally {
      await page.close();
    }
  });

  test(`${backend}: GLB, embedded and external Box render the same`, async () => {
    const images = [];
    for (const v of ['glTF-Binary/Box.glb', 'glTF-Embedded/Box.gltf', 'glTF/Box.gltf']) {
      const { page } = await openFixture(browser, model(`Box/${v}`), backend);
      images.push(await pixels(page));
      await page.close();
    }
    for (const img of images.slice(1)) {
      let diff = 0;
      for (let k = 0; k < img.data.length; k++) diff = Math.max(diff, Math.abs(img.data[k] - images[0].data[k]));
      assert.ok(diff <= 2, `max channel difference ${diff}`);
    }
  });

  test(`${backend}: MultipleScenes shows the default scene, and another on request`, async () => {
    const { page } = await openFixture(browser, model('MultipleScenes/glTF/MultipleScenes.gltf'), backend);
    const info = await page.evaluate(() => document.getElementById('viewer').info);
    assert.equal(info.scenes.length, 2);
    assert.equal(info.scene, 1);
    const first = await pixels(page);
    await page.evaluate(() => document.getElementById('viewer').setScene(0));
    const second = await pixels(page);
    const changed = changedPixels(first, second, 30);
    assert.ok(changed > 500, `${changed} pixels changed`);
    await page.close();
  });

  test(`${backend}: a model low in a level view is drawn, not covered by the ground below the horizon`, async () => {
    // The sky's band from 15° under the horizon to the nadir once reached a direction square to
    // the view, whose depth fell short of the far plane: the ground colour covered geometry there.
    const { page } = await openFixture(browser, model('Box/glTF-Binary/Box.glb'), backend);
    const distance = 8, below = 17.5 * Math.PI / 180;
    const img = await page.evaluate(({ distance, lift }) => new Promise((resolve) => {
      const v = document.getElementById('viewer');
      v.setAttribute('camera-target', `0m ${lift}m 0m`);
      v.setAttribute('camera-orbit', `0deg 0deg ${distance}m`);
      requestAnimationFrame(() => requestAnimationFrame(resolve));
    }), { distance, lift: distance * Math.tan(below) }).then(() => pixels(page));
    await page.close();
    // The box's centre, 17.5° under the middle of a 45° view; its front face is 38 pixels tall.
    const y = 0.5 + Math.tan(below) / (2 * Math.tan(Math.PI / 8));
    for (const dy of [-0.05, 0, 0.05]) assert.ok(isRed(at(img, 0.5, y + dy)), `at ${(y + dy).toFixed(2)} of the height: ${at(img, 0.5, y + dy)}`);
  });
}
