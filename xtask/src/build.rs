//! Builds the two browser bundles into www/pkg/{webgpu,webgl2}: cargo (release, opt-level "z",
//! LTO) then wasm-bindgen. No wasm-opt pass: measured here, npm binaryen 132's -Oz and -Os both
//! made the gzipped WebGPU module larger (274,648 and 274,183 bytes against 259,464 without), and
//! Debian's binaryen 108 produces modules that fail to instantiate. Copies assets into www/.

use std::process::Command;

use crate::{Result, root, run};

/// (bundle name, cargo features)
const BUNDLES: [(&str, &str); 2] = [("webgpu", "webgpu"), ("webgl2", "webgl")];

pub fn all() -> Result {
    let only = std::env::var("SCENIC_BUNDLES").ok();
    let root = root();
    for (name, features) in BUNDLES {
        // SCENIC_BUNDLES=webgpu builds one bundle only (quicker iteration).
        if only.as_deref().is_some_and(|o| !o.split(',').any(|b| b == name)) {
            continue;
        }
        let target = root.join("target").join(format!("bundle-{name}"));
        run(Command::new("cargo")
            .args(["build", "--release", "--target", "wasm32-unknown-unknown", "-p", "scenic", "--no-default-features", "--features", features])
            .env("CARGO_TARGET_DIR", &target)
            .current_dir(&root))?;
        let wasm = target.join("wasm32-unknown-unknown/release/scenic.wasm");
        let out = root.join("www/pkg").join(name);
        run(Command::new("wasm-bindgen")
            .args(["--target", "web", "--no-typescript", "--remove-name-section", "--out-name", "scenic", "--out-dir"])
            .arg(&out)
            .arg(&wasm))?;
        let bg = out.join("scenic_bg.wasm");
        let bytes = std::fs::read(&bg).map_err(|e| format!("{}: {e}", bg.display()))?;
        eprintln!("xtask: {name} bundle: {} bytes of wasm", bytes.len());
    }
    let assets = root.join("www/assets");
    std::fs::create_dir_all(&assets).map_err(|e| e.to_string())?;
    for entry in std::fs::read_dir(root.join("assets")).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_file() {
            std::fs::copy(&path, assets.join(path.file_name().unwrap())).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

fn gzipped(path: &std::path::Path) -> Result<(usize, usize)> {
    use std::io::Write;
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e} (run cargo xtask build first)", path.display()))?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&bytes).map_err(|e| e.to_string())?;
    Ok((bytes.len(), gz.finish().map_err(|e| e.to_string())?.len()))
}

/// Prints what a browser downloads on each path (bytes, and gzip level 9).
pub fn sizes() -> Result {
    let www = root().join("www");
    // The element and its feature modules, each gzipped as a server would send it.
    let mut element = gzipped(&www.join("scenic-viewer.js"))?.1;
    for f in std::fs::read_dir(www.join("features")).map_err(|e| e.to_string())? {
        let path = f.map_err(|e| e.to_string())?.path();
        if path.extension().is_some_and(|e| e == "js") {
            element += gzipped(&path)?.1;
        }
    }
    println!("| path | wasm | wasm gzipped | JS glue gzipped | element JS gzipped | total gzipped |");
    println!("|---|---|---|---|---|---|");
    for (name, _) in BUNDLES {
        let (wasm, wasm_gz) = gzipped(&www.join("pkg").join(name).join("scenic_bg.wasm"))?;
        let (_, js_gz) = gzipped(&www.join("pkg").join(name).join("scenic.js"))?;
        println!("| {name} | {wasm} | {wasm_gz} | {js_gz} | {element} | {} |", wasm_gz + js_gz + element);
    }
    Ok(())
}
