//! The loader against real third-party files in ../shared/corpus (read in place, never copied):
//! Khronos sample models must load with the right data; the Khronos validator's malformed cases
//! must load or be refused with a message, never panic or hang.

#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use scenic::LoadError;
use scenic::gltf::{Loaded, load_path};

fn corpus() -> PathBuf {
    let dir = std::env::var_os("SCENIC_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"));
    assert!(dir.join("gltf/MANIFEST.tsv").exists(), "test corpus not found at {} (set SCENIC_CORPUS)", dir.display());
    dir
}

fn model(rel: &str) -> Loaded {
    let path = corpus().join("gltf/models").join(rel);
    load_path(&path).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Loads on another thread so that a hang fails the test instead of stalling it.
fn load_guarded(path: &Path) -> Result<Result<Loaded, LoadError>, String> {
    let (tx, rx) = mpsc::channel();
    let p = path.to_owned();
    let handle = std::thread::spawn(move || {
        let _ = tx.send(load_path(&p));
    });
    match rx.recv_timeout(Duration::from_secs(20)) {
        Ok(r) => Ok(r),
        Err(mpsc::RecvTimeoutError::Timeout) => Err("hung for 20 s".into()),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(format!("panicked: {:?}", handle.join().err().and_then(|e| e.downcast_ref::<String>().cloned()))),
    }
}

#[test]
fn every_sample_model_loads_or_names_what_it_lacks() {
    let manifest = std::fs::read_to_string(corpus().join("gltf/MANIFEST.tsv")).unwrap();
    let mut loaded = 0;
    let mut refused = std::collections::BTreeSet::new();
    let mut refused_files = 0;
    for line in manifest.lines().skip(1) {
        let rel = line.split('\t').next().unwrap();
        let path = corpus().join("gltf").join(rel);
        match load_guarded(&path).unwrap_or_else(|e| panic!("{rel}: {e}")) {
            Ok(l) => {
                loaded += 1;
                assert!(!l.scene.meshes.is_empty(), "{rel}: no meshes");
            }
            Err(LoadError::UnsupportedExtension(e)) => {
                refused.insert(e);
                refused_files += 1;
            }
            Err(e) => panic!("{rel}: {e}"),
        }
    }
    // Required extensions Scenic does not implement would be refused by name, not half drawn;
    // since KHR_materials_clearcoat, every model in the corpus has all it requires.
    assert_eq!(refused, std::collections::BTreeSet::new());
    assert!(loaded >= 85 && refused_files <= 15, "{loaded} loaded, {refused_files} refused");
}

#[test]
fn box_has_24_vertices_36_indices_and_a_red_material() {
    for variant in ["Box/glTF/Box.gltf", "Box/glTF-Binary/Box.glb", "Box/glTF-Embedded/Box.gltf"] {
        let l = model(variant);
        let p = &l.scene.meshes[0].primitives[0];
        assert_eq!(p.positions.len(), 24, "{variant}");
        assert_eq!(p.indices.as_ref().unwrap().len(), 36, "{variant}");
        let m = &l.scene.materials[p.material.unwrap()];
        assert!(m.base_color[0] > 0.7 && m.base_color[1] < 0.1, "{variant}: {:?}", m.base_color);
        let b = l.scene.bounds(l.scene.default_scene);
        assert!((b.max - b.min).abs().max_element() - 1.0 < 1e-4, "{variant}: {b:?}");
    }
}

#[test]
fn uris_with_spaces_and_unicode_resolve() {
    for rel in ["Box With Spaces/glTF/Box With Spaces.gltf", "Unicode❤♻Test/glTF/Unicode❤♻Test.gltf"] {
        let l = model(rel);
        assert!(l.scene.images.iter().all(|i| !i.bytes.is_empty()), "{rel}");
        assert!(l.scene.materials.iter().any(|m| m.base_color_texture.is_some()), "{rel}");
    }
}

#[test]
fn sparse_accessor_substitutes_values() {
    let l = model("SimpleSparseAccessor/glTF/SimpleSparseAccessor.gltf");
    let p = &l.scene.meshes[0].primitives[0];
    // The sparse values lift some vertices of the flat grid to y > 0.
    let lifted = p.positions.iter().filter(|v| v[1] > 0.5).count();
    assert!(lifted > 0 && lifted < p.positions.len(), "{lifted} of {}", p.positions.len());
}

#[test]
fn multiple_scenes_default_first() {
    let l = model("MultipleScenes/glTF/MultipleScenes.gltf");
    assert_eq!(l.scene.scenes.len(), 2);
    // The file names scene 1 as its default.
    assert_eq!(l.scene.default_scene, 1);
    // Each scene shows its own mesh (two different triangle sets at the same place).
    let mesh_of = |s| l.scene.flatten(s).0.iter().map(|i| i.mesh).collect::<Vec<_>>();
    assert_eq!((mesh_of(0), mesh_of(1)), (vec![0], vec![1]));
    assert_ne!(l.scene.meshes[0].primitives[0].positions, l.scene.meshes[1].primitives[0].positions);
}

#[test]
fn quantized_model_decodes_normalised_attributes() {
    let q = model("Duck/glTF-Quantized/Duck.gltf");
    let plain = model("Duck/glTF/Duck.gltf");
    let (bq, bp) = (q.scene.bounds(0), plain.scene.bounds(0));
    assert!((bq.max - bp.max).length() < 0.5 * (bp.max - bp.min).length() * 0.05, "{bq:?} vs {bp:?}");
}

#[test]
fn generated_tangents_for_normal_maps_without_them() {
    let l = model("NormalTangentTest/glTF/NormalTangentTest.gltf");
    let p = &l.scene.meshes[0].primitives[0];
    let t = p.tangents.as_ref().expect("tangents generated");
    assert!(t.iter().all(|t| (t[0] * t[0] + t[1] * t[1] + t[2] * t[2] - 1.0).abs() < 1e-3 && t[3].abs() == 1.0));
}

#[test]
fn cameras_and_primitive_modes() {
    let l = model("Cameras/glTF/Cameras.gltf");
    assert_eq!(l.scene.cameras.len(), 2);
    assert_eq!(l.scene.flatten(0).1.len(), 2);
    let modes = model("MeshPrimitiveModes/glTF/MeshPrimitiveModes.gltf");
    let topologies: std::collections::HashSet<_> = modes.scene.meshes.iter().flat_map(|m| &m.primitives).map(|p| p.topology).collect();
    assert_eq!(topologies.len(), 3);
}

#[test]
fn interpolation_test_poses_each_row_as_its_keyframes_say() {
    let mut l = model("InterpolationTest/glTF/InterpolationTest.gltf");
    let names: Vec<String> = l.scene.animations.iter().map(|a| a.name.clone().unwrap_or_default()).collect();
    assert_eq!(names.len(), 9, "{names:?}");
    let clip = |name: &str| names.iter().position(|n| n == name).unwrap_or_else(|| panic!("no {name}"));
    let node_y = |l: &Loaded, node: usize| l.scene.nodes[node].local.w_axis.y;
    // Translation rows (nodes 8, 9, 10): keys at y 6.67 → 10 → 6 → 10 → 6.
    let (step, linear, cubic) = (clip("Step Translation"), clip("Linear Translation"), clip("CubicSpline Translation"));
    l.scene.pose(step, 0.6);
    assert_eq!(node_y(&l, 8), 10.0, "STEP holds the key before");
    l.scene.pose(linear, (0.416_666_66 + 0.833_333_3) / 2.0);
    assert!((node_y(&l, 10) - 8.0).abs() < 1e-3, "LINEAR halfway from 10 to 6: {}", node_y(&l, 10));
    l.scene.pose(cubic, 0.416_666_66);
    assert!((node_y(&l, 9) - 10.0).abs() < 1e-4, "CUBICSPLINE passes its key");
    // Zero tangents halfway between keys 6.64 and 10: the mean.
    l.scene.pose(cubic, 0.416_666_66 / 2.0);
    assert!((node_y(&l, 9) - (6.640_117 + 10.0) / 2.0).abs() < 1e-3, "{}", node_y(&l, 9));
    // Rotation (node 7): LINEAR halfway between 0° and 45° about -z is 22.5°, by slerp.
    l.scene.pose(clip("Linear Rotation"), 0.416_666_66 / 2.0);
    let (_, r, _) = l.scene.nodes[7].local.to_scale_rotation_translation();
    assert!(r.angle_between(glam::Quat::from_rotation_z(-22.5f32.to_radians())) < 1e-3, "{r:?}");
    // Scale (node 0), STEP: 0.5 from its second key on; before the first key, the first value.
    l.scene.pose(clip("Step Scale"), 0.5);
    assert!((l.scene.nodes[0].local.x_axis.length() - 0.5).abs() < 1e-6);
    l.scene.pose(clip("Step Scale"), 0.0);
    assert!((l.scene.nodes[0].local.x_axis.length() - 1.0).abs() < 1e-6);
    // Back to rest: the file's own transforms.
    l.scene.rest_pose();
    assert_eq!(node_y(&l, 8), 6.665_226_5);
    assert!(l.scene.animations.iter().all(|a| (a.duration - 1.708_333_4).abs() < 1e-3 || (a.duration - 1.666_666_6).abs() < 1e-3), "durations");
}

/// DamagedHelmet: five 2048² JPEG textures, 14,556 vertices with 46,356 indices.
#[test]
fn memory_estimate_reads_image_headers_and_counts_geometry_as_held() {
    let bytes = std::fs::read(corpus().join("gltf/models/DamagedHelmet/glTF-Binary/DamagedHelmet.glb")).unwrap();
    let parsed = scenic::gltf::parse(&bytes).unwrap();
    let e = parsed.estimate(&Default::default(), 8192, false);
    assert_eq!((e.textures, e.unknown_images), (5 * (2048 * 2048 * 16 / 3), 0));
    // Positions, normals, tangents (normal-mapped) and one UV set on the GPU, positions and
    // indices in wasm; the indices 16-bit in both.
    assert_eq!(e.geometry, 14_556 * (12 * 4 + 12) + 46_356 * 4);
    // A 1024-texel limit: the downscaled copies.
    assert_eq!(parsed.estimate(&Default::default(), 1024, false).textures, 5 * (1024 * 1024 * 16 / 3));
}

/// AnisotropyBarnLamp's four 2048² KTX2 textures have no mips: where the GPU samples a block
/// format they stay 1 byte a texel (4 MiB each), else RGBA8 with mips made on the GPU.
#[test]
fn memory_estimate_counts_ktx2_as_the_blocks_it_stays() {
    let dir = corpus().join("gltf/models/AnisotropyBarnLamp/glTF-KTX2-Basisu");
    let parsed = scenic::gltf::parse(&std::fs::read(dir.join("AnisotropyBarnLamp.gltf")).unwrap()).unwrap();
    let mut fetched = scenic::gltf::Fetched::default();
    // The file's images, in its order.
    for (i, name) in ["normalbump", "occlusionroughnessmetal", "basecolor", "anisotropy"].iter().enumerate() {
        fetched.images.push((i, Box::new(std::fs::read(dir.join(format!("AnisotropyBarnLamp_{name}.ktx2"))).unwrap())));
    }
    let blocks = parsed.estimate(&fetched, 8192, true);
    assert_eq!((blocks.textures, blocks.unknown_images), (4 * 2048 * 2048, 0));
    assert_eq!(parsed.estimate(&fetched, 8192, false).textures, 4 * (2048 * 2048 * 16 / 3));
    // Too large for a 1024-texel GPU and no smaller level: RGBA8, scaled down.
    assert_eq!(parsed.estimate(&fetched, 1024, true).textures, 4 * (1024 * 1024 * 16 / 3));
}

#[test]
fn animated_models_load_their_clips() {
    for rel in ["BoxAnimated/glTF-Binary/BoxAnimated.glb", "AnimatedCube/glTF/AnimatedCube.gltf", "AnimatedMorphCube/glTF-Binary/AnimatedMorphCube.glb"] {
        let l = model(rel);
        assert_eq!(l.scene.animations.len(), 1, "{rel}");
        assert!(l.scene.animations[0].duration > 0.0 && !l.scene.animations[0].channels.is_empty(), "{rel}");
        assert!(l.report.warnings.is_empty(), "{rel}: {:?}", l.report.warnings);
    }
}

/// SimpleMorph: a triangle whose top vertex (0.5, 0.5) has targets (-1, 1) and (1, 1), mesh
/// weights 0.5 / 0.5, and keys (0,0) (0,1) (1,1) (1,0) (0,0) at 0..4 s.
#[test]
fn morph_weights_from_the_mesh_and_the_animation_move_the_vertices() {
    let mut l = model("SimpleMorph/glTF/SimpleMorph.gltf");
    let top = |l: &Loaded| l.scene.meshes[0].primitives[0].positions[2];
    assert_eq!(l.scene.deform(), vec![(0, 0)]);
    assert_eq!(top(&l), [0.5, 1.5, 0.0], "the mesh's default weights apply at rest");
    l.scene.pose(0, 1.5);
    l.scene.deform();
    // Weights (0.5, 1): 0.5 + 0.5·(-1) + 1, 0.5 + 0.5 + 1.
    assert_eq!(top(&l), [1.0, 2.0, 0.0]);
    assert_eq!(l.scene.meshes[0].primitives[0].bounds.max.y, 2.0, "bounds follow");
    l.scene.pose(0, 4.0);
    l.scene.deform();
    assert_eq!(top(&l), [0.5, 0.5, 0.0], "all weights 0: the base shape");
    l.scene.rest_pose();
    l.scene.deform();
    assert_eq!(top(&l), [0.5, 1.5, 0.0]);
}

/// SimpleSkin: a strip 2 high on two joints; the second, at y = 1, turns up to 90° about z.
#[test]
fn skinned_vertices_follow_their_joints() {
    let mut l = model("SimpleSkin/glTF/SimpleSkin.gltf");
    let bind = l.scene.meshes[0].primitives[0].positions.clone();
    l.scene.deform();
    let at_rest = l.scene.meshes[0].primitives[0].positions.clone();
    assert!(bind.iter().zip(&at_rest).all(|(a, b)| (glam::Vec3::from(*a) - glam::Vec3::from(*b)).length() < 1e-5), "rest is the bind pose");
    // The key where the joint is turned a quarter turn (z = 0.707).
    let s = &l.scene.animations[0].channels[0].sampler;
    let k = (0..s.times.len()).find(|&k| (s.values[4 * k + 2] - 0.707).abs() < 1e-3).expect("a 90° key");
    let t = s.times[k];
    l.scene.pose(0, t);
    l.scene.deform();
    let posed = &l.scene.meshes[0].primitives[0].positions;
    let tops: Vec<usize> = (0..bind.len()).filter(|&v| bind[v][1] == 2.0).collect();
    // No normals in the file: unwelded for flat ones, so each top vertex is a corner of one or more triangles.
    assert!(tops.len() >= 2, "{tops:?}");
    for v in tops {
        // (x, 2) a quarter turn round (0, 1): (-1, 1 + x).
        let want = glam::Vec3::new(-1.0, 1.0 + bind[v][0], 0.0);
        assert!((glam::Vec3::from(posed[v]) - want).length() < 2e-3, "vertex {v}: {:?} vs {want}", posed[v]);
    }
    // The bottom row stays on the unturned root.
    for v in (0..bind.len()).filter(|&v| bind[v][1] == 0.0) {
        assert!((glam::Vec3::from(posed[v]) - glam::Vec3::from(bind[v])).length() < 1e-5);
    }
}

/// Every skinned or morphed corpus model loads with its deformation (RecursiveSkeletons shows
/// one mesh under several skins), and posing it through its clip moves vertices, all finite.
#[test]
fn skinned_and_morphed_corpus_models_deform_when_played() {
    for rel in [
        "CesiumMan/glTF/CesiumMan.gltf",
        "RiggedSimple/glTF-Binary/RiggedSimple.glb",
        "RiggedFigure/glTF-Binary/RiggedFigure.glb",
        "RecursiveSkeletons/glTF-Binary/RecursiveSkeletons.glb",
        "AnimatedMorphCube/glTF-Binary/AnimatedMorphCube.glb",
        "MorphStressTest/glTF/MorphStressTest.gltf",
        "CesiumMan/glTF-Draco/CesiumMan.gltf",
    ] {
        let mut l = model(rel);
        assert!(!l.scene.deformed_meshes().is_empty(), "{rel}: nothing deforms");
        assert!(!l.report.warnings.iter().any(|w| w.contains("morph") || w.contains("skin")), "{rel}: {:?}", l.report.warnings);
        l.scene.deform();
        let before: Vec<[f32; 3]> = l.scene.meshes.iter().flat_map(|m| &m.primitives).flat_map(|p| p.positions.clone()).collect();
        let d = l.scene.animations[0].duration;
        let mut moved = 0;
        // A few times through the clip (some clips rest part of the time).
        for f in [0.13, 0.37, 0.61, 0.89] {
            l.scene.pose(0, d * f);
            assert!(!l.scene.deform().is_empty(), "{rel}");
            let after: Vec<[f32; 3]> = l.scene.meshes.iter().flat_map(|m| &m.primitives).flat_map(|p| p.positions.clone()).collect();
            assert!(after.iter().flatten().all(|x| x.is_finite()), "{rel}: not finite");
            moved += before.iter().zip(&after).filter(|(a, b)| (glam::Vec3::from(**a) - glam::Vec3::from(**b)).length() > 1e-4).count();
        }
        assert!(moved > 0, "{rel}: no vertex moved");
    }
}

#[test]
fn draco_variants_draw_what_their_originals_draw() {
    for name in ["Avocado", "Box", "CesiumMan", "Duck", "MorphPrimitivesTest", "RiggedFigure", "RiggedSimple"] {
        let v = model(&format!("{name}/glTF-Draco/{name}.gltf"));
        let o = model(&format!("{name}/glTF/{name}.gltf"));
        let tris = |l: &Loaded| l.scene.meshes.iter().flat_map(|m| &m.primitives).map(|p| p.indices.as_ref().map_or(p.positions.len(), scenic::scene::Indices::len) / 3).sum::<usize>();
        assert_eq!(tris(&v), tris(&o), "{name}: triangles");
        let (bv, bo) = (v.scene.bounds(v.scene.default_scene), o.scene.bounds(o.scene.default_scene));
        let extent = (bo.max - bo.min).max_element();
        let off = (bv.min - bo.min).abs().max((bv.max - bo.max).abs()).max_element();
        assert!(off <= extent * 2e-3, "{name}: bounds {bv:?} vs {bo:?}");
        // Texture coordinates and normals come through too.
        let (pv, po) = (&v.scene.meshes[0].primitives[0], &o.scene.meshes[0].primitives[0]);
        assert_eq!(pv.uv0.is_some(), po.uv0.is_some(), "{name}: UVs");
        assert!(pv.normals.iter().all(|n| (glam::Vec3::from_array(*n).length() - 1.0).abs() < 0.02), "{name}: unit normals");
    }
}

#[test]
fn broken_draco_streams_fail_naming_the_primitive() {
    let src = corpus().join("gltf/models/Duck/glTF-Draco");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(src.join("Duck.gltf")).unwrap()).unwrap();
    let view = &json["bufferViews"][json["meshes"][0]["primitives"][0]["extensions"]["KHR_draco_mesh_compression"]["bufferView"].as_u64().unwrap() as usize];
    let (at, len) = (view["byteOffset"].as_u64().unwrap_or(0) as usize, view["byteLength"].as_u64().unwrap() as usize);
    let bin = std::fs::read(src.join("Duck.bin")).unwrap();
    let dir = std::env::temp_dir().join(format!("scenic-draco-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("Duck.gltf"), serde_json::to_vec(&json).unwrap()).unwrap();
    std::fs::copy(src.join("DuckCM.png"), dir.join("DuckCM.png")).unwrap();
    // Every cut of the stream, and bytes garbled at several places: an error, never a panic or hang.
    let mut cases: Vec<Vec<u8>> = [8, len / 3, len / 2, len - 4].iter().map(|&cut| { let mut b = bin.clone(); b[at + cut..at + len].fill(0); b }).collect();
    for place in [0, 5, 12, len / 4, len / 2] {
        let mut b = bin.clone();
        b[at + place] ^= 0xa5;
        b[at + place + 1] ^= 0x5a;
        cases.push(b);
    }
    let mut refused = 0;
    for b in cases {
        std::fs::write(dir.join("Duck.bin"), &b).unwrap();
        // Garbage the decoder cannot tell from data (a changed value) may load.
        if let Err(e) = load_guarded(&dir.join("Duck.gltf")).unwrap_or_else(|e| panic!("{e}")) {
            assert!(e.to_string().contains("/meshes/0/primitives/0") && e.to_string().contains("Draco"), "{e}");
            refused += 1;
        }
    }
    assert!(refused >= 4, "{refused} broken streams refused");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn texture_webp_is_preferred_and_a_bad_source_is_named() {
    let root = corpus().join("invalid/glTF-Validator/test/ext/EXT_texture_webp/data/texture");
    let l = load_path(&root.join("valid.gltf")).unwrap();
    let t = l.scene.textures[0].as_ref().expect("a usable texture");
    assert_eq!((t.image, l.scene.images[1].mime.as_str()), (1, "image/webp"));
    let e = load_path(&root.join("unresolved_source.gltf")).err().unwrap().to_string();
    assert!(e.contains("/textures/0/extensions/EXT_texture_webp/source"), "{e}");
}

#[test]
fn gpu_instancing_draws_every_instance_with_its_transform() {
    let l = model("SimpleInstancing/glTF-Binary/SimpleInstancing.glb");
    let (instances, _) = l.scene.flatten(0);
    assert_eq!(instances.len(), 125);
    // The file's instances: a 5×5×5 grid of translations, each with its own rotation and scale.
    let origins: Vec<glam::Vec3> = instances.iter().map(|i| i.world.w_axis.truncate()).collect();
    let distinct = |f: fn(&glam::Vec3) -> f32| {
        let mut v: Vec<i32> = origins.iter().map(|o| (f(o) * 100.0).round() as i32).collect();
        v.sort();
        v.dedup();
        v.len()
    };
    assert_eq!((distinct(|o| o.x), distinct(|o| o.y), distinct(|o| o.z)), (5, 5, 5), "{origins:?}");
    let scales: Vec<f32> = instances.iter().map(|i| i.world.x_axis.truncate().length()).collect();
    assert!(scales.iter().any(|&s| (s - scales[0]).abs() > 1e-3), "instances keep their own scale");
    // The scene's bounds cover every instance, not one cube.
    let b = l.scene.bounds(0);
    assert!((b.max - b.min).min_element() > 4.0 * (instances[0].world.x_axis.truncate().length()), "{b:?}");
}

#[test]
fn texture_transform_and_unlit_extensions_apply() {
    let t = model("TextureTransformTest/glTF/TextureTransformTest.gltf");
    assert!(t.scene.materials.iter().any(|m| m.base_color_texture.is_some_and(|r| r.transform != glam::Mat3::IDENTITY)));
    let u = model("UnlitTest/glTF/UnlitTest.gltf");
    assert!(u.scene.materials.iter().all(|m| m.unlit));
}

#[test]
fn ktx2_images_are_handed_on_and_transcode() {
    let l = model("AnisotropyBarnLamp/glTF-KTX2-Basisu/AnisotropyBarnLamp.gltf");
    assert!(!l.report.warnings.iter().any(|w| w.contains("KTX2") || w.contains("basisu")), "{:?}", l.report.warnings);
    assert_eq!(l.scene.images.len(), 4);
    for (i, image) in l.scene.images.iter().enumerate() {
        assert_eq!(image.mime, "image/ktx2", "/images/{i}");
        let rgba = scenic_basis::transcode(&image.bytes, &[]).unwrap_or_else(|e| panic!("/images/{i}: {e}"));
        assert_eq!(rgba.format, scenic_basis::RGBA8);
        assert_eq!(rgba.levels.len(), 1);
        assert_eq!(rgba.levels[0].len(), rgba.width as usize * rgba.height as usize * 4);
    }
    // The base colour texture is one of them, so the lamp is drawn with it.
    assert!(l.scene.materials.iter().any(|m| m.base_color_texture.is_some()));
}

struct Case {
    path: String,
    errors: usize,
}

fn invalid_cases() -> Vec<Case> {
    let root = corpus().join("invalid");
    let index = std::fs::read_to_string(root.join("INDEX.tsv")).unwrap();
    let mut cases: Vec<Case> = index
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Case { path: format!("glTF-Validator/{}", f[0]), errors: f[1].parse().unwrap() }
        })
        .collect();
    for name in ["glTF1GlbWith5BytesBin.glb", "glTF1GlbWithoutBin.glb"] {
        cases.push(Case { path: format!("cesium-3d-tiles-tools/{name}"), errors: 1 });
    }
    cases
}

#[test]
fn validator_cases_load_or_fail_cleanly() {
    let root = corpus().join("invalid");
    let strict = ["glb", "json", "root", "asset", "buffer", "buffer_view", "accessor"];
    let mut failures = Vec::new();
    let cases = invalid_cases();
    assert!(cases.len() >= 300, "{} cases", cases.len());
    for case in &cases {
        let folder = case.path.split('/').nth(3).unwrap_or("");
        let outcome = match load_guarded(&root.join(&case.path)) {
            Err(e) => {
                failures.push(format!("{}: {e}", case.path));
                continue;
            }
            Ok(r) => r,
        };
        match (&outcome, case.errors) {
            (Err(e), _) if e.to_string().trim().is_empty() => failures.push(format!("{}: empty message", case.path)),
            (Err(e), 0) => failures.push(format!("{}: valid but refused: {e}", case.path)),
            (Ok(_), n) if n > 0 && (strict.contains(&folder) || case.path.starts_with("cesium")) => {
                failures.push(format!("{}: has {n} errors but loaded", case.path))
            }
            _ => {}
        }
    }
    assert!(failures.is_empty(), "{} problems:\n{}", failures.len(), failures.join("\n"));
}
