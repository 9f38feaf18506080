// The snippet page: a form → the copy-paste code for an operator's site (the element, or an
// iframe of embed.html), and a live preview built from the same values. Values are escaped
// for HTML attributes and encoded for the URL, so what is typed can never become markup.
// The one-file build, as the snippet tells operators to load it: the preview is what they get.
import { ScenicViewer } from './scenic-viewer.min.js';

const form = document.getElementById('form');
const here = new URL('.', location.href);
const URL_FIELDS = ['src', 'pois', 'poster'];
const ATTRIBUTES = ['src', 'pois', 'poster', 'alt', 'lang', 'loading', 'environment', 'theme', 'camera-orbit', 'auto-rotate', 'ar'];

function escapeAttribute(v) {
  return String(v).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** [name, value] pairs of the element's attributes from the form (URLs made absolute). */
function attributes() {
  const data = new FormData(form);
  const out = [];
  for (const name of ATTRIBUTES) {
    if (name === 'auto-rotate' || name === 'ar') { if (data.get(name)) out.push([name, '']); continue; }
    let v = String(data.get(name) ?? '').trim();
    if (!v) continue;
    if (URL_FIELDS.includes(name)) {
      try { v = new URL(v, here).href; } catch { /* left as typed; the viewer will say what is wrong */ }
    }
    out.push([name, v]);
  }
  return out;
}

function height() {
  const h = String(new FormData(form).get('height') ?? '').trim();
  return /^\d+(\.\d+)?(px|vh|em|rem|%)?$/.test(h) ? (/\d$/.test(h) ? `${h}px` : h) : '480px';
}

function elementSnippet(attrs) {
  const script = new URL(ScenicViewer.modules[0], here).href;
  const list = attrs.map(([n, v]) => (v === '' ? ` ${n}` : ` ${n}="${escapeAttribute(v)}"`)).join('');
  // For the page's <head>: the element's modules all at once (a round trip per level of imports
  // otherwise), and an eager viewer's model (a lazy one must not download before it is needed).
  const head = ScenicViewer.modules.map((m) => `<link rel="modulepreload" href="${escapeAttribute(new URL(m, here).href)}">\n`);
  const src = attrs.find(([n]) => n === 'src')?.[1];
  const lazy = attrs.some(([n, v]) => n === 'loading' && v === 'lazy');
  if (src && !lazy) head.push(`<link rel="preload" href="${escapeAttribute(src)}" as="fetch" crossorigin>\n`);
  return head.join('')
    + `<script type="module" src="${escapeAttribute(script)}"></script>\n`
    + `<scenic-viewer${list} style="width: 100%; height: ${height()}"></scenic-viewer>`;
}

function iframeSnippet(attrs) {
  const url = new URL('embed.html', here);
  for (const [n, v] of attrs) url.searchParams.set(n, v);
  const origin = String(new FormData(form).get('origin') ?? '').trim();
  if (origin) { try { url.searchParams.set('origin', new URL(origin).origin); } catch { /* not a URL: left out */ } }
  const title = attrs.find(([n]) => n === 'alt')?.[1] ?? 'Scenic 3D';
  // AR in a frame needs the camera, the position and the motion sensors delegated to it.
  const allow = attrs.some(([n]) => n === 'ar') ? 'fullscreen; camera; geolocation; accelerometer; gyroscope; magnetometer; xr-spatial-tracking' : 'fullscreen';
  return `<iframe src="${escapeAttribute(url.href)}" title="${escapeAttribute(title)}"\n`
    + `        style="width: 100%; height: ${height()}; border: 0" allow="${allow}" loading="lazy"></iframe>`;
}

let previewed = '';
function update() {
  const attrs = attributes();
  document.getElementById('element-snippet').value = elementSnippet(attrs);
  document.getElementById('iframe-snippet').value = iframeSnippet(attrs);
  // The preview is built with the DOM API from the same values, not from the snippet text.
  const key = JSON.stringify(attrs);
  if (key === previewed) return;
  previewed = key;
  const viewer = new ScenicViewer();
  for (const [n, v] of attrs) viewer.setAttribute(n, v);
  viewer.style.width = '100%';
  viewer.style.height = height();
  document.getElementById('preview').replaceChildren(viewer);
}

let timer = 0;
form.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(update, 300); });
form.addEventListener('submit', (e) => e.preventDefault());
for (const b of document.querySelectorAll('[data-copy]')) {
  b.addEventListener('click', async () => {
    const text = document.getElementById(b.dataset.copy).value;
    try { await navigator.clipboard.writeText(text); b.textContent = '已复制 Copied'; } catch { document.getElementById(b.dataset.copy).select(); }
  });
}
update();
