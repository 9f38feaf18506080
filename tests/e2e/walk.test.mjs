// Walk mode (www/features/walk.js, crate/src/camera/walk.rs) on the lakeside in headless
// Chromium, both renderers. The ground is computed here from the lakeside generator's terrain
// (xtask/src/scene_gen.rs: the height field and its 80 × 80 grid of triangles), not read back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, BACKENDS, launch, pixels, eventually } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const f = Math.fround;
function height(x, z) {
  const hills = 3 * Math.sin(x * 0.045) * Math.cos(z * 0.038) + 2 * Math.sin((x + z) * 0.02);
  const basin = -9 * Math.exp(-(x * x + (z * 1.4) * (z * 1.4)) / 2600);
  const pagoda = 11 * Math.exp(-((x - 62) ** 2 + (z + 48) ** 2) / 700);
  const island = 7 * Math.exp(-((x + 8) ** 2 + (z - 4) ** 2) / 60);
  return f(2.5 + hills + basin + pagoda + island);
}
/** The terrain mesh's height at (x, z): the grid cell's triangle (a, d, c) or (a, c, b). */
function ground(x, z) {
  const n = 80, size = 240, step = size / n;
  const gi = Math.floor((x + size / 2) / step), gj = Math.floor((z + size / 2) / step);
  const px = (i) => -size / 2 + (size * i) / n;
  const [x0, z0, x1, z1] = [px(gi), px(gj), px(gi + 1), px(gj + 1)];
  const u = (x - x0) / (x1 - x0), w = (z - z0) / (z1 - z0);
  const a = height(x0, z0), b = height(x1, z0), c = height(x1, z1), d = height(x0, z1);
  // a(0,0) d(0,1) c(1,1) | a c b(1,0): the diagonal a–c splits the cell.
  return w >= u ? a + u * (c - d) + w * (d - a) : a + u * (b - a) + w * (c - b);
}

async function open(backend, hash = '') {
  const page = await browser.newPage({ viewport: { width: 400, height: 300 }, deviceScaleFactor: 1 });
  const logs = [];
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  await page.goto(`${BASE}/fidelity/?backend=${backend}&src=/assets/lakeside.glb&lang=en${hash}`);
  await page.waitForFunction(() => document.getElementById('viewer').dataset.state === 'ready', null, { timeout: 60000 });
  await page.evaluate(() => { window.__warnings = []; document.getElementById('viewer').addEventListener('warning', (e) => window.__warnings.push(e.detail.message)); });
  return { page, logs };
}
const walkPose = (page) => page.evaluate(() => document.getElementById('viewer').getWalkPose());

/** Holds `key` until the feet are `metres` from `from` (`eventually`, not a fixed hold), then
 *  lets go and lets the walker stop. */
async function hold(page, key, from, metres) {
  await page.keyboard.down(key);
  await eventually(page, ([f, m]) => {
    const p = document.getElementById('viewer').getWalkPose();
    return Math.hypot(p.feet[0] - f[0], p.feet[2] - f[2]) > m;
  }, [from.feet, metres]);
  await page.keyboard.up(key);
  await page.waitForTimeout(400);
}

function assertEyeHeight(p, what) {
  const g = ground(p.feet[0], p.feet[2]);
  assert.ok(Math.abs(p.eye[1] - (g + 1.6)) < 0.05, `${what}: eye at ${p.eye[1].toFixed(3)} over ground ${g.toFixed(3)} at (${p.feet[0].toFixed(2)}, ${p.feet[2].toFixed(2)})`);
}

