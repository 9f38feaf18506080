//! Builds the browser bundles into www/pkg/{webgpu,webgl2}{,-lite}: cargo (release, opt-level "z",
//! LTO) then wasm-bindgen. With the machine's nightly toolchain and its rust-src, std is rebuilt
//! for size with panics that abort at once (`-Z build-std`, `-C panic=immediate-abort`): no
//! panic messages or their formatting in the bundle (the code has no panics on purpose; a trap is
//! caught by the element like any error). `SCENIC_STABLE=1`, or no nightly, builds on stable; the
//! README's size table gives both. npm binaryen 132's wasm-opt then runs a chosen list of passes
//! (`WASM_OPT_PASSES`; its -Oz and -Os make the gzipped module larger; Debian's binaryen 108
//! produces modules that fail to instantiate). esbuild minifies the glue and
//! makes www/scenic-viewer.min.js (the element for a script tag, its rarer features beside it:
//! xtask/element.mjs). The lite bundles are first split (`split`): rooms reached late become wasm
//! parts fetched on first use. Copies assets into www/.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Result, root, run};

/// (bundle name, cargo features). Each backend twice: full, and lite without the web rooms only
/// some pages use (AR, tours, panoramas, 3D Tiles; the `guide` feature), which is what a page
/// with a model and POIs fetches.
/// The lite ones are split (`split`): rooms reached late are wasm parts fetched on first use.
pub const BUNDLES: [(&str, &str); 4] = [("webgpu", "webgpu,guide"), ("webgl2", "webgl,guide"), ("webgpu-lite", "webgpu,split"), ("webgl2-lite", "webgl,split")];

/// Decoder modules, each its own bundle that the element fetches only for files that need it:
/// (bundle name, package, module name).
pub const DECODERS: [(&str, &str, &str); 4] = [("meshopt", "scenic-meshopt", "scenic_meshopt"), ("draco", "scenic-draco", "scenic_draco"), ("basis", "scenic-basis", "scenic_basis"), ("mikktspace", "scenic-mikktspace", "scenic_mikktspace")];

/// The element's features that only some pages use: xtask/element.mjs (handed these names) makes
/// each www/features/<name>.min.js, fetched by the one-tag www/scenic-viewer.min.js on use.
pub const LAZY_FEATURES: [&str; 4] = ["ar", "tour", "panorama", "tiles"];
const ELEMENT_ENTRY: &str = "scenic-viewer.min.js";

/// What xtask/element.mjs writes, under www/: the one-tag entry, then the lazy features.
fn element_files() -> impl Iterator<Item = String> {
    std::iter::once(ELEMENT_ENTRY.to_string()).chain(LAZY_FEATURES.map(|name| format!("features/{name}.min.js")))
}

pub fn all() -> Result {
    let only = std::env::var("SCENIC_BUNDLES").ok();
    // SCENIC_BUNDLES=webgpu builds one bundle only (quicker iteration).
    let wanted = |name: &str| only.as_deref().is_none_or(|o| o.split(',').any(|b| b == name));
    for (name, features) in BUNDLES {
        if wanted(name) {
            bundle(name, "scenic", &["--no-default-features", "--features", features], "scenic")?;
        }
    }
    for (name, package, module) in DECODERS {
        if wanted(name) {
            bundle(name, package, &[], module)?;
        }
    }
    let root = root();
    // The element and the feature modules every page uses as one minified file for a page's
    // script tag (one request instead of many over levels of imports), and AR, tours, panoramas
    // and 3D Tiles each as a minified file of its own, fetched by the pages that use them
    // (xtask/element.mjs says why not esbuild's --splitting). The wasm bundles stay separate
    // files, imported by the backend the browser has.
    let www = root.join("www");
    run(Command::new("node").arg(root.join("xtask/element.mjs")).args(LAZY_FEATURES).current_dir(&www))?;
    for file in element_files() {
        crate::compress::beside(&www.join(file))?;
    }
    let assets = root.join("www/assets");
    std::fs::create_dir_all(&assets).map_err(|e| e.to_string())?;
    copy_assets(&root.join("assets"), &assets)
}

