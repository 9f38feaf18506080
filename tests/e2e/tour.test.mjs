// Guided tours and deep links (www/features/tour.js, links.js; crate/src/tour,
// crate/src/camera/flight.rs) in headless Chromium on both renderers. Where the camera should
// land is read here from the lakeside's POI and tour files, not from the viewer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BASE, BACKENDS, launch } from './browser.mjs';

const asset = (name) => JSON.parse(readFileSync(fileURLToPath(new URL(`../../assets/${name}`, import.meta.url))));
const POIS = Object.fromEntries(asset('lakeside-pois.geojson').features.map((f) => [f.id, f.properties]));
const STOPS = asset('lakeside-tour.jsonld').itinerary.itemListElement.map((li) => ({ poi: li.item['@id'], heading: li.heading, pitch: li.pitch, distance: li.distance, en: li.description.find((d) => d['@language'] === 'en')['@value'] }));
const TOUR_ID = 'lakeside-classic';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A WAV of `seconds` of a quiet tone: the stop's narration. */
function wav(seconds) {
  const rate = 8000, n = Math.round(rate * seconds);
  const b = Buffer.alloc(44 + n * 2);
  b.write('RIFF', 0); b.writeUInt32LE(36 + n * 2, 4); b.write('WAVEfmt ', 8); b.writeUInt32LE(16, 16); b.writeUInt16LE(1, 20); b.writeUInt16LE(1, 22);
  b.writeUInt32LE(rate, 24); b.writeUInt32LE(rate * 2, 28); b.writeUInt16LE(2, 32); b.writeUInt16LE(16, 34); b.write('data', 36); b.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(2000 * Math.sin((2 * Math.PI * 440 * i) / rate)), 44 + i * 2);
  return b;
}

async function open({ backend, lang = 'en', tour = '/assets/lakeside-tour.jsonld', hash = '', size = 480 } = {}) {
  const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
  const logs = [];
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') logs.push(m.text()); });
  await page.route('**/narration/*.wav', (route) => route.fulfill({ status: 200, contentType: 'audio/wav', body: wav(Number(new URL(route.request().url()).pathname.match(/([\d.]+)\.wav$/)[1])) }));
  await page.addInitScript(() => {
    window.__events = [];
    window.__audio = [];
    // What the narration does, as the visitor would hear it.
    for (const name of ['play', 'pause', 'ended']) {
      addEventListener(name, (e) => { if (e.target instanceof HTMLMediaElement) window.__audio.push([name, e.target.currentSrc]); }, true);
    }
    const play = HTMLMediaElement.prototype.play;
    HTMLMediaElement.prototype.play = function () {
      // Audio made with `new Audio()` is in no document: its events do not reach window, so listen on it.
      if (!this.__watched) { this.__watched = true; for (const n of ['play', 'pause', 'ended']) this.addEventListener(n, () => window.__audio.push([n, this.currentSrc])); }
      return play.call(this);
    };
  });
  const q = new URLSearchParams({ backend, lang, size: String(size), src: '/assets/lakeside.glb', pois: '/assets/lakeside-pois.geojson' });
  if (tour) q.set('tour', tour);
  await page.goto(`${BASE}/fidelity/?${q}${hash}`);
  await page.evaluate(() => {
    const v = document.getElementById('viewer');
    for (const e of ['tour-load', 'tour-error', 'tour-stop', 'tour-end', 'warning', 'poi-select']) v.addEventListener(e, (ev) => window.__events.push([e, ev.detail]));
  });
  await page.waitForFunction(() => document.getElementById('viewer').dataset.state === 'ready' && document.getElementById('viewer').poiList.length > 0, null, { timeout: 60000 });
  if (tour) await page.waitForFunction(() => document.getElementById('viewer').tourInfo || window.__events.some(([e]) => e === 'tour-error'), null, { timeout: 20000 });
  return { page, logs };
}

const panel = (page) => page.evaluate(() => {
  const p = document.getElementById('viewer').shadowRoot.querySelector('.tour');
  return p && { hidden: p.hidden, count: p.querySelector('.count').textContent, title: p.querySelector('h2').textContent, text: p.querySelector('p').textContent, name: p.querySelector('.name').textContent };
});
const events = (page, name) => page.evaluate((n) => window.__events.filter(([e]) => e === n).map(([, d]) => d), name);
const waitStops = (page, n) => page.waitForFunction((k) => window.__events.filter(([e]) => e === 'tour-stop').length >= k, n, { timeout: 20000 });

