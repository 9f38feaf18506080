//! Environment prefiltering speed, natively (the browser runs the same code as wasm, some 1.5×
//! slower): a 2048 × 1024 photo to the 1024-wide specular chain and irradiance harmonics, and
//! the procedural sky that lights scenes without one; and the split sum's BRDF table, made once
//! per renderer.
//! Run: `cargo bench -p scenic --bench ibl` (criterion prints the median time).

use criterion::{Criterion, criterion_group, criterion_main};
use glam::Vec3;
use scenic::ibl::{self, Equirect};
use std::hint::black_box;

fn photo(width: u32) -> Equirect {
    let height = width / 2;
    let texels = (0..height)
        .flat_map(|y| (0..width).map(move |x| (x, y)))
        .map(|(x, y)| {
            let d = ibl::texel_dir(x, y, width, height);
            (Vec3::new(0.4, 0.5, 0.7) * d.y.max(0.0) + Vec3::splat(((x * 7 + y * 13) % 17) as f32 / 17.0)).to_array()
        })
        .collect();
    Equirect { width, height, texels }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("prefilter");
    g.sample_size(10);
    let p = photo(2048);
    g.bench_function("photo 2048 -> 1024", |b| b.iter(|| black_box(ibl::prefilter(black_box(&p), 1024))));
    g.bench_function("photo 2048 -> 512", |b| b.iter(|| black_box(ibl::prefilter(black_box(&p), 512))));
    let env = scenic::scene::environment::Environment::DAYLIGHT;
    g.bench_function("sky", |b| b.iter(|| black_box(ibl::sky_lighting(black_box(&env)))));
    g.bench_function("brdf table", |b| b.iter(|| black_box(ibl::brdf::table())));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
