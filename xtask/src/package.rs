//! `cargo xtask package`: the npm package in target/npm/scenic-viewer — the element, its feature
//! modules, its one-file build (`scenic-viewer.min.js`, for a script tag), both wasm bundles and
//! the TypeScript types, with a package.json whose version is the crate's. `npm publish target/npm/scenic-viewer` ships it; the Vite example installs it from there.

use std::path::Path;

use crate::{Result, root};

pub const NAME: &str = "scenic-viewer";

fn copy(from: &Path, to: &Path) -> Result {
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::copy(from, to).map(|_| ()).map_err(|e| format!("{}: {e} (run cargo xtask build first)", from.display()))
}

fn crate_version() -> Result<String> {
    let toml = std::fs::read_to_string(root().join("crate/Cargo.toml")).map_err(|e| e.to_string())?;
    toml.lines()
        .find_map(|l| l.strip_prefix("version = ").map(|v| v.trim_matches('"').to_string()))
        .ok_or_else(|| "crate/Cargo.toml has no version".into())
}

/// Assembles the package from an already built www/ (see `build::all`).
pub fn assemble() -> Result<std::path::PathBuf> {
    let root = root();
    let www = root.join("www");
    let out = root.join("target/npm").join(NAME);
    let _ = std::fs::remove_dir_all(&out);
    let mut files: Vec<String> = ["scenic-viewer.js", "scenic-viewer.d.ts", "scenic-viewer.min.js", "scenic-viewer.min.js.br", "scenic-viewer.min.js.gz", "scenic-sw.js"].map(String::from).into();
    for f in std::fs::read_dir(www.join("features")).map_err(|e| e.to_string())? {
        let name = f.map_err(|e| e.to_string())?.file_name().to_string_lossy().into_owned();
        // The sources; the minified lazy files come from the build's own list below, so one
        // an older build left behind (a feature renamed or dropped) is not shipped.
        if name.ends_with(".js") && !name.ends_with(".min.js") {
            files.push(format!("features/{name}"));
        }
    }
    for name in crate::build::LAZY_FEATURES {
        files.extend(["", ".br", ".gz"].map(|z| format!("features/{name}.min.js{z}")));
    }
    let bundles = crate::build::BUNDLES.iter().map(|&(name, _)| (name, "scenic")).chain(crate::build::DECODERS.iter().map(|&(name, _, module)| (name, module)));
    for (bundle, module) in bundles {
        // The modules also precompressed (see compress.rs), for servers that send such copies.
        for f in [format!("{module}.js"), format!("{module}_bg.wasm"), format!("{module}_bg.wasm.br"), format!("{module}_bg.wasm.gz")] {
            files.push(format!("pkg/{bundle}/{f}"));
        }
        // The parts split off the module and the link module that fetches them (build::split).
        files.extend(crate::build::parts(&www.join("pkg").join(bundle))?.into_iter().map(|n| format!("pkg/{bundle}/{n}")));
    }
    for f in &files {
        copy(&www.join(f), &out.join(f))?;
    }
    let manifest = serde_json::json!({
        "name": NAME,
        "version": crate_version()?,
        "description": "A 3D scenic-area viewer with points of interest, as one custom element (Rust + wgpu, WebGPU with a WebGL2 fallback)",
        "type": "module",
        "main": "./scenic-viewer.js",
        "module": "./scenic-viewer.js",
        "types": "./scenic-viewer.d.ts",
        "exports": {
            ".": { "types": "./scenic-viewer.d.ts", "default": "./scenic-viewer.js" },
            "./scenic-viewer.min.js": { "types": "./scenic-viewer.d.ts", "default": "./scenic-viewer.min.js" },
            "./package.json": "./package.json"
        },
        // Importing the module defines <scenic-viewer>: bundlers must keep it.
        "sideEffects": ["./scenic-viewer.js", "./scenic-viewer.min.js"],
        "files": files,
        "keywords": ["gltf", "3d", "webgpu", "webgl2", "wasm", "custom-element", "tourism", "poi"],
        "license": "MIT OR Apache-2.0"
    });
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())?;
    std::fs::write(out.join("package.json"), text + "\n").map_err(|e| e.to_string())?;
    std::fs::write(
        out.join("README.md"),
        "# scenic-viewer\n\n`<scenic-viewer>`: a glTF scenic area in 3D with points of interest, drawn with Rust + wgpu \
         (WebGPU, or WebGL2 where there is no WebGPU adapter).\n\n```js\nimport 'scenic-viewer';\n```\n\n```html\n\
         <scenic-viewer src=\"park.glb\" pois=\"pois.geojson\" loading=\"lazy\"></scenic-viewer>\n```\n\n\
         Without a bundler, load the one-file build: `<script type=\"module\" src=\".../scenic-viewer.min.js\"></script>` \
         (it finds `pkg/` beside it).\n\n\
         With Vite, exclude it from dependency pre-bundling in dev (`optimizeDeps: { exclude: ['scenic-viewer'] }`) so its \
         `.wasm` files resolve; production builds need nothing. Attributes, events and methods: see docs.html in the \
         project, or scenic-viewer.d.ts.\n",
    )
    .map_err(|e| e.to_string())?;
    eprintln!("xtask: npm package in {}", out.display());
    Ok(out)
}
