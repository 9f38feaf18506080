//! meshopt-compressed variants of corpus models (EXT_ and KHR_meshopt_compression, every mode and
//! filter; made by `cargo xtask content` with gltfpack into target/test-content, never committed)
//! load natively with the same geometry as their originals, and broken streams fail with a
//! message naming the mesh.

#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};

use scenic::gltf::{Loaded, load_path};

fn corpus() -> PathBuf {
    std::env::var_os("SCENIC_CORPUS").map(PathBuf::from).unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"))
}

fn variant(name: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/test-content/meshopt").join(name);
    assert!(path.exists(), "{} is missing: `cargo xtask content` (or `cargo xtask test`) makes it", path.display());
    path
}

fn load(path: &Path) -> Loaded {
    load_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The variant draws what the original draws: as many triangles, the same world bounds to within
/// gltfpack's quantisation (14-bit positions: 1/16384 of the extent, with margin).
fn same_geometry(name: &str, original: &str) -> Loaded {
    let v = load(&variant(name));
    let o = load(&corpus().join("gltf/models").join(original));
    assert!(!v.report.warnings.iter().any(|w| w.contains("meshopt")), "{name}: {:?}", v.report.warnings);
    // Counted per instance: gltfpack shares identical meshes between nodes.
    let drawn = |l: &Loaded| l.scene.flatten(l.scene.default_scene).0.iter().map(|i| l.scene.meshes[i.mesh].primitives.iter().map(|p| p.indices.as_ref().map_or(p.positions.len(), scenic::scene::Indices::len) / 3).sum::<usize>()).sum::<usize>();
    assert_eq!(drawn(&v), drawn(&o), "{name}: triangles drawn");
    let (bv, bo) = (v.scene.bounds(v.scene.default_scene), o.scene.bounds(o.scene.default_scene));
    let extent = (bo.max - bo.min).max_element();
    let off = (bv.min - bo.min).abs().max((bv.max - bo.max).abs()).max_element();
    assert!(off <= extent * 1e-3, "{name}: bounds {bv:?} vs {bo:?}");
    v
}

#[test]
fn ext_and_khr_variants_match_their_originals() {
    same_geometry("duck-ext.glb", "Duck/glTF-Binary/Duck.glb");
    // KHR with OCTAHEDRAL normals and codec version 1.
    let khr = same_geometry("duck-khr.glb", "Duck/glTF-Binary/Duck.glb");
    let n = &khr.scene.meshes[0].primitives[0].normals;
    assert!(n.iter().all(|n| ((n[0] * n[0] + n[1] * n[1] + n[2] * n[2]).sqrt() - 1.0).abs() < 0.02), "octahedral normals are unit length");
    // A fallback buffer with data beside the compressed stream; a .gltf with an external .bin.
    same_geometry("duck-fallback.glb", "Duck/glTF-Binary/Duck.glb");
    same_geometry("duck-external.gltf", "Duck/glTF-Binary/Duck.glb");
    // EXPONENTIAL (float positions) and OCTAHEDRAL filters.
    same_geometry("helmet-exp.glb", "DamagedHelmet/glTF-Binary/DamagedHelmet.glb");
    // Animation rotations with the QUATERNION filter decode too (the rest pose is drawn).
    same_geometry("interpolation.glb", "InterpolationTest/glTF/InterpolationTest.gltf");
}

#[test]
fn khr_color_filter_keeps_the_vertex_colours() {
    let v = same_geometry("boxcolors-khr.glb", "BoxVertexColors/glTF-Binary/BoxVertexColors.glb");
    let o = load(&corpus().join("gltf/models/BoxVertexColors/glTF-Binary/BoxVertexColors.glb"));
    let colours = |l: &Loaded| {
        let mut c: Vec<[i32; 3]> = l.scene.meshes.iter().flat_map(|m| &m.primitives).flat_map(|p| p.colors.clone().unwrap_or_default()).map(|c| [0, 1, 2].map(|i| (c[i] * 20.0).round() as i32)).collect();
        c.sort();
        c.dedup();
        c
    };
    assert!(!colours(&o).is_empty());
    assert_eq!(colours(&v), colours(&o), "the same set of colours (to 1/20)");
}

#[test]
fn indices_mode_decodes_lines_and_strips() {
    // gltfpack drops the indexed points primitive (it says so) and merges the line primitives.
    let v = load(&variant("modes.glb"));
    let prims: Vec<_> = v.scene.meshes.iter().flat_map(|m| &m.primitives).collect();
    assert!(prims.iter().any(|p| p.topology == scenic::scene::Topology::Lines) && prims.iter().any(|p| p.topology == scenic::scene::Topology::Triangles), "{} primitives", prims.len());
    assert!(prims.iter().all(|p| p.indices.as_ref().is_none_or(|i| i.iter().all(|i| (i as usize) < p.positions.len()))));
    // The INDICES stream is the lines' index buffer.
    assert!(prims.iter().any(|p| p.topology == scenic::scene::Topology::Lines && p.indices.as_ref().is_some_and(|i| i.len() >= 2)));
}

/// The GLB's JSON and BIN chunk, to rewrite.
fn chunks(glb: &[u8]) -> (serde_json::Value, Vec<u8>) {
    let json_len = u32::from_le_bytes(glb[12..16].try_into().unwrap()) as usize;
    let json = serde_json::from_slice(&glb[20..20 + json_len]).unwrap();
    let bin_at = 20 + json_len;
    let bin_len = u32::from_le_bytes(glb[bin_at..bin_at + 4].try_into().unwrap()) as usize;
    (json, glb[bin_at + 8..bin_at + 8 + bin_len].to_vec())
}

fn glb(json: &serde_json::Value, bin: &[u8]) -> Vec<u8> {
    let mut j = serde_json::to_vec(json).unwrap();
    j.resize(j.len().next_multiple_of(4), b' ');
    let mut out = b"glTF".to_vec();
    out.extend(2u32.to_le_bytes());
    out.extend(((28 + j.len() + bin.len()) as u32).to_le_bytes());
    out.extend((j.len() as u32).to_le_bytes());
    out.extend(b"JSON");
    out.extend(j);
    out.extend((bin.len() as u32).to_le_bytes());
    out.extend(b"BIN\0");
    out.extend(bin);
    out
}

fn load_bytes(bytes: &[u8]) -> Result<Loaded, String> {
    let dir = std::env::temp_dir().join(format!("scenic-meshopt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}.glb", bytes.len()));
    std::fs::write(&path, bytes).unwrap();
    let r = load_path(&path).map_err(|e| e.to_string());
    let _ = std::fs::remove_file(&path);
    r
}

#[test]
fn broken_streams_fail_naming_the_mesh() {
    let file = std::fs::read(variant("duck-ext.glb")).unwrap();
    let (json, bin) = chunks(&file);
    let ext = |j: &mut serde_json::Value, v: usize| -> serde_json::Value { j["bufferViews"][v]["extensions"]["EXT_meshopt_compression"].take() };
    let first = (0..json["bufferViews"].as_array().unwrap().len()).find(|&v| json["bufferViews"][v]["extensions"]["EXT_meshopt_compression"]["mode"] == "ATTRIBUTES").unwrap();
    // Corrupt bytes inside the stream.
    let e = json["bufferViews"][first]["extensions"]["EXT_meshopt_compression"].clone();
    let (at, len) = (e["byteOffset"].as_u64().unwrap_or(0) as usize, e["byteLength"].as_u64().unwrap() as usize);
    let mut garbled = bin.clone();
    garbled[at] = 0x7f; // not a vertex stream header
    let err = load_bytes(&glb(&json, &garbled)).err().unwrap();
    assert!(err.contains("mesh 0") && err.contains("meshopt"), "{err}");
    // A stream cut short: byteLength smaller than the data needs.
    let mut short = json.clone();
    let mut e2 = ext(&mut short, first);
    e2["byteLength"] = (len / 2).into();
    short["bufferViews"][first]["extensions"]["EXT_meshopt_compression"] = e2;
    let err = load_bytes(&glb(&short, &bin)).err().unwrap();
    assert!(err.contains("truncated or corrupt"), "{err}");
    // A count that lies (the view and the fallback buffer claim 2 GB): refused before decoding.
    let mut huge = json.clone();
    let mut e3 = ext(&mut huge, first);
    let stride = e3["byteStride"].as_u64().unwrap();
    let count = (1u64 << 31) / stride;
    e3["count"] = count.into();
    huge["bufferViews"][first]["extensions"]["EXT_meshopt_compression"] = e3;
    huge["bufferViews"][first]["byteLength"] = (count * stride).into();
    huge["bufferViews"][first]["byteOffset"] = 0.into();
    let fallback = huge["bufferViews"][first]["buffer"].as_u64().unwrap() as usize;
    huge["buffers"][fallback]["byteLength"] = (count * stride).into();
    let err = load_bytes(&glb(&huge, &bin)).err().unwrap();
    assert!(err.contains("more than Scenic decodes"), "{err}");
    // A count that does not match the view's byteLength.
    let mut odd = json.clone();
    let mut e4 = ext(&mut odd, first);
    e4["count"] = (e4["count"].as_u64().unwrap() + 1).into();
    odd["bufferViews"][first]["extensions"]["EXT_meshopt_compression"] = e4;
    assert!(load_bytes(&glb(&odd, &bin)).err().unwrap().contains("do not make the view"));
}