/** The camera is where stop `i` says: on its POI, from its heading, pitch and distance. */
async function assertAt(page, i) {
  const o = await page.evaluate(() => document.getElementById('viewer').getCameraOrbit());
  const s = STOPS[i];
  const p = POIS[s.poi].position;
  const off = Math.hypot(o.target[0] - p[0], o.target[1] - p[1], o.target[2] - p[2]);
  assert.ok(off < 0.05, `stop ${i + 1} (${s.poi}): the camera looks at ${o.target}, ${off.toFixed(2)} m from ${p}`);
  const dYaw = ((o.yaw - s.heading) % 360 + 540) % 360 - 180;
  assert.ok(Math.abs(dYaw) < 0.1 && Math.abs(o.pitch - s.pitch) < 0.1 && Math.abs(o.distance - s.distance) < 0.05, `stop ${i + 1}: orbit ${JSON.stringify(o)} against ${JSON.stringify(s)}`);
  // The stop's label is on screen, near the middle, not hidden behind the scene.
  const label = await page.evaluate((id) => {
    const v = document.getElementById('viewer');
    const b = v.shadowRoot.querySelector(`.poi[data-id="${id}"]`);
    const r = b.getBoundingClientRect(), h = v.getBoundingClientRect();
    return { hidden: b.hidden, x: (r.left + r.width / 2 - h.left) / h.width, y: (r.bottom - h.top) / h.height };
  }, s.poi);
  assert.ok(!label.hidden && Math.abs(label.x - 0.5) < 0.2 && Math.abs(label.y - 0.5) < 0.25, `stop ${i + 1}: ${s.poi}'s label ${JSON.stringify(label)}`);
}

for (const backend of BACKENDS) {
  test(`tour (${backend}): the toolbar button starts it; each stop flies there, says where and what; next, previous, Esc`, async () => {
    const { page, logs } = await open({ backend });
    assert.deepEqual((await events(page, 'tour-load'))[0], { id: TOUR_ID, name: { zh: '环湖经典游', en: 'The classic lakeside walk' }, description: { zh: '六站，约一小时。', en: 'Six stops, about an hour.' }, stops: 6, skipped: [] });
    const before = await page.evaluate(() => document.getElementById('viewer').getCameraOrbit());
    await page.locator('#viewer .tour-button').click();
    assert.equal(await page.evaluate(() => document.getElementById('viewer').dataset.tourStop), '1');
    // Under way: the camera is between the framed view and the gate.
    await page.waitForTimeout(300);
    const mid = await page.evaluate(() => document.getElementById('viewer').getCameraOrbit());
    assert.notDeepEqual(mid.target, before.target, 'the flight has begun');
    await waitStops(page, 1);
    assert.deepEqual((await events(page, 'tour-stop'))[0], { id: TOUR_ID, index: 0, stop: 1, poi: 'gate', name: 'South Gate' });
    await assertAt(page, 0);
    assert.deepEqual(await panel(page), { hidden: false, count: 'Stop 1 of 6', title: 'South Gate', text: STOPS[0].en, name: 'The classic lakeside walk' });
    // While a stop speaks, its POI's card stays out of the way.
    await page.locator('#viewer .tour .next').click();
    await waitStops(page, 2);
    await assertAt(page, 1);
    assert.equal((await panel(page)).title, 'Lake Museum');
    // Keyboard: ← goes back (the orbit keys are not moved by it), Esc ends.
    await page.locator('#viewer .tour').press('ArrowLeft');
    await waitStops(page, 3);
    await assertAt(page, 0);
    await page.locator('#viewer .tour').press('Escape');
    assert.deepEqual(await events(page, 'tour-end'), [{ id: TOUR_ID, index: 0, completed: false }]);
    assert.equal((await panel(page)).hidden, true);
    assert.equal(await page.evaluate(() => 'tourStop' in document.getElementById('viewer').dataset), false);
    assert.deepEqual(logs, []);
    await page.close();
  });

  test(`tour (${backend}): autoplay plays each stop's audio, moves on when it ends, pauses and resumes, then ends`, async () => {
    const { page, logs } = await open({ backend, tour: '' });
    const info = await page.evaluate((base) => document.getElementById('viewer').setTour({ id: 'short', name: { en: 'Short' }, stops: [
      { poi: 'pagoda', text: { en: 'The pagoda.' }, audio: `${base}/narration/3.wav`, duration: 0.4 },
      { poi: 'bridge', text: { en: 'The bridge.' }, audio: `${base}/narration/0.5.wav`, duration: 0.4 },
    ] }), BASE);
    assert.equal(info.stops, 2);
    await page.locator('#viewer .tour-button').click();
    await waitStops(page, 1);
    await page.waitForFunction(() => window.__audio.some(([e, src]) => e === 'play' && src.endsWith('/3.wav')), null, { timeout: 5000 });
    // Pause mid-narration: the audio stops and the tour waits past the audio's length.
    await page.locator('#viewer .tour .toggle').click();
    assert.equal(await page.evaluate(() => document.getElementById('viewer').dataset.tourState), 'paused');
    // The media element's 'pause' event is queued as a task, so it is awaited, not read at once.
    await page.waitForFunction(() => window.__audio.some(([e]) => e === 'pause'), null, { timeout: 3000 });
    await page.waitForTimeout(1800);
    assert.equal((await events(page, 'tour-stop')).length, 1, 'paused, the tour stayed at stop 1');
    await page.locator('#viewer .tour .toggle').click();
    // Resumed: the rest of the narration, then stop 2 by itself, its audio, and the end.
    await page.waitForFunction(() => window.__events.some(([e]) => e === 'tour-end'), null, { timeout: 15000 });
    const stops = await events(page, 'tour-stop');
    assert.deepEqual(stops.map((s) => s.poi), ['pagoda', 'bridge']);
    const audio = await page.evaluate(() => window.__audio.filter(([e]) => e !== 'pause').map(([e, s]) => `${e} ${s.split('/').pop()}`));
    assert.deepEqual(audio, ['play 3.wav', 'play 3.wav', 'ended 3.wav', 'play 0.5.wav', 'ended 0.5.wav']);
    assert.deepEqual(await events(page, 'tour-end'), [{ id: 'short', index: 1, completed: true }]);
    assert.deepEqual(logs, []);
    await page.close();
  });
}

