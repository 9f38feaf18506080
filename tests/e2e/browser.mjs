// Shared set-up for end-to-end tests: Debian's Chromium driven by playwright-core, with the
// flags that give WebGPU on SwiftShader here (see ../shared/docs/browser-toolchain.md).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';

export const BASE = process.env.SCENIC_BASE_URL ?? 'http://127.0.0.1:8080';

/** `extra`: more Chromium flags (the AR tests add a fake camera). */
export async function launch(extra = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox', '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader',
      '--use-angle=swiftshader', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic', ...extra,
    ],
  });
}

/** Opens the fixture page with `src` on `backend` and waits for ready or error. */
export async function openFixture(browser, src, backend, size = 256) {
  const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
  const logs = [];
  const pending = new Set();
  page.on('request', (r) => pending.add(r.url()));
  page.on('requestfinished', (r) => pending.delete(r.url()));
  page.on('requestfailed', (r) => { pending.delete(r.url()); logs.push(`failed: ${r.url()} ${r.failure()?.errorText}`); });
  page.on('console', (m) => logs.push(m.text()));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  await page.goto(`${BASE}/fidelity/?backend=${backend}&src=${encodeURIComponent(src)}`);
  try {
    await page.waitForFunction(() => ['ready', 'error'].includes(document.getElementById('viewer')?.dataset.state), null, { timeout: 60000 });
  } catch (e) {
    const state = await page.evaluate(() => {
      const v = document.getElementById('viewer');
      return `state=${v?.dataset.state} progress=${v?.shadowRoot.querySelector('.bar')?.style.width}`;
    }).catch(() => 'page unresponsive');
    throw new Error(`${src} on ${backend} did not settle (${state}); requests without an answer: ${[...pending].join(', ') || 'none'}; console: ${logs.join(' | ')}`);
  }
  return { page, logs };
}

/** Reads the viewer's current frame: { width, height, data: number[] }. */
export async function pixels(page) {
  return page.evaluate(async () => {
    const p = await document.getElementById('viewer').readPixels();
    return { width: p.width, height: p.height, data: Array.from(p.data) };
  });
}

/** RGBA at a point given in fractions of the image. */
export function at(img, fx, fy) {
  const x = Math.min(img.width - 1, Math.floor(fx * img.width));
  const y = Math.min(img.height - 1, Math.floor(fy * img.height));
  const i = (y * img.width + x) * 4;
  return img.data.slice(i, i + 4);
}

/** Fraction of pixels for which `pred([r,g,b,a])` holds. */
export function fraction(img, pred) {
  let n = 0;
  for (let i = 0; i < img.data.length; i += 4) if (pred(img.data.slice(i, i + 4))) n++;
  return n / (img.width * img.height);
}

export const BACKENDS = ['webgpu', 'webgl2'];

/** How many pixels differ by more than `tol` in the red channel between two frames. */
export function changedPixels(a, b, tol = 20) {
  let n = 0;
  for (let k = 0; k < a.data.length; k += 4) if (Math.abs(a.data[k] - b.data[k]) > tol) n++;
  return n;
}

/** { rms, outliers } between two frames of the same size. Per pixel: the smallest, over the
 *  other frame's 3×3 neighbourhood, of the largest RGB channel difference (0–255), so that an
 *  edge one pixel away is no difference; rms is over all pixels, outliers the fraction above 24. */
export function difference(a, b) {
  assert.equal(a.data.length, b.data.length);
  const { width: w, height: h } = a;
  let sum = 0, outliers = 0;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const k = (y * w + x) * 4;
    let best = 255;
    for (let j = Math.max(0, y - 1); j <= Math.min(h - 1, y + 1); j++) for (let i = Math.max(0, x - 1); i <= Math.min(w - 1, x + 1); i++) {
      const m = (j * w + i) * 4;
      best = Math.min(best, Math.max(...[0, 1, 2].map((c) => Math.abs(a.data[k + c] - b.data[m + c]))));
    }
    sum += best * best;
    if (best > 24) outliers++;
  }
  return { rms: Math.sqrt(sum / (w * h)), outliers: outliers / (w * h) };
}

/** A PNG file: an RGBA8 header saying `w` × `h`, and `scanlines` (each row's filter byte and
 *  pixels; a hostile test gives fewer than the header says) deflated as its one IDAT chunk. */
export function png(w, h, scanlines) {
  const chunk = (type, data) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, 'latin1');
    data.copy(out, 8);
    out.writeUInt32BE(zlib.crc32(Buffer.concat([Buffer.from(type, 'latin1'), data])), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 6;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(scanlines)), chunk('IEND', Buffer.alloc(0))]);
}

/** Waits up to 5 s for `fn(arg)` to hold in the page; true if it did. It never throws: the
 *  caller's assertion says what was seen. For motion (the camera easing, a clip's clock, the
 *  walker) rather than a fixed sleep: each frame steps at most 0.1 s, so a loaded machine that
 *  draws few frames moves more slowly in wall-clock time. */
export const eventually = (page, fn, arg) => page.waitForFunction(fn, arg, { timeout: 5000 }).then(() => true, () => false);

/** The wasm stack's size in bytes: the `-zstack-size` link flag in .cargo/config.toml, which every
 *  bundle is built with. */
export const STACK_BYTES = Number(/stack-size=(\d+)/.exec(readFileSync(new URL('../../.cargo/config.toml', import.meta.url), 'utf8'))[1]);

/** Stack painting. Rust's wasm32 links the stack first, at [0, STACK_BYTES), growing down; between
 *  calls into wasm all of it is free. `paint` fills it with 0xA5 in every bundle the page has
 *  loaded; `measure` then gives, per bundle, the deepest the stack went since (bytes from its top
 *  to the lowest byte written). A frame that reserves bytes it never writes goes unseen, so this
 *  is a lower bound on depth, and tests keep a wide margin. Same URL, same module instance: the
 *  glue's init returns the live exports. */
async function stackOp(page, paint) {
  return page.evaluate(async ({ paint, size }) => {
    const urls = [...new Set(performance.getEntriesByType('resource').map((r) => r.name).filter((n) => /\/pkg\/[\w-]+\/scenic\.js$/.test(n)))];
    const used = {};
    for (const url of urls) {
      const stack = new Uint8Array((await (await import(url)).default()).memory.buffer, 0, size);
      if (paint) { stack.fill(0xa5); continue; }
      let low = 0;
      while (low < size && stack[low] === 0xa5) low++;
      used[url.split('/').at(-2)] = size - low;
    }
    return used;
  }, { paint, size: STACK_BYTES });
}
export const paintStack = (page) => stackOp(page, true);
export const stackUsed = (page) => stackOp(page, false);
