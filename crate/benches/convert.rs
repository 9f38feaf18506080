//! glTF → GPU-ready conversion speed, natively: GLB bytes → parsed document → scene data
//! (accessors decoded, normals/tangents generated) → the vertex streams the renderer
//! uploads. Throughput is in bytes of GLB per second, beside a plain copy of the same bytes.
//! Run: `cargo bench -p scenic --bench convert` (criterion prints `thrpt` in MiB/s).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::PathBuf;

fn inputs() -> Vec<(String, Vec<u8>)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let corpus = std::env::var_os("SCENIC_CORPUS").map(PathBuf::from).unwrap_or_else(|| root.join("../shared/corpus"));
    [
        ("lakeside", root.join("assets/lakeside.glb")),
        ("DamagedHelmet", corpus.join("gltf/models/DamagedHelmet/glTF-Binary/DamagedHelmet.glb")),
        // Written by `cargo xtask bench` (the generated 1.2M-triangle town).
        ("town", root.join("www/bench/vendor/town.glb")),
    ]
    .into_iter()
    .filter_map(|(name, path)| Some((name.to_string(), std::fs::read(&path).ok()?)))
    .collect()
}

fn convert(bytes: &[u8]) -> usize {
    let parsed = scenic::gltf::parse(bytes).expect("parse");
    let loaded = scenic::gltf::build(parsed, Default::default()).expect("build");
    loaded.scene.meshes.iter().flat_map(|m| &m.primitives).flat_map(|p| p.streams()).flatten().map(<[u8]>::len).sum()
}

fn bench(c: &mut Criterion) {
    for (name, bytes) in inputs() {
        let mut g = c.benchmark_group(&name);
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.sample_size(10);
        g.bench_function("glTF to GPU-ready", |b| b.iter(|| convert(black_box(&bytes))));
        g.bench_function("plain copy", |b| b.iter(|| black_box(black_box(&bytes).to_vec())));
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
