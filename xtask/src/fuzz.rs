//! `cargo xtask fuzz [--time SECONDS] [TARGET…]`: runs the libFuzzer targets in fuzz/ (cargo-fuzz,
//! nightly), each for SECONDS (default 60), seeded from ../shared/corpus and the generated test
//! content, and prints executions per target. Corpora and findings stay in target/fuzz (never
//! committed); a crash fails the run and its input is kept in fuzz/artifacts to become a
//! regression test.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Result, root, run};

pub const TARGETS: [&str; 4] = ["gltf", "pois", "camera", "meshopt"];

/// Camera attributes as pages write them (target: orbit, NUL, target).
const CAMERA_SEEDS: [&str; 6] = ["45deg 60deg 10m\0auto auto auto", "0 75deg auto\x001m 2m 3m", "-30deg 90deg 105%\0", "1rad 0.5rad 20m\0-1 0 0", "auto auto auto\0auto", "45deg  60deg\t10\0 0 0 0"];

fn corpus_dir(target: &str) -> PathBuf {
    root().join("target/fuzz/corpus").join(target)
}

/// Copies every file under `from` whose name ends in one of `exts` into `to` (flat, by index).
fn seed(from: &Path, exts: &[&str], to: &Path, next: &mut usize) -> Result {
    let Ok(entries) = std::fs::read_dir(from) else { return Ok(()) };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            seed(&path, exts, to, next)?;
        } else if exts.iter().any(|e| path.to_string_lossy().ends_with(e)) && entry.metadata().is_ok_and(|m| m.len() < 1 << 20) {
            std::fs::copy(&path, to.join(format!("seed-{next}"))).map_err(|e| format!("{}: {e}", path.display()))?;
            *next += 1;
        }
    }
    Ok(())
}

fn seeds(target: &str) -> Result<PathBuf> {
    let dir = corpus_dir(target);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let corpus = crate::content::corpus();
    let mut n = 0;
    match target {
        // Files under 1 MB: libFuzzer mutates small inputs best.
        "gltf" => {
            seed(&corpus.join("gltf"), &[".glb", ".gltf"], &dir, &mut n)?;
            seed(&corpus.join("invalid"), &[".glb", ".gltf"], &dir, &mut n)?;
            seed(&crate::content::dir().join("meshopt"), &[".glb"], &dir, &mut n)?;
        }
        "pois" => seed(&corpus.join("poi"), &[".json", ".geojson", ".jsonld"], &dir, &mut n)?,
        "camera" => {
            for (i, s) in CAMERA_SEEDS.iter().enumerate() {
                std::fs::write(dir.join(format!("seed-{i}")), s).map_err(|e| e.to_string())?;
            }
        }
        _ => {}
    }
    Ok(dir)
}

fn failure(target: &str, log: &str, status: std::process::ExitStatus) -> String {
    let tail: Vec<&str> = log.lines().rev().take(30).collect();
    format!("fuzz target {target} failed ({status}); its input is in fuzz/artifacts/{target}/:\n{}", tail.into_iter().rev().collect::<Vec<_>>().join("\n"))
}

/// Runs each of `targets` for `seconds`; returns (target, executions).
pub fn run_targets(seconds: u64, targets: &[String]) -> Result<Vec<(String, u64)>> {
    if crate::build::nightly().is_none() {
        return Err("fuzzing needs the nightly toolchain (rustup toolchain list shows none)".into());
    }
    let have = Command::new("cargo").args(["fuzz", "--version"]).output().is_ok_and(|o| o.status.success());
    if !have {
        run(Command::new("cargo").args(["install", "cargo-fuzz", "--locked"]))?;
    }
    let fuzz = root().join("fuzz");
    let mut out = Vec::new();
    for target in targets {
        let corpus = seeds(target)?;
        let log = root().join("target/fuzz").join(format!("{target}.log"));
        // Fuzzing runs without AddressSanitizer: most of the code is safe Rust, whose bounds checks
        // already trap, and ASan costs ~9× the executions (gltf: 677 → 5,921 a second here). The
        // corpus it grows is then replayed once under ASan below, so the unsafe code in the
        // decoders and serde_json still meets every input it found under the sanitizer.
        let status = Command::new("cargo")
            .args(["+nightly", "fuzz", "run", "--release", "--sanitizer", "none", "--target-dir", "target/fast", target])
            .arg(&corpus)
            .arg("--")
            .arg(format!("-max_total_time={seconds}"))
            // A single input taking 10 s is a hang; 2 GB is more than a phone's tab gets.
            .args(["-timeout=10", "-rss_limit_mb=2048", "-print_final_stats=1", "-max_len=1048576"])
            .current_dir(&fuzz)
            .stderr(std::fs::File::create(&log).map_err(|e| e.to_string())?)
            .status()
            .map_err(|e| format!("cargo fuzz: {e}"))?;
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let execs = text.lines().find_map(|l| l.strip_prefix("stat::number_of_executed_units:")).and_then(|v| v.trim().parse().ok()).unwrap_or(0);
        eprintln!("xtask: fuzz {target}: {execs} executions in {seconds} s ({})", log.display());
        if !status.success() {
            return Err(failure(target, &text, status));
        }
        let asan_log = root().join("target/fuzz").join(format!("{target}-asan.log"));
        let status = Command::new("cargo")
            .args(["+nightly", "fuzz", "run", "--release", target])
            .arg(&corpus)
            .args(["--", "-runs=0", "-timeout=30", "-rss_limit_mb=4096", "-max_len=1048576"])
            .current_dir(&fuzz)
            .stderr(std::fs::File::create(&asan_log).map_err(|e| e.to_string())?)
            .status()
            .map_err(|e| format!("cargo fuzz: {e}"))?;
        let units = std::fs::read_dir(&corpus).map(|d| d.count()).unwrap_or(0);
        eprintln!("xtask: fuzz {target}: its {units} corpus inputs replayed under AddressSanitizer ({})", asan_log.display());
        if !status.success() {
            return Err(failure(target, &std::fs::read_to_string(&asan_log).unwrap_or_default(), status));
        }
        out.push((target.clone(), execs));
    }
    Ok(out)
}

pub fn main(args: &[String]) -> Result {
    let seconds = args.iter().position(|a| a == "--time").and_then(|i| args.get(i + 1)).and_then(|s| s.parse().ok()).unwrap_or(60);
    let named: Vec<String> = args.iter().filter(|a| TARGETS.contains(&a.as_str())).cloned().collect();
    let targets = if named.is_empty() { TARGETS.map(String::from).to_vec() } else { named };
    let results = run_targets(seconds, &targets)?;
    println!("| target | seconds | executions |");
    println!("|---|---|---|");
    for (t, n) in results {
        println!("| {t} | {seconds} | {n} |");
    }
    Ok(())
}
