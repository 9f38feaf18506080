//! A .glb or .gltf from anywhere: parse, validate, build (meshopt views decoded in process,
//! tangents generated, animations read and posed). Must never panic, hang or allocate by an
//! untrusted count.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scenic::gltf::{Fetched, build, decode_compressed, parse};

fuzz_target!(|data: &[u8]| {
    let Ok(parsed) = parse(data) else { return };
    let mut fetched = Fetched::default();
    if decode_compressed(&parsed, &mut fetched).is_err() {
        return;
    }
    if let Ok(mut loaded) = build(parsed, fetched) {
        let scene = loaded.scene.default_scene;
        let _ = loaded.scene.bounds(scene);
        for clip in 0..loaded.scene.animations.len() {
            let d = loaded.scene.animations[clip].duration;
            loaded.scene.pose(clip, d * 0.37);
        }
    }
});
