//! Build, serve and test Scenic. `cargo xtask serve` and `cargo xtask test` are the README's two
//! commands: each first installs what is missing (and says what it installs), then does its work.

mod build;
mod compress;
mod content;
mod fuzz;
mod names;
mod package;
mod pano_gen;
mod photo_gen;
mod pygeoapi;
mod scene_gen;
mod serve;
mod setup;
mod split;
mod tiles_gen;
mod wasm;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

pub type Result<T = ()> = std::result::Result<T, String>;

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Runs a command, failing with the command line and its exit status.
pub fn run(cmd: &mut Command) -> Result {
    eprintln!("xtask: $ {}", describe(cmd));
    let status = cmd.status().map_err(|e| format!("{}: {e}", describe(cmd)))?;
    if status.success() { Ok(()) } else { Err(format!("{} failed ({status})", describe(cmd))) }
}

fn describe(cmd: &Command) -> String {
    std::iter::once(cmd.get_program()).chain(cmd.get_args()).map(|s| s.to_string_lossy().into_owned()).collect::<Vec<_>>().join(" ")
}

fn usage() -> Result {
    Err("usage: cargo xtask <serve [--port N] | build | package | test | setup | content | fuzz [--time S] | size | bench | bench-tiles | bench-decoders | bench-overlay | bench-environment | fidelity | soak [--minutes M] | gen-scene | gen-tiles [--out DIR]>".into())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::all(),
        Some("build") => setup::all().and_then(|_| build::all()),
        Some("serve") => {
            let port = args.iter().position(|a| a == "--port").and_then(|i| args.get(i + 1)).and_then(|p| p.parse().ok()).unwrap_or(8080);
            // --no-build serves what is already built (for iterating on www/ alone).
            let build = if args.iter().any(|a| a == "--no-build") { Ok(()) } else { setup::all().and_then(|_| build::all()) };
            build.and_then(|_| serve::serve_forever(port, args.iter().any(|a| a == "--test-routes")))
        }
        Some("package") => setup::all().and_then(|_| build::all()).and_then(|_| package::assemble()).map(|_| ()),
        Some("test") => setup::all().and_then(|_| test()),
        Some("content") => setup::all().and_then(|_| content::all()),
        Some("fuzz") => setup::all().and_then(|_| content::all()).and_then(|_| fuzz::main(&args[1..])),
        Some("size") => build::sizes(),
        Some("bench") => setup::all().and_then(|_| build::all()).and_then(|_| bench()),
        Some("bench-tiles") => setup::all().and_then(|_| build::all()).and_then(|_| bench_tiles()),
        Some("bench-decoders") => setup::all().and_then(|_| build::all()).and_then(|_| content::all()).and_then(|_| bench_decoders()),
        Some("bench-overlay") => setup::all().and_then(|_| build::all()).and_then(|_| bench_overlay()),
        Some("bench-split") => setup::all().and_then(|_| build::all()).and_then(|_| bench_split()),
        Some("bench-environment") => setup::all().and_then(|_| build::all()).and_then(|_| bench_script("tests/bench/environment.mjs")),
        Some("fidelity") => setup::all().and_then(|_| build::all()).and_then(|_| fidelity()),
        Some("soak") => {
            // --minutes M (default 10), split between the two renderers.
            let minutes = args.iter().position(|a| a == "--minutes").and_then(|i| args.get(i + 1)).cloned().unwrap_or_else(|| "10".into());
            setup::all().and_then(|_| build::all()).and_then(|_| bench_script_with("tests/bench/soak.mjs", &[("SOAK_MINUTES", &minutes)]))
        }
        Some("gen-scene") => std::fs::write(root().join("assets/lakeside.glb"), scene_gen::glb())
            .and_then(|_| std::fs::write(root().join("assets/lakeside-pois.geojson"), scene_gen::pois()))
            .and_then(|_| std::fs::write(root().join("assets/lakeside-tour.jsonld"), scene_gen::tour()))
            .and_then(|_| std::fs::write(root().join("assets/lakeside-panoramas.json"), pano_gen::list()))
            .and_then(|_| pano_gen::VIEWS.iter().try_for_each(|(file, at, heading)| std::fs::write(root().join("assets").join(file), pano_gen::render(pano_gen::eye(*at), *heading))))
            .and_then(|_| {
                let _ = std::fs::remove_dir_all(root().join("assets").join(pano_gen::TILED.0));
                pano_gen::tiles().try_for_each(|(path, png)| {
                    let path = root().join("assets").join(path);
                    std::fs::create_dir_all(path.parent().unwrap_or(&path)).and_then(|_| std::fs::write(path, png))
                })
            })
            .and_then(|_| std::fs::write(root().join("assets/ningbo.glb"), scene_gen::ningbo_glb()))
            .map_err(|e| e.to_string()),
        Some("gen-tiles") => {
            let out = args.iter().position(|a| a == "--out").and_then(|i| args.get(i + 1)).map(PathBuf::from).unwrap_or_else(|| content::dir().join("terrain"));
            tiles_gen::write(&out).map(|tris| eprintln!("xtask: {} holds a {}-level quadtree, {tris} triangles at full detail", out.display(), tiles_gen::LEVELS))
        }
        _ => usage(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Every test: native loader tests, browser tests of the crate (wasm-pack), then end to end in
/// headless Chromium against the built bundles.
fn test() -> Result {
    let root = root();
    // The native tests read the generated variants too.
    content::all()?;
    // The generated 3D Tiles terrain, for tiles-terrain.test.mjs (made once; ~420 MB).
    tiles_gen::write(&content::dir().join("terrain"))?;
    run(Command::new("cargo").args(["test", "--workspace"]).current_dir(&root))?;
    // A short pass of every fuzz target (longer runs: `cargo xtask fuzz --time S`), where the
    // machine has the nightly toolchain cargo-fuzz needs.
    if build::nightly().is_some() {
        fuzz::run_targets(10, &fuzz::TARGETS.map(String::from))?;
    } else {
        eprintln!("xtask: no nightly toolchain: the fuzz smoke pass is skipped");
    }
    run(Command::new("wasm-pack")
        .args(["test", "--headless", "--chrome"])
        .env("CHROMEDRIVER", "/usr/bin/chromedriver")
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120")
        .current_dir(root.join("crate")))?;
    build::all()?;
    package::assemble()?;
    vite_example()?;
    let server = serve::spawn(0, true)?;
    let base = format!("http://127.0.0.1:{}", server);
    let corpus = std::env::var_os("SCENIC_CORPUS").map(std::path::PathBuf::from).unwrap_or_else(|| root.join("../shared/corpus"));
    pygeoapi::install()?;
    let ogc = pygeoapi::start(&corpus)?;
    let mut files: Vec<String> = std::fs::read_dir(root.join("tests/e2e"))
        .map_err(|e| format!("tests/e2e: {e}"))?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    files.sort();
    run(Command::new("node")
        .arg("--test")
        .arg("--test-concurrency=1")
        .args(&files)
        .env("SCENIC_BASE_URL", &base)
        .env("SCENIC_PYGEOAPI_URL", &ogc.url)
        .current_dir(&root))
}

/// Installs and builds www/examples/vite against the package just assembled (type check included),
/// so the e2e suite can open its dist/.
fn vite_example() -> Result {
    let dir = root().join("www/examples/vite");
    // The local package is linked, not copied.
    npm_ci(&dir)?;
    run(Command::new("npm").args(["run", "build"]).current_dir(&dir))
}

/// The side-by-side benchmark (not part of `test`): writes the generated town, installs three.js,
/// model-viewer and esbuild into tests/bench, bundles the three.js page, serves, and prints a table.
fn bench() -> Result {
    let root = root();
    let vendor = root.join("www/bench/vendor");
    std::fs::create_dir_all(&vendor).map_err(|e| e.to_string())?;
    std::fs::write(vendor.join("town.glb"), scene_gen::town_glb()).map_err(|e| e.to_string())?;
    let dir = root.join("tests/bench");
    bench_bundle(&dir, "three-viewer.js", &vendor)?;
    let mv = dir.join("node_modules/@google/model-viewer/dist/model-viewer.min.js");
    std::fs::copy(&mv, vendor.join("model-viewer.min.js")).map_err(|e| format!("{}: {e}", mv.display()))?;
    // Every viewer's code and the town precompressed, as Scenic's own files are by the build.
    for f in ["three-viewer.js", "model-viewer.min.js", "town.glb"] {
        compress::beside(&vendor.join(f))?;
    }
    bench_script("tests/bench/compare.mjs")
}

/// The 3D Tiles benchmark (not part of `test`): writes the generated terrain, installs three.js
/// and 3DTilesRendererJS into tests/bench/tiles, bundles their page, serves, and prints a table.
fn bench_tiles() -> Result {
    let root = root();
    tiles_gen::write(&content::dir().join("terrain"))?;
    let vendor = root.join("www/bench/vendor");
    std::fs::create_dir_all(&vendor).map_err(|e| e.to_string())?;
    let dir = root.join("tests/bench/tiles");
    bench_bundle(&dir, "three-tiles-viewer.js", &vendor)?;
    compress::beside(&vendor.join("three-tiles-viewer.js"))?;
    bench_script("tests/bench/tiles.mjs")
}

/// What a split at the first frame could take off the lite modules' first download (not part
/// of `test`): runs the benchmark's scenes on instrumented copies (tests/bench/split.mjs), then
/// prints each module's size with only the functions a page ran kept (xtask/src/split.rs).
fn bench_split() -> Result {
    let root = root();
    let dir = root.join("target/split");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let vendor = root.join("www/bench/vendor");
    std::fs::create_dir_all(&vendor).map_err(|e| e.to_string())?;
    std::fs::write(vendor.join("town.glb"), scene_gen::town_glb()).map_err(|e| e.to_string())?;
    const BUNDLES: [&str; 2] = ["webgpu-lite", "webgl2-lite"];
    let mut modules = Vec::new();
    let mut firsts = Vec::new();
    for bundle in BUNDLES {
        let file = root.join(format!("www/pkg/{bundle}/scenic_bg.wasm"));
        let wasm = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let (noted, functions) = split::instrument(&wasm)?;
        std::fs::write(dir.join(format!("{bundle}.wasm")), noted).map_err(|e| e.to_string())?;
        modules.push((wasm, functions));
    }
    bench_script_with("tests/bench/split.mjs", &[("SPLIT_DIR", &dir.to_string_lossy())])?;
    let used = std::fs::read_to_string(dir.join("used.json")).map_err(|e| e.to_string())?;
    let used: serde_json::Value = serde_json::from_str(&used).map_err(|e| e.to_string())?;
    let kb = |b: &[u8]| format!("{:.1}", compress::gzip(b, 9).len() as f64 / 1000.0);
    let br = |b: &[u8]| format!("{:.1}", compress::brotli(b).len() as f64 / 1000.0);
    println!("| module | page | functions run | kept: gzip / brotli (KB) | the rest: gzip / brotli (KB) |");
    println!("|---|---|---|---|---|");
    for (bundle, (wasm, functions)) in BUNDLES.iter().zip(&modules) {
        println!("| {bundle} | (whole module) | {functions} | {} / {} | |", kb(wasm), br(wasm));
        let pages = used[bundle].as_object().ok_or(format!("used.json: no {bundle}"))?;
        let mut all = vec![false; *functions];
        let mut first = vec![false; *functions];
        let mut rows: Vec<(String, Vec<bool>)> = Vec::new();
        for (page, list) in pages {
            let mut run = vec![false; *functions];
            for i in list.as_array().into_iter().flatten().filter_map(|i| i.as_u64()) {
                let i = i as usize;
                *run.get_mut(i).ok_or(format!("used.json: function {i} of {functions}"))? = true;
                all[i] = true;
                if page.ends_with("first frame") {
                    first[i] = true;
                }
            }
            rows.push((page.clone(), run));
        }
        let (kept, _) = split::keep_only(wasm, &first)?;
        std::fs::write(dir.join(format!("{bundle}.first.wasm")), kept).map_err(|e| e.to_string())?;
        firsts.push(first.clone());
        rows.push(("any of the three, first frame".into(), first));
        rows.push(("any of the above".into(), all));
        for (page, run) in rows {
            let (kept, rest) = split::keep_only(wasm, &run)?;
            let n = run.iter().filter(|r| **r).count();
            println!("| {bundle} | {page} | {n} | {} / {} | {} / {} |", kb(&kept), br(&kept), kb(&rest), br(&rest));
        }
    }
    // Where the rest is: the same module built again with its names (the shipped one has none).
    for ((bundle, first), (wasm, _)) in BUNDLES.iter().zip(&firsts).zip(&modules) {
        let named = named_copy(bundle, &dir)?;
        let bodies = split::bodies(wasm)?;
        if split::bodies(&named)? != bodies {
            println!("\n{bundle}: the copy with names has other function bodies; no rooms to show");
            continue;
        }
        let rooms = split::rooms(&named)?;
        let mut by_room: Vec<(String, Vec<u8>, usize)> = Vec::new();
        for ((room, body), run) in rooms.iter().zip(&bodies).zip(first) {
            if *run {
                continue;
            }
            match by_room.iter_mut().find(|r| &r.0 == room) {
                Some(r) => {
                    r.1.extend_from_slice(body);
                    r.2 += 1;
                }
                None => by_room.push((room.clone(), body.clone(), 1)),
            }
        }
        by_room.sort_by_key(|r| std::cmp::Reverse(r.1.len()));
        println!("\n{bundle}: what the three scenes run only after their first frame, by room (bodies alone: data, imports and tables stay in the first part)\n");
        println!("| room | functions | bytes | gzip alone |");
        println!("|---|---|---|---|");
        for (room, bytes, n) in by_room.iter().take(25) {
            println!("| {room} | {n} | {} | {} |", bytes.len(), compress::gzip(bytes, 9).len());
        }
    }
    // Each scene again with only the first frames' functions: a missed note would trap.
    bench_script_with("tests/bench/split.mjs", &[("SPLIT_DIR", &dir.to_string_lossy()), ("SPLIT_CHECK", "1")])
}

/// `bundle`'s module made again from cargo's output as the build makes it, but with its name
/// section kept (into `dir/named-<bundle>`): the same functions in the same order, with names.
fn named_copy(bundle: &str, dir: &Path) -> Result<Vec<u8>> {
    let (input, split) = build::bind_input(bundle);
    let (bg, _) = build::bind(&input, &dir.join(format!("named-{bundle}")), "scenic", split, true)?;
    std::fs::read(&bg).map_err(|e| format!("{}: {e}", bg.display()))
}

/// The decoder benchmark (not part of `test`): Scenic's decoder modules against three.js's
/// DRACOLoader, MeshoptDecoder and KTX2Loader on the same files; prints two tables.
fn bench_decoders() -> Result {
    let root = root();
    let vendor = root.join("www/bench/vendor");
    let dir = root.join("tests/bench");
    bench_bundle(&dir, "three-decoders.js", &vendor)?;
    // The decoders' own files, where DRACOLoader and KTX2Loader fetch them.
    let libs = dir.join("node_modules/three/examples/jsm/libs");
    for (from, to, files) in [("draco/gltf", "three-draco", &["draco_wasm_wrapper.js", "draco_decoder.wasm"]), ("basis", "three-basis", &["basis_transcoder.js", "basis_transcoder.wasm"])] {
        std::fs::create_dir_all(vendor.join(to)).map_err(|e| e.to_string())?;
        for f in files {
            std::fs::copy(libs.join(from).join(f), vendor.join(to).join(f)).map_err(|e| format!("{from}/{f}: {e}"))?;
        }
    }
    bench_script("tests/bench/decoders.mjs")
}

/// The overlay benchmark (not part of `test`): prints a table of per-frame medians.
fn bench_overlay() -> Result {
    bench_script("tests/bench/overlay.mjs")
}

/// The fidelity suite alone (tests/e2e/reference.test.mjs, also part of `test`): Scenic against
/// the Khronos glTF Sample Renderer on every corpus model; writes target/fidelity/index.html.
fn fidelity() -> Result {
    let port = serve::spawn(0, true)?;
    let result = run(Command::new("node")
        .args(["--test", "tests/e2e/reference.test.mjs"])
        .env("SCENIC_BASE_URL", format!("http://127.0.0.1:{port}"))
        .current_dir(root()));
    println!("xtask: the report: {}", root().join("target/fidelity/index.html").display());
    result
}

/// Runs a benchmark script against a server of www/ started for it.
fn bench_script(script: &str) -> Result {
    bench_script_with(script, &[])
}

fn bench_script_with(script: &str, env: &[(&str, &str)]) -> Result {
    let port = serve::spawn(0, false)?;
    let mut node = Command::new("node");
    node.arg(script).env("SCENIC_BASE_URL", format!("http://127.0.0.1:{port}")).current_dir(root());
    for (k, v) in env {
        node.env(k, v);
    }
    run(&mut node)
}

/// Installs what `dir`'s lock file names and bundles its `entry` (the other engine's page code)
/// into `vendor/<entry>`, minified.
fn bench_bundle(dir: &Path, entry: &str, vendor: &Path) -> Result {
    npm_ci(dir)?;
    run(Command::new(dir.join("node_modules/.bin/esbuild"))
        .args([entry, "--bundle", "--minify", "--format=esm"])
        .arg(format!("--outfile={}", vendor.join(entry).display()))
        .current_dir(dir))
}

/// `npm ci` in `dir`: exactly what its committed lock file names.
fn npm_ci(dir: &Path) -> Result {
    run(Command::new("npm").args(["ci", "--no-audit", "--no-fund", "--loglevel=error"]).current_dir(dir))
}
