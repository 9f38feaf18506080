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

fn handle(server: &tiny_http::Server) {
    for req in server.incoming_requests() {
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

/// Serves on a background thread; returns the port (0 picks a free one).
pub fn spawn(port: u16) -> Result<u16> {
    let server = tiny_http::Server::http(("127.0.0.1", port)).map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    let port = server.server_addr().to_ip().map(|a| a.port()).unwrap_or(port);
    let server = std::sync::Arc::new(server);
    for _ in 0..4 {
        let s = server.clone();
        std::thread::spawn(move || handle(&s));
    }
    Ok(port)
}

pub fn serve_forever(port: u16) -> Result {
    let port = spawn(port)?;
    println!("Scenic demo: http://127.0.0.1:{port}/  (Ctrl-C stops)");
    loop {
        std::thread::park();
    }
}
