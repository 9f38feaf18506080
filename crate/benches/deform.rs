//! Skinning and morphing on the CPU (scene::deform): the time to pose a model's deformable
//! meshes for one frame, which is what a playing clip costs per frame before the upload.
//! Run: `cargo bench -p scenic --bench deform` (criterion prints the time per frame and, as
//! throughput, vertices per second).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::PathBuf;

fn bench(c: &mut Criterion) {
    let corpus = std::env::var_os("SCENIC_CORPUS").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"));
    for (name, rel) in [("CesiumMan (skin, 19 joints)", "CesiumMan/glTF/CesiumMan.gltf"), ("MorphStressTest (8 targets)", "MorphStressTest/glTF/MorphStressTest.gltf")] {
        let Ok(mut l) = scenic::gltf::load_path(&corpus.join("gltf/models").join(rel)) else { continue };
        let vertices: usize = l.scene.deformed_meshes().iter().flat_map(|&(m, _)| &l.scene.meshes[m].primitives).map(|p| p.positions.len()).sum();
        let duration = l.scene.animations.first().map_or(1.0, |a| a.duration);
        let mut g = c.benchmark_group(name);
        g.throughput(Throughput::Elements(vertices as u64));
        let mut t = 0.0;
        g.bench_function("pose + deform one frame", |b| {
            b.iter(|| {
                t = (t + 1.0 / 60.0) % duration;
                l.scene.pose(0, t);
                black_box(l.scene.deform().len())
            })
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