test('deep links: #tour=…&stop=N opens that stop, #poi= its card, #view= the orbit; shareUrl() writes each back', async () => {
  let { page, logs } = await open({ backend: 'webgl2', hash: `#tour=${TOUR_ID}&stop=3` });
  await waitStops(page, 1);
  await assertAt(page, 2);
  assert.deepEqual({ ...(await panel(page)), text: undefined }, { hidden: false, count: 'Stop 3 of 6', title: 'Jade Belt Bridge', text: undefined, name: 'The classic lakeside walk' });
  assert.equal(await page.evaluate(() => document.getElementById('viewer').dataset.tourState), 'paused', 'a shared stop waits for the visitor');
  const tourUrl = new URL(await page.evaluate(() => document.getElementById('viewer').shareUrl()));
  assert.deepEqual([tourUrl.hash, tourUrl.searchParams.get('src')], [`#tour=${TOUR_ID}&stop=3`, '/assets/lakeside.glb']);
  await page.close();

  ({ page, logs } = await open({ backend: 'webgl2', tour: '', hash: '#poi=pavilion&mine=1' }));
  await page.waitForFunction(() => window.__events.some(([e]) => e === 'poi-select'));
  // A page without a tour fetches no tour code.
  assert.equal(await page.evaluate(() => performance.getEntriesByType('resource').some((r) => r.name.endsWith('/features/tour.js'))), false);
  assert.equal(await page.evaluate(() => document.getElementById('viewer').shadowRoot.querySelector('.card h2').textContent), 'Island Pavilion');
  const poiHash = new URL(await page.evaluate(() => document.getElementById('viewer').shareUrl())).hash;
  assert.deepEqual(Object.fromEntries(new URLSearchParams(poiHash.slice(1))), { poi: 'pavilion', mine: '1' }, "the page's own hash keys are kept");
  // A view: turn the camera somewhere, share it, open the link in a new page.
  await page.evaluate(() => document.getElementById('viewer').closeCard());
  const pose = { yaw: 123.4, pitch: 31.5, distance: 87.25, target: [10.5, 2.25, -20.125] };
  const shared = await page.evaluate(async (p) => {
    const v = document.getElementById('viewer');
    // The visitor's own view, as a drag and zoom would leave it.
    v.cameraOrbit = `${p.yaw}deg ${p.pitch}deg ${p.distance}m`;
    v.cameraTarget = `${p.target.map((t) => `${t}m`).join(' ')}`;
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return v.shareUrl();
  }, pose);
  assert.match(new URL(shared).hash, /view=/);
  await page.close();
  const page2 = await browser.newPage({ viewport: { width: 480, height: 480 } });
  await page2.goto(shared);
  await page2.waitForFunction(() => document.getElementById('viewer').dataset.state === 'ready', null, { timeout: 60000 });
  const o = await page2.evaluate(() => document.getElementById('viewer').getCameraOrbit());
  assert.ok(Math.abs(o.yaw - pose.yaw) < 0.02 && Math.abs(o.pitch - pose.pitch) < 0.02 && Math.abs(o.distance - pose.distance) < 0.01 && o.target.every((t, k) => Math.abs(t - pose.target[k]) < 0.01), JSON.stringify(o));
  await page2.close();
  assert.deepEqual(logs, []);
});