for (const backend of BACKENDS) {
  test(`walk (${backend}): the Walk button lands at eye height on the ground; W walks, a drag looks; Orbit flies back`, async () => {
    const { page, logs } = await open(backend);
    // Look at dry ground on the lake's west shore (the framed view looks at the lake).
    await page.evaluate(() => document.getElementById('viewer').setAttribute('camera-target', '-40m 5m 60m'));
    await page.waitForTimeout(100);
    const orbit = await page.evaluate(() => document.getElementById('viewer').getCameraOrbit());
    const before = await pixels(page);
    await page.locator('#viewer .walk-button').click();
    assert.equal(await page.evaluate(() => document.getElementById('viewer').dataset.cameraMode), 'walk');
    await page.waitForFunction(() => document.getElementById('viewer').getWalkPose(), null, { timeout: 10000 });
    const start = await walkPose(page);
    assertEyeHeight(start, 'landed');
    // The view is now the walker's: most of the picture has changed.
    const after = await pixels(page);
    let changed = 0;
    for (let i = 0; i < after.data.length; i += 4) if (Math.abs(after.data[i] - before.data[i]) + Math.abs(after.data[i + 1] - before.data[i + 1]) + Math.abs(after.data[i + 2] - before.data[i + 2]) > 60) changed++;
    assert.ok(changed > 0.3 * (after.data.length / 4), `only ${changed} pixels changed`);
    // W: forward, the way the walker faces, still at eye height.
    await page.locator('#viewer').focus();
    await hold(page, 'KeyW', start, 0.5);
    const walked = await walkPose(page);
    const [dx, dz] = [walked.feet[0] - start.feet[0], walked.feet[2] - start.feet[2]];
    const dist = Math.hypot(dx, dz), yaw = (start.yaw * Math.PI) / 180;
    assert.ok(dist > 0.3 && dist < 3, `walked ${dist.toFixed(2)} m`);
    assert.ok((dx * -Math.sin(yaw) + dz * -Math.cos(yaw)) / dist > 0.9, 'walked the way it faced');
    assertEyeHeight(walked, 'after walking');
    // A drag to the right turns the view to the left (the world follows the finger).
    await page.mouse.move(200, 150); await page.mouse.down(); await page.mouse.move(260, 150, { steps: 6 }); await page.mouse.up();
    const turned = await walkPose(page);
    assert.ok(turned.yaw - walked.yaw > 5, `yaw ${walked.yaw} → ${turned.yaw}`);
    // Back to orbit: flown to the view that was left.
    await page.locator('#viewer .walk-button').click();
    assert.equal(await page.evaluate(() => document.getElementById('viewer').dataset.cameraMode), 'orbit');
    await page.waitForFunction((o) => { const c = document.getElementById('viewer').getCameraOrbit(); return Math.abs(c.distance - o.distance) < 1e-3 && c.target.every((t, i) => Math.abs(t - o.target[i]) < 1e-3); }, orbit, { timeout: 10000 });
    assert.deepEqual(logs, []);
    await page.close();
  });
}

