// Fetching POI data from an operator's endpoint: a timeout, cancellation when the URL or scene
// changes, one retry with backoff on network errors and 5xx, a size cap, and OGC API – Features
// paging (rel="next") up to a limit, with `bbox` for the scene's area on /items URLs.

const TIMEOUT_MS = 10000;
const MAX_BYTES = 8 * 1024 * 1024;
const MAX_PAGES = 20;

class HttpError extends Error {
  constructor(status, url) { super(`HTTP ${status} from ${url}`); this.status = status; }
}

async function readCapped(response, url, signal) {
  const type = response.headers.get('content-type') ?? '';
  // An HTML error page or a media file is not POI data; JSON and untyped bodies are read.
  if (/^\s*(text\/html|image\/|audio\/|video\/)/i.test(type)) {
    throw new Error(`${url} sent ${type.split(';')[0]}, not JSON`);
  }
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_BYTES) throw new Error(`${url} is ${declared} bytes, over the ${MAX_BYTES}-byte limit`);
  const reader = response.body.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    if (signal.aborted) throw signal.reason;
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > MAX_BYTES) {
      reader.cancel();
      throw new Error(`${url} sent more than ${MAX_BYTES} bytes; stopped reading`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

async function fetchOnce(url, signal) {
  const timeout = AbortSignal.timeout(TIMEOUT_MS);
  const both = AbortSignal.any([signal, timeout]);
  let response;
  try {
    response = await fetch(url, { signal: both, headers: { accept: 'application/geo+json, application/json;q=0.9, application/ld+json;q=0.5, */*;q=0.1' } });
  } catch (e) {
    if (timeout.aborted && !signal.aborted) throw new Error(`${url} did not answer within ${TIMEOUT_MS / 1000} s`);
    throw e;
  }
  if (!response.ok) throw new HttpError(response.status, url);
  return readCapped(response, url, both);
}

/** GET with one retry (after a short backoff) on network errors and 5xx. */
async function fetchRetry(url, signal) {
  try {
    return await fetchOnce(url, signal);
  } catch (e) {
    const retryable = !signal.aborted && (e instanceof TypeError || (e instanceof HttpError && e.status >= 500));
    if (!retryable) throw e;
    await new Promise((r) => setTimeout(r, 400 + Math.random() * 400));
    return fetchOnce(url, signal);
  }
}

/**
 * Fetches `url` and its next pages; `onPage(bytes)` reads each and resolves with its `next` link.
 * `bbox` ([w, s, e, n] degrees) is added to OGC API /items URLs that have none.
 */
export async function fetchPoiPages(url, { signal, bbox, onPage }) {
  let next = new URL(url, document.baseURI);
  if (bbox && /\/items\/?$/.test(next.pathname) && !next.searchParams.has('bbox')) {
    next.searchParams.set('bbox', Array.from(bbox, (v) => v.toFixed(6)).join(','));
  }
  const seen = new Set();
  for (let page = 0; next && page < MAX_PAGES; page++) {
    if (seen.has(next.href)) break; // a server that links a page to itself
    seen.add(next.href);
    const bytes = await fetchRetry(next.href, signal);
    const link = await onPage(bytes);
    next = link ? new URL(link, next) : null;
    if (next && !/^https?:$/.test(next.protocol)) next = null;
  }
}
