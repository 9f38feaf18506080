//! A static file server for www/ on 127.0.0.1 (with `application/wasm` for .wasm), plus the
//! shared test corpus under /corpus/ when ../shared/corpus exists beside the project.

use std::path::{Component, Path, PathBuf};

use crate::{Result, root};

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

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Maps a URL path to a file, refusing anything that climbs out of its root.
fn resolve(url: &str) -> Option<PathBuf> {
    let path = percent_decode(url.split(['?', '#']).next().unwrap_or("/"));
    let (base, rest) = match path.strip_prefix("/corpus/") {
        Some(rest) => (root().join("../shared/corpus"), rest.to_string()),
        None => (root().join("www"), path.trim_start_matches('/').to_string()),
    };
    let rel = Path::new(&rest);
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let full = base.join(rel);
    if full.is_dir() { Some(full.join("index.html")) } else { Some(full) }
}

/// Misbehaving endpoints for the POI client's fault tests (only in `cargo xtask test`).
mod faults {
    use std::io::Read;
    use std::sync::atomic::{AtomicUsize, Ordering};

    type Resp = tiny_http::Response<Box<dyn Read + Send>>;

    fn json(status: u16, body: String, ct: &str) -> Resp {
        let h = tiny_http::Header::from_bytes("Content-Type", ct).unwrap();
        let len = body.len();
        tiny_http::Response::new(status.into(), vec![h], Box::new(std::io::Cursor::new(body.into_bytes())), Some(len), None)
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
                let h = tiny_http::Header::from_bytes("Content-Type", "application/json").unwrap();
                tiny_http::Response::new(200.into(), vec![h], Box::new(body), None, None)
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

fn handle(server: &tiny_http::Server, faults: bool) {
    for req in server.incoming_requests() {
        let url = req.url().to_owned();
        let (path, query) = url.split_once('?').unwrap_or((&url, ""));
        if let Some(rest) = path.strip_prefix("/__faults/").filter(|_| faults) {
            if let Some(r) = faults::respond(rest, query) {
                let _ = req.respond(r);
                continue;
            }
        }
        let response = match resolve(req.url()).and_then(|p| std::fs::read(&p).ok().map(|b| (p, b))) {
            Some((path, bytes)) => {
                let ct = tiny_http::Header::from_bytes("Content-Type", mime(&path)).unwrap();
                let cache = tiny_http::Header::from_bytes("Cache-Control", "no-cache").unwrap();
                tiny_http::Response::from_data(bytes).with_header(ct).with_header(cache)
            }
            None => tiny_http::Response::from_data(b"not found".to_vec()).with_status_code(404),
        };
        let _ = req.respond(response);
    }
}

/// Serves on a background thread; returns the port (0 picks a free one). `faults` adds the
/// misbehaving endpoints under /__faults/ that the POI tests use.
pub fn spawn(port: u16, faults: bool) -> Result<u16> {
    let server = tiny_http::Server::http(("127.0.0.1", port)).map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    let port = server.server_addr().to_ip().map(|a| a.port()).unwrap_or(port);
    let server = std::sync::Arc::new(server);
    for _ in 0..6 {
        let s = server.clone();
        std::thread::spawn(move || handle(&s, faults));
    }
    Ok(port)
}

pub fn serve_forever(port: u16, test_routes: bool) -> Result {
    let port = spawn(port, test_routes)?;
    println!("Scenic demo: http://127.0.0.1:{port}/  (Ctrl-C stops)");
    loop {
        std::thread::park();
    }
}
