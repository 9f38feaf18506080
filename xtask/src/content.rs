//! Test content made at test time from ../shared/corpus with the npm tools setup installs (never
//! committed): meshopt-compressed and KTX2 variants of corpus models, written to
//! target/test-content and served under /generated/ by the test server. `cargo xtask content`
//! makes them alone.

use std::path::PathBuf;
use std::process::Command;

use crate::{Result, root, run};

/// (variant file, corpus model, gltfpack flags): every meshopt mode and filter, both extensions,
/// a fallback buffer with data, a .gltf with an external .bin.
pub const MESHOPT: &[(&str, &str, &[&str])] = &[
    ("duck-ext.glb", "Duck/glTF-Binary/Duck.glb", &["-c"]),
    ("duck-khr.glb", "Duck/glTF-Binary/Duck.glb", &["-cc", "-ce", "khr"]),
    ("duck-fallback.glb", "Duck/glTF-Binary/Duck.glb", &["-cf"]),
    ("duck-external.gltf", "Duck/glTF-Binary/Duck.glb", &["-c"]),
    ("helmet-exp.glb", "DamagedHelmet/glTF-Binary/DamagedHelmet.glb", &["-cc", "-vpf"]),
    ("boxcolors-khr.glb", "BoxVertexColors/glTF-Binary/BoxVertexColors.glb", &["-cc", "-ce", "khr"]),
    ("modes.glb", "MeshPrimitiveModes/glTF/MeshPrimitiveModes.gltf", &["-c"]),
    ("interpolation.glb", "InterpolationTest/glTF/InterpolationTest.gltf", &["-cc"]),
];

/// (variant name, corpus model): KTX2 variants (UASTC + Zstandard and ETC1S, whole mip chains;
/// UASTC without mips) made by xtask/ktx2.mjs with Basis Universal's encoder, as
/// `<name>-uastc.gltf`, `-etc1s.gltf` and `-uastc-nomips.gltf`.
pub const KTX2: &[(&str, &str)] = &[("duck", "Duck/glTF/Duck.gltf")];

pub fn dir() -> PathBuf {
    root().join("target/test-content")
}

pub fn corpus() -> PathBuf {
    std::env::var_os("SCENIC_CORPUS").map(PathBuf::from).unwrap_or_else(|| root().join("../shared/corpus"))
}

/// Makes what is missing (the tools are pinned, so a made file stays right).
pub fn all() -> Result {
    let out = dir().join("meshopt");
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let gltfpack = root().join("node_modules/.bin/gltfpack");
    for (file, model, flags) in MESHOPT {
        let target = out.join(file);
        if target.exists() {
            continue;
        }
        let source = corpus().join("gltf/models").join(model);
        run(Command::new(&gltfpack).arg("-i").arg(&source).arg("-o").arg(&target).args(*flags))?;
    }
    let out = dir().join("ktx2");
    for (name, model) in KTX2 {
        if !out.join(format!("{name}-uastc-nomips.gltf")).exists() {
            let source = corpus().join("gltf/models").join(model);
            run(Command::new("node").arg(root().join("xtask/ktx2.mjs")).arg(&source).arg(&out).arg(name))?;
        }
    }
    Ok(())
}