test('bad tours: a 404, broken JSON, a stop whose POI is missing and hostile text are said, and the viewer stays usable', async () => {
  // A tour that is not there.
  let { page } = await open({ backend: 'webgl2', tour: '/assets/no-such-tour.json' });
  const [err] = await events(page, 'tour-error');
  assert.match(err.message, /Could not load the tour: .*404/);
  assert.match(await page.evaluate(() => document.getElementById('viewer').shadowRoot.querySelector('.notice').textContent), /404/);
  assert.equal(await page.evaluate(() => document.getElementById('viewer').shadowRoot.querySelector('.tour-button').hidden), true);
  // Broken JSON from the page: the promise rejects with the reason.
  const bad = await page.evaluate(() => document.getElementById('viewer').setTour({ nonsense: true }).then(() => 'resolved', (e) => e.message));
  assert.match(bad, /not a tour/);
  // Hostile names stay text; a missing POI is said in the panel and the tour goes on.
  const hostile = '<img src=x onerror="window.__pwned=1">';
  await page.evaluate((h) => document.getElementById('viewer').setTour({ id: 'h', name: { en: h }, stops: [{ poi: 'nowhere', name: { en: h } }, { poi: 'pagoda', text: { en: h } }] }), hostile);
  await page.evaluate(() => document.getElementById('viewer').startTour(0, { play: false }));
  await waitStops(page, 1);
  const p = await panel(page);
  assert.equal(p.title, hostile);
  assert.match(p.text, /stop 1: no POI with id "nowhere"/);
  await page.locator('#viewer .tour .next').click();
  await waitStops(page, 2);
  assert.equal((await panel(page)).text, hostile);
  assert.equal(await page.evaluate(() => document.getElementById('viewer').shadowRoot.querySelectorAll('.tour img').length), 0);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  // Still a viewer: orbiting moves the camera.
  const a = await page.evaluate(() => document.getElementById('viewer').getCameraOrbit());
  await page.mouse.move(240, 240); await page.mouse.down(); await page.mouse.move(300, 240, { steps: 5 }); await page.mouse.up();
  await page.waitForTimeout(300);
  const b = await page.evaluate(() => document.getElementById('viewer').getCameraOrbit());
  assert.notEqual(a.yaw.toFixed(2), b.yaw.toFixed(2));
  await page.close();
});

test('tour in Chinese: the panel, the stops and the narration read zh', async () => {
  const { page } = await open({ backend: 'webgl2', lang: 'zh-CN' });
  await page.locator('#viewer .tour-button').click();
  await waitStops(page, 1);
  const p = await panel(page);
  assert.deepEqual([p.count, p.title, p.name], ['第 1 站 / 共 6 站', '南大门', '环湖经典游']);
  assert.match(p.text, /^欢迎来到湖区/);
  assert.equal(await page.evaluate(() => document.getElementById('viewer').shadowRoot.querySelector('.tour-button').textContent), '导览');
  await page.close();
});