test('walk: a shared #walk= link stands where the walker stood; a wrong camera-mode is said; no model, no Walk button', async () => {
  let { page, logs } = await open('webgl2');
  await page.evaluate(() => document.getElementById('viewer').setAttribute('camera-mode', 'walk'));
  await page.waitForFunction(() => document.getElementById('viewer').getWalkPose(), null, { timeout: 10000 });
  await page.locator('#viewer').focus();
  // The arrow keys walk (they do not orbit while walking).
  const orbitBefore = await page.evaluate(() => document.getElementById('viewer').getCameraOrbit());
  const from = await walkPose(page);
  await hold(page, 'ArrowUp', from, 0.3);
  const here = await walkPose(page);
  assert.ok(Math.hypot(here.feet[0] - from.feet[0], here.feet[2] - from.feet[2]) > 0.2, 'ArrowUp walked');
  const orbitAfter = await page.evaluate(() => document.getElementById('viewer').getCameraOrbit());
  assert.ok(['yaw', 'pitch', 'distance'].every((k) => Math.abs(orbitAfter[k] - orbitBefore[k]) < 1e-6), `the orbit camera stayed: ${JSON.stringify([orbitBefore, orbitAfter])}`);
  const url = await page.evaluate(() => document.getElementById('viewer').shareUrl());
  assert.match(new URL(url).hash, /^#walk=/);
  await page.close();
  ({ page } = await open('webgl2', new URL(url).hash));
  await page.waitForFunction(() => document.getElementById('viewer').getWalkPose(), null, { timeout: 10000 });
  const there = await walkPose(page);
  assert.ok(there.feet.every((v, i) => Math.abs(v - here.feet[i]) < 0.05) && Math.abs(there.yaw - here.yaw) < 0.2, `${JSON.stringify(here)} vs ${JSON.stringify(there)}`);
  assert.equal(await page.evaluate(() => document.getElementById('viewer').dataset.cameraMode), 'walk');
  // A wrong mode: said, and orbiting.
  await page.evaluate(() => document.getElementById('viewer').setAttribute('camera-mode', 'fly'));
  await page.waitForFunction(() => window.__warnings.some((w) => w.includes('camera-mode')));
  assert.equal(await page.evaluate(() => document.getElementById('viewer').dataset.cameraMode), 'orbit');
  await page.close();
  // POIs alone: nothing to walk in, so no Walk button.
  page = await browser.newPage({ viewport: { width: 300, height: 300 } });
  await page.goto(`${BASE}/fidelity/?backend=webgl2&pois=/assets/lakeside-pois.geojson`);
  await page.waitForFunction(() => document.getElementById('viewer').dataset.state === 'ready');
  assert.equal(await page.evaluate(() => document.getElementById('viewer').shadowRoot.querySelector('.walk-button').hidden), true);
  assert.deepEqual(logs, []);
  await page.close();
});

/** A phone held upright, its camera facing `heading` (see ar.test.mjs): Rz(-heading)·Rx(90°). */
function upright(heading) {
  const a = (-heading * Math.PI) / 180 / 2, s = Math.SQRT1_2;
  return { x: Math.cos(a) * s, y: Math.sin(a) * s, z: Math.sin(a) * s, w: Math.cos(a) * s };
}

test('gyro look (webgl2): walking, turning the phone right turns the view right; off, it does not', async () => {
  const context = await browser.newContext({ viewport: { width: 400, height: 300 }, deviceScaleFactor: 1, permissions: ['accelerometer', 'gyroscope', 'magnetometer'] });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  const types = ['relative-orientation', 'absolute-orientation'];
  for (const type of types) await cdp.send('Emulation.setSensorOverrideEnabled', { enabled: true, type });
  const face = async (heading) => { for (const type of types) await cdp.send('Emulation.setSensorOverrideReadings', { type, reading: { quaternion: upright(heading) } }); await page.waitForTimeout(400); };
  await face(0);
  await page.goto(`${BASE}/fidelity/?backend=webgl2&src=/assets/lakeside.glb&lang=en`);
  await page.waitForFunction(() => document.getElementById('viewer').dataset.state === 'ready', null, { timeout: 60000 });
  await page.evaluate(() => document.getElementById('viewer').setAttribute('camera-target', '-40m 5m 60m'));
  assert.equal(await page.locator('#viewer .gyro-button').isVisible(), false, 'no gyro button while orbiting');
  await page.locator('#viewer .walk-button').click();
  await page.waitForFunction(() => document.getElementById('viewer').getWalkPose(), null, { timeout: 10000 });
  const y0 = (await walkPose(page)).yaw;
  await page.locator('#viewer .gyro-button').click();
  await face(0);
  let p = await walkPose(page);
  assert.ok(Math.abs(p.yaw - y0) < 0.5 && Math.abs(p.pitch) < 0.5, `gyro on, phone level: ${JSON.stringify(p)}`);
  const turn = (a, b) => ((a - b) % 360 + 540) % 360 - 180;
  await face(90);
  p = await walkPose(page);
  assert.ok(Math.abs(turn(p.yaw, y0) + 90) < 1, `a quarter turn right: yaw ${y0} → ${p.yaw}`);
  await page.locator('#viewer .gyro-button').click();
  assert.equal(await page.locator('#viewer .gyro-button').getAttribute('aria-pressed'), 'false');
  await face(180);
  const q = await walkPose(page);
  assert.ok(Math.abs(turn(q.yaw, p.yaw)) < 0.5, 'off: the phone no longer turns the view');
  await context.close();
});