/// Copies assets/ into www/assets, folders too (a tiled panorama is one).
fn copy_assets(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).map_err(|e| e.to_string())?;
    for entry in std::fs::read_dir(from).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let copy = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_assets(&path, &copy)?;
        } else if path.is_file() {
            std::fs::copy(&path, &copy).map_err(|e| format!("{}: {e}", path.display()))?;
            // The demo's model and POIs, precompressed as an operator's server would send them
            // (images are compressed already).
            if path.extension().is_none_or(|e| e != "png" && e != "jpg") {
                crate::compress::beside(&copy)?;
            }
        }
    }
    Ok(())
}

/// The nightly toolchain's version line, where `rustup` has one.
pub fn nightly() -> Option<String> {
    let out = Command::new("rustc").args(["+nightly", "--version"]).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Whether the nightly toolchain has its std sources (rust-src), which `-Z build-std` needs.
pub fn has_rust_src() -> bool {
    let Ok(out) = Command::new("rustc").args(["+nightly", "--print", "sysroot"]).output() else { return false };
    std::path::Path::new(String::from_utf8_lossy(&out.stdout).trim()).join("lib/rustlib/src/rust/library/std/Cargo.toml").exists()
}

/// The toolchain the bundles are built with for size: nightly with rust-src unless SCENIC_STABLE is set.
fn size_toolchain() -> Option<String> {
    if std::env::var_os("SCENIC_STABLE").is_some_and(|v| !v.is_empty() && v != "0") {
        return None;
    }
    nightly().filter(|_| has_rust_src())
}

/// wasm-opt's passes for every module: those that shrink it gzipped (7 Dec, WebGPU lite, gzip -9:
/// 284,672 -> 280,951 bytes; 0.9-2.0 % off each module). -Oz is smaller raw (666 KB against 739)
/// but 9.5 KB larger gzipped: it rewrites locals and inlines, undoing the repetition gzip feeds
/// on (`--local-cse` alone costs 2.4 KB, `--simplify-locals` 1.3 KB, `--inlining` 77 KB).
const WASM_OPT_PASSES: [&str; 9] = [
    "--duplicate-function-elimination",
    "--remove-unused-module-elements",
    "--optimize-instructions",
    "--remove-unused-brs",
    "--code-folding",
    "--reorder-locals",
    "--vacuum",
    "--duplicate-function-elimination",
    "--dae-optimizing",
];
/// What rustc's wasm32 target emits (wasm-bindgen drops the section that would tell wasm-opt).
const WASM_FEATURES: [&str; 6] = ["--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext", "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue"];

/// Builds `package` for wasm (release, with the size toolchain where there is one) and runs
/// wasm-bindgen and esbuild on it into www/pkg/<name>/<module>.js and <module>_bg.wasm.
fn bundle(name: &str, package: &str, cargo_args: &[&str], module: &str) -> Result {
    let root = root();
    let target = target_dir(name);
    let mut cargo = Command::new("cargo");
    match size_toolchain() {
        Some(nightly) => {
            eprintln!("xtask: {name} bundle with {nightly}, std rebuilt for size");
            cargo.arg("+nightly");
        }
        None => eprintln!("xtask: {name} bundle on stable (no nightly with rust-src, or SCENIC_STABLE=1)"),
    }
    cargo.args(["build", "--release", "--target", "wasm32-unknown-unknown", "-p", package]).args(cargo_args);
    if size_toolchain().is_some() {
        // Through --config, as cargo adds these to .cargo/config.toml's flags (RUSTFLAGS would replace them).
        cargo.args(["-Z", "build-std=std,panic_abort", "-Z", "build-std-features=optimize_for_size", "--config", r#"target.wasm32-unknown-unknown.rustflags=["-Zunstable-options","-Cpanic=immediate-abort"]"#]);
    }
    let split = cargo_args.iter().any(|a| splits(a));
    if split {
        // The split tool reads the linker's relocations to move functions between parts.
        cargo.args(["--config", r#"target.wasm32-unknown-unknown.rustflags=["-Clink-arg=--emit-relocs"]"#]);
    }
    run(cargo.env("CARGO_TARGET_DIR", &target).current_dir(&root))?;
    let out = root.join("www/pkg").join(name);
    let linked = linked(name, package);
    // Parts an earlier build split off are not left beside a module that no longer has them.
    if out.is_dir() {
        for file in parts(&out)? {
            std::fs::remove_file(out.join(&file)).map_err(|e| format!("{file}: {e}"))?;
        }
    }
    let main = if split { self::split(&linked, &out, module)? } else { linked };
    let (bg, js) = bind(&main, &out, module, split, false)?;
    // wasm-bindgen's glue, minified (96 KB -> 45 KB for WebGPU; 18.2 -> 13.4 KB gzipped). A split
    // module's glue imports the split tool's link module: bundled in, so that the browser does
    // not meet a second module (a round trip, 150 ms on a slow link) before it fetches the wasm,
    // and so that a new instance of the glue (after a trap) has its own links to the parts.
    let mut args = vec![js.to_string_lossy().into_owned(), "--minify".into(), "--format=esm".into(), "--allow-overwrite".into()];
    if split {
        args.push("--bundle".into());
    }
    esbuild(&args.iter().map(String::as_str).collect::<Vec<_>>(), &js)?;
    if split {
        let link = out.join(LINK_MODULE);
        std::fs::remove_file(&link).map_err(|e| format!("{}: {e}", link.display()))?;
    }
    let bytes = std::fs::read(&bg).map_err(|e| format!("{}: {e}", bg.display()))?;
    eprintln!("xtask: {name} bundle: {} bytes of wasm", bytes.len());
    for file in [&bg, &js] {
        crate::compress::beside(file)?;
    }
    Ok(())
}

/// The split tool's JS, which fetches and instantiates a part when its function is first called
/// (wasm-bindgen's glue imports it; `bundle` bundles it into the glue).
const LINK_MODULE: &str = "__wasm_split.js";

/// Splits the linked module at its `#[wasm_split]` functions: each part goes to `out` (wasm-opt's
/// passes run on it, and it is precompressed), and the link module beside it for `bundle`.
/// Returns the main part, for wasm-bindgen.
fn split(linked: &Path, out: &Path, module: &str) -> Result<PathBuf> {
    let input = std::fs::read(linked).map_err(|e| format!("{}: {e}", linked.display()))?;
    let main = split_main(linked);
    let work = main.parent().unwrap();
    let _ = std::fs::remove_dir_all(work);
    let main_module = format!("./{module}.js");
    let mut opts = wasm_split_cli_support::Options::new(&input);
    opts.output_dir = work;
    opts.main_out_path = &main;
    opts.main_module = &main_module;
    let parts = wasm_split_cli_support::transform(opts).map_err(|e| format!("wasm-split: {e:?}"))?;
    std::fs::create_dir_all(out).map_err(|e| e.to_string())?;
    for part in &parts.split_modules {
        let to = out.join(part.file_name().unwrap());
        run(Command::new(root().join("node_modules/.bin/wasm-opt")).args(WASM_OPT_PASSES).args(WASM_FEATURES).arg(part).arg("-o").arg(&to))?;
        crate::compress::beside(&to)?;
    }
    std::fs::copy(work.join(LINK_MODULE), out.join(LINK_MODULE)).map_err(|e| format!("{LINK_MODULE}: {e}"))?;
    Ok(main)
}

/// Whether a bundle with these cargo features is split.
fn splits(features: &str) -> bool {
    features.split(',').any(|f| f == "split")
}

/// Whether a file in a bundle's folder is a part `split` wrote (or its precompressed copy).
fn is_part(name: &str) -> bool {
    let name = name.trim_end_matches(".br").trim_end_matches(".gz");
    (name.starts_with("split_") || name.starts_with("chunk_")) && name.ends_with(".wasm")
}

/// The files in bundle folder `dir` that `split` wrote, sorted.
pub fn parts(dir: &Path) -> Result<Vec<String>> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut parts: Vec<String> = entries.filter_map(|e| e.ok()?.file_name().into_string().ok()).filter(|n| is_part(n)).collect();
    parts.sort();
    Ok(parts)
}

/// Where `split` leaves the main part of a linked module, for wasm-bindgen.
fn split_main(linked: &Path) -> PathBuf {
    linked.with_extension("split").join("main.wasm")
}

/// What wasm-bindgen reads for scenic bundle `name` after `cargo xtask build`, and whether the
/// bundle is split.
pub fn bind_input(name: &str) -> (PathBuf, bool) {
    let linked = linked(name, "scenic");
    let split = BUNDLES.iter().any(|&(n, features)| n == name && splits(features));
    if split { (split_main(&linked), true) } else { (linked, false) }
}

/// Bundle `name`'s own cargo target directory.
fn target_dir(name: &str) -> PathBuf {
    root().join("target").join(format!("bundle-{name}"))
}

/// Where cargo leaves `package`'s module for bundle `name`.
pub fn linked(name: &str, package: &str) -> PathBuf {
    target_dir(name).join("wasm32-unknown-unknown/release").join(format!("{}.wasm", package.replace('-', "_")))
}

/// wasm-bindgen, wasm-opt's passes and short import names (crate::names says why) on the linked
/// module `wasm`, into `out/<module>_bg.wasm` and `out/<module>.js` (returned). `names` keeps the
/// name section (bench-split's copy), which changes no function.
pub fn bind(wasm: &Path, out: &Path, module: &str, split: bool, names: bool) -> Result<(PathBuf, PathBuf)> {
    let root = root();
    let mut bindgen = Command::new("wasm-bindgen");
    bindgen.args(["--target", "web", "--no-typescript"]);
    if split {
        // The table and the stack pointer, which the parts import (`split`).
        bindgen.arg("--keep-lld-exports");
    }
    if !names {
        bindgen.arg("--remove-name-section");
    }
    run(bindgen.args(["--out-name", module, "--out-dir"]).arg(out).arg(wasm))?;
    let bg = out.join(format!("{module}_bg.wasm"));
    let mut opt = Command::new(root.join("node_modules/.bin/wasm-opt"));
    opt.args(WASM_OPT_PASSES).args(WASM_FEATURES);
    if names {
        opt.arg("--debuginfo");
    }
    run(opt.arg(&bg).arg("-o").arg(&bg))?;
    let js = out.join(format!("{module}.js"));
    let read = |p: &Path| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
    let mut glue = String::from_utf8(read(&js)?).map_err(|e| format!("{}: {e}", js.display()))?;
    if split {
        glue = one_link_import(&glue);
    }
    let (module_bytes, glue) = crate::names::shorten(&read(&bg)?, &glue).map_err(|e| format!("{}: {e}", bg.display()))?;
    std::fs::write(&bg, module_bytes).and_then(|()| std::fs::write(&js, glue)).map_err(|e| format!("{}: {e}", out.display()))?;
    Ok((bg, js))
}

/// wasm-bindgen imports the link module once per part, `import * as importN from
/// "./__wasm_split.js"`, and names it as often in the import object (a duplicate key, which
/// esbuild warns of): one namespace, so the first import and its key stay.
fn one_link_import(glue: &str) -> String {
    let from = format!(" from \"./{LINK_MODULE}\"");
    let key = format!("\"./{LINK_MODULE}\": ");
    let mut kept: Option<String> = None;
    let mut out: Vec<&str> = Vec::new();
    for line in glue.lines() {
        let t = line.trim();
        if let Some(name) = t.strip_prefix("import * as ").and_then(|r| r.trim_end_matches(';').strip_suffix(from.as_str())) {
            if kept.is_some() {
                continue;
            }
            kept = Some(name.to_string());
        } else if let Some(value) = t.strip_prefix(key.as_str()) {
            if kept.as_deref() != Some(value.trim_end_matches(',')) {
                continue;
            }
        }
        out.push(line);
    }
    out.join("\n") + "\n"
}

/// Runs the esbuild installed by setup (node_modules) with `args`, writing `out`.
fn esbuild(args: &[&str], out: &std::path::Path) -> Result {
    let root = root();
    run(Command::new(root.join("node_modules/.bin/esbuild")).args(args).arg(format!("--outfile={}", out.display())).arg("--log-level=warning").current_dir(&root))
}

/// (bytes, gzip -9 bytes, brotli -q 11 bytes) of a file: the build's fresh precompressed copies
/// where they are fresh, else compressed here.
fn packed(path: &std::path::Path) -> Result<(usize, usize, usize)> {
    use crate::compress::{self, Coding};
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e} (run cargo xtask build first)", path.display()))?;
    let size = |coding: Coding, pack: &dyn Fn(&[u8]) -> Vec<u8>| {
        compress::fresh(path, coding).and_then(|c| std::fs::metadata(c).ok()).map_or_else(|| pack(&bytes).len(), |m| m.len() as usize)
    };
    Ok((bytes.len(), size(Coding::Gzip, &|b| compress::gzip(b, 9)), size(Coding::Br, &compress::brotli)))
}

/// 1234567 → "1,234,567".
fn thousands(v: usize) -> String {
    let s = v.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Prints what a browser downloads on each path (bytes, gzip level 9, brotli quality 11).
pub fn sizes() -> Result {
    let www = root().join("www");
    // The element as a page's script tag loads it: the one-tag entry (AR, tours, panoramas and
    // 3D Tiles are fetched on top by the pages that use them; listed below).
    let element = packed(&www.join(ELEMENT_ENTRY))?;
    println!("| path | wasm | wasm gzip / brotli | JS glue gzip / brotli | element JS gzip / brotli | total gzip | total brotli |");
    println!("|---|---|---|---|---|---|---|");
    for (name, _) in BUNDLES {
        let (wasm, wasm_gz, wasm_br) = packed(&www.join("pkg").join(name).join("scenic_bg.wasm"))?;
        let (_, js_gz, js_br) = packed(&www.join("pkg").join(name).join("scenic.js"))?;
        println!(
            "| {name} | {} | {} / {} | {} / {} | {} / {} | {} | {} |",
            thousands(wasm),
            thousands(wasm_gz),
            thousands(wasm_br),
            thousands(js_gz),
            thousands(js_br),
            thousands(element.1),
            thousands(element.2),
            thousands(wasm_gz + js_gz + element.1),
            thousands(wasm_br + js_br + element.2)
        );
    }
    println!();
    println!("| element feature, fetched by the pages that use it | JS | gzip / brotli |");
    println!("|---|---|---|");
    for file in element_files().skip(1) {
        let (js, gz, br) = packed(&www.join(&file))?;
        println!("| {file} | {} | {} / {} |", thousands(js), thousands(gz), thousands(br));
    }
    // Fetched on top of a lite path only by a page that reaches the part's room (build::split).
    println!();
    println!("| part split off, fetched on first use | wasm | wasm gzip / brotli |");
    println!("|---|---|---|");
    for (name, _) in BUNDLES {
        let dir = www.join("pkg").join(name);
        for part in parts(&dir)?.into_iter().filter(|n| n.ends_with(".wasm")) {
            let (wasm, gz, br) = packed(&dir.join(&part))?;
            println!("| {name}/{part} | {} | {} / {} |", thousands(wasm), thousands(gz), thousands(br));
        }
    }
    // Fetched on top of a path only by a file that declares the decoder's extension.
    println!();
    println!("| decoder module | wasm | wasm gzip / brotli | JS glue gzip / brotli | total gzip | total brotli |");
    println!("|---|---|---|---|---|---|");
    for (name, _, module) in DECODERS {
        let dir = www.join("pkg").join(name);
        let (wasm, wasm_gz, wasm_br) = packed(&dir.join(format!("{module}_bg.wasm")))?;
        let (_, js_gz, js_br) = packed(&dir.join(format!("{module}.js")))?;
        println!("| {name} | {} | {} / {} | {} / {} | {} | {} |", thousands(wasm), thousands(wasm_gz), thousands(wasm_br), thousands(js_gz), thousands(js_br), thousands(wasm_gz + js_gz), thousands(wasm_br + js_br));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_module_is_imported_once() {
        let glue = "import * as import1 from \"./__wasm_split.js\"\nimport * as import2 from \"./__wasm_split.js\"\nimport * as other from \"./x.js\"\nconst imports = {\n        \"./__wasm_split.js\": import1,\n        \"./__wasm_split.js\": import2,\n        \"./x.js\": other,\n};\n";
        let one = one_link_import(glue);
        assert_eq!(one, "import * as import1 from \"./__wasm_split.js\"\nimport * as other from \"./x.js\"\nconst imports = {\n        \"./__wasm_split.js\": import1,\n        \"./x.js\": other,\n};\n");
        // A glue with one part is left as it is.
        let single = "import * as import1 from \"./__wasm_split.js\"\nconst imports = { \"./__wasm_split.js\": import1 };\n";
        assert_eq!(one_link_import(single), single);
    }

    #[test]
    fn parts_are_told_from_the_bundle_s_own_files() {
        for part in ["split_poi.wasm", "split_poi.wasm.br", "chunk_0_a.wasm.gz"] {
            assert!(is_part(part), "{part}");
        }
        for own in ["scenic_bg.wasm", "scenic.js", "scenic_bg.wasm.br", "split_poi.js", "splitter.wasm.map", "__wasm_split.js"] {
            assert!(!is_part(own), "{own}");
        }
    }
}
