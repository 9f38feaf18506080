//! Builds the two browser bundles into www/pkg/{webgpu,webgl2}: cargo (release, size-optimised),
//! wasm-bindgen, then npm's wasm-opt (Debian's binaryen breaks modules). Copies assets into www/.

use std::process::Command;

use crate::{Result, root, run};

/// (bundle name, cargo features)
const BUNDLES: [(&str, &str); 2] = [("webgpu", "webgpu"), ("webgl2", "webgl")];

pub fn all() -> Result {
    let root = root();
    for (name, features) in BUNDLES {
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
        run(Command::new(root.join("node_modules/.bin/wasm-opt"))
            .args(["-Oz", "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext", "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue", "-o"])
            .arg(&bg)
            .arg(&bg))?;
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
