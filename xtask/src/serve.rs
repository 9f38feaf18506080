//! A static file server for www/ on 127.0.0.1 (with `application/wasm` for .wasm), plus the
//! shared test corpus under /corpus/ when ../shared/corpus exists beside the project. Sends a
//! file's precompressed `.br`/`.gz` copy when the browser accepts it and the copy is not older
//! than the file, as a production static server would; other compressible files are gzipped on
//! the fly, so every viewer in the benchmark gets the same treatment.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use crate::compress::{self, Coding};
use crate::{Result, root};

/// The Content-Security-Policy sent with HTML: scripts from this origin and wasm, nothing inline.
pub const CSP: &str = "script-src 'self' 'wasm-unsafe-eval'; object-src 'none'; base-uri 'self'";

fn mime(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "geojson" => "application/geo+json",
        "jsonld" => "application/ld+json",
        "wasm" => "application/wasm",
        "glb" => "model/gltf-binary",
        "gltf" => "model/gltf+json",
        "bin" => "application/octet-stream",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

/// Maps a URL path to a file, refusing anything that climbs out of its root.
fn resolve(url: &str) -> Option<PathBuf> {
    let raw = url.split(['?', '#']).next().unwrap_or("/");
    let path = percent_encoding::percent_decode_str(raw).decode_utf8_lossy().into_owned();
    let (base, rest) = match path.strip_prefix("/corpus/") {
        Some(rest) => (root().join("../shared/corpus"), rest.to_string()),
        // Test content made from the corpus (content.rs).
        None => match path.strip_prefix("/generated/") {
            Some(rest) => (crate::content::dir(), rest.to_string()),
            None => (root().join("www"), path.trim_start_matches('/').to_string()),
        },
    };
    let rel = Path::new(&rest);
    // `..`, an absolute path or a drive (after percent-decoding, so `%2e%2e` too), and backslashes,
    // which are separators on Windows.
    if rest.contains('\\') || rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let full = base.join(rel);
    // A symbolic link inside the root must not lead out of it.
    if let (Ok(real), Ok(root)) = (full.canonicalize(), base.canonicalize())
        && !real.starts_with(&root)
    {
        return None;
    }
    if full.is_dir() { Some(full.join("index.html")) } else { Some(full) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_outside_the_roots_are_refused() {
        assert!(resolve("/index.html").is_some_and(|p| p.ends_with("www/index.html")));
        for bad in ["/../Cargo.toml", "/%2e%2e/Cargo.toml", "/%2E%2E%2FCargo.toml", "/corpus/../../main/Cargo.toml", "/assets/..%5c..%5cCargo.toml", "/corpus//etc/passwd", "/generated/%2e%2e/%2e%2e/Cargo.toml"] {
            assert_eq!(resolve(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_link_out_of_the_root_is_refused() {
        let dir = root().join("target/serve-test-link");
        let _ = std::fs::create_dir_all(root().join("www/assets"));
        let link = root().join("www/assets/.serve-test-link");
        let _ = std::fs::remove_file(&link);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("secret.txt"), "no").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&dir, &link).unwrap();
            let refused = resolve("/assets/.serve-test-link/secret.txt");
            let _ = std::fs::remove_file(&link);
            assert_eq!(refused, None);
        }
    }
}

/// Misbehaving endpoints for the POI client's fault tests (only in `cargo xtask test`).
mod faults {
    use std::io::Read;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::Resp;

    fn json(status: u16, body: String, ct: &'static str) -> Resp {
        let len = body.len() as u64;
        Resp { status, content_type: ct, body: Box::new(std::io::Cursor::new(body.into_bytes())), length: Some(len), encoding: None }
    }

    fn feature(i: usize, name: &str) -> String {
        let name = serde_json::to_string(name).unwrap();
        format!(r#"{{"type":"Feature","id":"f{i}","geometry":null,"properties":{{"name":{name},"category":"attraction","position":[{x},1,{z}]}}}}"#, x = (i % 7) as f32 * 0.3 - 1.0, z = (i / 7) as f32 * 0.3 - 1.0)
    }

    static FLAKY: AtomicUsize = AtomicUsize::new(0);

    pub fn respond(path: &str, query: &str) -> Option<Resp> {
        let param = |k: &str| query.split('&').find_map(|kv| kv.strip_prefix(k)?.strip_prefix('=')).and_then(|v| v.parse::<usize>().ok());
        Some(match path {
            "status/500" => json(500, "{}".into(), "application/json"),
            "status/404" => json(404, "not here".into(), "text/plain"),
            "slow" => {
                std::thread::sleep(std::time::Duration::from_secs(12));
                json(200, r#"{"type":"FeatureCollection","features":[]}"#.into(), "application/geo+json")
            }
            "truncated" => json(200, format!(r#"{{"type":"FeatureCollection","features":[{},"#, feature(0, "half")), "application/geo+json"),
            "html" => json(200, "<html><body>Service unavailable</body></html>".into(), "text/html"),
            "huge" => {
                // 50 MB with no length announced: the client must stop reading by itself.
                let body = std::io::repeat(b' ').take(50 * 1024 * 1024);
                Resp { status: 200, content_type: "application/json", body: Box::new(body), length: None, encoding: None }
            }
            "hostile" => {
                let names = ["<img src=x onerror=\"window.__pwned=1\">", "<script>window.__pwned=1</script>", "正常名称"];
                let feats: Vec<String> = names.iter().enumerate().map(|(i, n)| feature(i, n)).collect();
                json(200, format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, feats.join(",")), "application/geo+json")
            }
            "flaky" => {
                // Every other request fails with 503: one retry gets through.
                if FLAKY.fetch_add(1, Ordering::SeqCst) % 2 == 0 {
                    json(503, "{}".into(), "application/json")
                } else {
                    json(200, format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, feature(0, "after retry")), "application/geo+json")
                }
            }
            "items" => {
                // OGC API – Features paging: 35 features, 10 a page, rel=next links.
                let (offset, total) = (param("offset").unwrap_or(0), 35);
                let end = (offset + 10).min(total);
                let feats: Vec<String> = (offset..end).map(|i| feature(i, &format!("POI {i}"))).collect();
                let next = if end < total { format!(r#",{{"rel":"next","href":"items?offset={end}","type":"application/geo+json"}}"#) } else { String::new() };
                json(200, format!(r#"{{"type":"FeatureCollection","numberMatched":{total},"numberReturned":{},"links":[{{"rel":"self","href":"items?offset={offset}"}}{next}],"features":[{}]}}"#, end - offset, feats.join(",")), "application/geo+json")
            }
            _ => return None,
        })
    }
}

/// A response: status, type, and a body of known or unknown length (then the connection's
/// close ends it).
pub struct Resp {
    status: u16,
    content_type: &'static str,
    body: Box<dyn Read + Send>,
    length: Option<u64>,
    /// The content coding of `body`, if any.
    encoding: Option<Coding>,
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}

fn route(path: &str, query: &str, faults: bool, accept: &str) -> Resp {
    if let Some(rest) = path.strip_prefix("/__faults/").filter(|_| faults) {
        if let Some(r) = faults::respond(rest, query) {
            return r;
        }
    }
    let Some(file) = resolve(path).filter(|p| p.is_file()) else {
        return Resp { status: 404, content_type: "text/plain; charset=utf-8", length: Some(9), body: Box::new(&b"not found"[..]), encoding: None };
    };
    let content_type = mime(&file);
    let Some((bytes, encoding)) = encoded(&file, content_type, accept) else {
        return Resp { status: 404, content_type: "text/plain; charset=utf-8", length: Some(9), body: Box::new(&b"not found"[..]), encoding: None };
    };
    Resp { status: 200, content_type, length: Some(bytes.len() as u64), body: Box::new(std::io::Cursor::new(bytes)), encoding }
}

/// The bytes to send for `file`: a fresh precompressed copy the client accepts, else gzip made
/// now for a compressible type, else the file as it is.
fn encoded(file: &Path, content_type: &str, accept: &str) -> Option<(Vec<u8>, Option<Coding>)> {
    if !compress::compressible(content_type) {
        return Some((std::fs::read(file).ok()?, None));
    }
    for coding in [Coding::Br, Coding::Gzip] {
        let copy = compress::accepts(accept, coding).then(|| compress::fresh(file, coding)).flatten();
        if let Some(bytes) = copy.and_then(|c| std::fs::read(c).ok()) {
            return Some((bytes, Some(coding)));
        }
    }
    let bytes = std::fs::read(file).ok()?;
    if compress::accepts(accept, Coding::Gzip) {
        return Some((compress::gzip(&bytes, 6), Some(Coding::Gzip)));
    }
    Some((bytes, None))
}

/// One request per connection, then close: simple, and no keep-alive state to get stuck in.
fn connection(mut stream: TcpStream, faults: bool) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut head = Vec::new();
    let mut byte = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&byte[..n]),
        }
        if head.len() > 64 * 1024 {
            return;
        }
    }
    let text = String::from_utf8_lossy(&head);
    let mut first = text.lines().next().unwrap_or("").split_whitespace();
    let (method, target) = (first.next().unwrap_or(""), first.next().unwrap_or("/"));
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let accept = text.lines().find_map(|l| l.split_once(':').filter(|(k, _)| k.trim().eq_ignore_ascii_case("accept-encoding")).map(|(_, v)| v.trim())).unwrap_or("");
    let mut resp = match method {
        "GET" | "HEAD" => route(path, query, faults, accept),
        _ => Resp { status: 405, content_type: "text/plain", length: Some(0), body: Box::new(std::io::empty()), encoding: None },
    };
    let length = resp.length.map_or(String::new(), |l| format!("Content-Length: {l}\r\n"));
    // Every page is served under the strict policy operators may use, so every test checks that
    // the element needs no inline script and no eval (only wasm compilation).
    // The decoder benchmark's page runs three.js's decoders, which start their workers from blobs
    // and whose Basis transcoder evaluates strings (Scenic's modules need neither).
    let csp = match resp.content_type.starts_with("text/html") {
        true if path == "/bench/decoders.html" => "Content-Security-Policy: script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'\r\n".to_string(),
        true => format!("Content-Security-Policy: {CSP}\r\n"),
        false => String::new(),
    };
    let coding = match resp.encoding {
        Some(c) => format!("Content-Encoding: {}\r\nVary: Accept-Encoding\r\n", c.token()),
        None if compress::compressible(resp.content_type) => "Vary: Accept-Encoding\r\n".to_string(),
        None => String::new(),
    };
    let header = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\n{length}{csp}{coding}Cache-Control: no-cache\r\nConnection: close\r\n\r\n",
        resp.status,
        reason(resp.status),
        resp.content_type
    );
    if stream.write_all(header.as_bytes()).is_ok() && method != "HEAD" {
        // The client may hang up early (e.g. when a POI body is too large): that is fine.
        let _ = std::io::copy(&mut resp.body, &mut stream);
    }
    let _ = stream.flush();
}

/// Serves on background threads; returns the port (0 picks a free one). `faults` adds the
/// misbehaving endpoints under /__faults/ that the POI tests use.
pub fn spawn(port: u16, faults: bool) -> Result<u16> {
    let listener = TcpListener::bind(("127.0.0.1", port)).map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || connection(stream, faults));
        }
    });
    Ok(port)
}
pub fn serve_forever(port: u16, test_routes: bool) -> Result {
    let port = spawn(port, test_routes)?;
    println!("Scenic demo: http://127.0.0.1:{port}/  (Ctrl-C stops)");
    loop {
        std::thread::park();
    }
}
