// The engines beyond Chromium, through W3C WebDriver (classic, which both speak in their Debian
// builds; Playwright drives only its own builds of them): Firefox ESR by geckodriver (crates.io)
// and WebKitGTK, the engine closest to iOS Safari and WeChat on iOS, by Debian's WebKitWebDriver
// and its MiniBrowser. Both on an X server of their own (Xvfb): WebKitGTK needs a display, and
// Firefox makes a WebGL context only with one.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';

export const ENGINES = {
  firefox: {
    driver: process.env.GECKODRIVER ?? `${homedir()}/.cargo/bin/geckodriver`,
    args: (port) => ['--port', String(port)],
    capabilities: {
      browserName: 'firefox',
      // WebGPU is on for Firefox on Windows and macOS; on Linux it is still behind these prefs.
      'moz:firefoxOptions': { binary: '/usr/bin/firefox-esr', args: [], prefs: { 'dom.webgpu.enabled': true, 'gfx.webgpu.ignore-blocklist': true, 'webgl.force-enabled': true } },
    },
  },
  webkit: {
    driver: '/usr/bin/WebKitWebDriver',
    args: (port) => [`--port=${port}`],
    capabilities: { browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser', args: ['--automation'] } },
  },
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts an X server on a free display; resolves with `{ display, stop }`. */
export async function startDisplay() {
  for (let n = 90; n < 110; n++) {
    if (existsSync(`/tmp/.X11-unix/X${n}`) || existsSync(`/tmp/.X${n}-lock`)) continue;
    const x = spawn('Xvfb', [`:${n}`, '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
    for (let i = 0; i < 50 && !existsSync(`/tmp/.X11-unix/X${n}`); i++) await sleep(100);
    if (existsSync(`/tmp/.X11-unix/X${n}`)) return { display: `:${n}`, stop: () => x.kill() };
    x.kill();
  }
  throw new Error('no X display could be started (is Xvfb installed? `cargo xtask test` installs it)');
}

/** Starts `engine`'s driver on `port` against `display`; resolves with `{ url, stop }`. */
export async function startDriver(engine, port, display) {
  const e = ENGINES[engine];
  if (!existsSync(e.driver)) throw new Error(`${e.driver} is missing (\`cargo xtask test\` installs it)`);
  const log = [];
  const p = spawn(e.driver, e.args(port), { env: { ...process.env, DISPLAY: display }, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const s of [p.stdout, p.stderr]) s.on('data', (d) => { log.push(String(d)); if (log.length > 200) log.shift(); });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const ready = await fetch(`${url}/status`).then((r) => r.json()).then((j) => j.value?.ready !== false).catch(() => false);
    if (ready) return { url, stop: () => p.kill(), log };
    await sleep(100);
  }
  p.kill();
  throw new Error(`${engine}'s driver did not start: ${log.join('')}`);
}

/** One browser session, scripts run in its page. */
export class Session {
  #url; #id;
  constructor(url, id) { this.#url = url; this.#id = id; }

  static async open(driverUrl, engine) {
    // A driver that has just started may not launch its browser the first time.
    let v;
    for (let attempt = 1; !v; attempt++) {
      try {
        v = await call(driverUrl, 'POST', '/session', { capabilities: { alwaysMatch: ENGINES[engine].capabilities } });
      } catch (e) {
        if (attempt >= 3) throw e;
        await sleep(1000);
      }
    }
    const s = new Session(driverUrl, v.sessionId);
    await s.#call('POST', '/timeouts', { script: 60000, pageLoad: 60000 });
    return s;
  }

  #call(method, path, body) { return call(this.#url, method, `/session/${this.#id}${path}`, body); }

  goto(url) { return this.#call('POST', '/url', { url }); }

  /** Runs `fn(...args)` in the page (awaited there) and resolves with what it returns. */
  async run(fn, ...args) {
    const script = `const done = arguments[arguments.length - 1];
      Promise.resolve().then(() => (${fn}).apply(null, Array.from(arguments).slice(0, -1)))
        .then((v) => done({ ok: v === undefined ? null : v }), (e) => done({ err: String(e && e.message || e) }));`;
    const r = await this.#call('POST', '/execute/async', { script, args });
    if (r && 'err' in r) throw new Error(`in the page: ${r.err}`);
    return r?.ok;
  }

  /** Polls `fn(...args)` in the page until it is true (or throws after `timeout` ms). */
  async waitFor(fn, args = [], timeout = 60000, what = String(fn)) {
    const end = Date.now() + timeout;
    for (;;) {
      const v = await this.run(fn, ...args).catch(() => false);
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await sleep(200);
    }
  }

  close() { return this.#call('DELETE', '').catch(() => {}); }
}

async function call(base, method, path, body) {
  const r = await fetch(base + path, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const j = await r.json().catch(() => ({}));
  if (j.value?.error) throw new Error(`${method} ${path}: ${j.value.error}: ${j.value.message}`);
  return j.value;
}
