//! Hostile sizes (issue 18): numbers in a file that would size an allocation, hierarchies built
//! to be slow. Each must be a clear error or a capped result, quickly, never an allocation sized
//! by the file's word.

#![cfg(not(target_arch = "wasm32"))]

use std::time::{Duration, Instant};

use scenic::gltf::{Fetched, build, parse};

const TRIANGLE: &str = r#"{"asset":{"version":"2.0"},"scene":0,"scenes":[{"nodes":[0]}],
    "nodes":[{"mesh":0}],
    "meshes":[{"primitives":[{"attributes":{"POSITION":0}}]}],
    "buffers":[{"byteLength":36,"uri":"data:application/octet-stream;base64,AAAAAAAAAAAAAAAAAACAPwAAAAAAAAAAAAAAAAAAgD8AAAAA"}],
    "bufferViews":[{"buffer":0,"byteLength":36}],
    "accessors":[ACCESSOR]}"#;

fn load(json: &str) -> Result<scenic::gltf::Loaded, String> {
    parse(json.as_bytes()).and_then(|p| build(p, Fetched::default())).map_err(|e| e.to_string())
}

/// Runs `f` and fails if it takes longer than `limit` (generous: a debug build on a loaded
/// 2-core machine; what matters is seconds, not minutes).
fn quickly<T>(limit: Duration, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    assert!(t.elapsed() < limit, "took {:?}", t.elapsed());
    out
}

#[test]
fn accessors_declaring_two_billion_elements_are_refused_at_once() {
    let cases = [
        // In a buffer view of 36 bytes.
        (r#"{"bufferView":0,"componentType":5126,"count":2147483648,"type":"VEC3"}"#, "do not fit"),
        // Without a buffer view: zeros, which would cost nothing in the file.
        (r#"{"componentType":5126,"count":2147483648,"type":"VEC3"}"#, "/accessors/0"),
        // Sparse, with a count larger than the accessor's.
        (r#"{"bufferView":0,"componentType":5126,"count":3,"type":"VEC3","sparse":{"count":2147483648,"indices":{"bufferView":0,"componentType":5125},"values":{"bufferView":0}}}"#, "/accessors/0/sparse"),
    ];
    for (accessor, says) in cases {
        let e = quickly(Duration::from_secs(2), || load(&TRIANGLE.replace("ACCESSOR", accessor))).err().unwrap_or_default();
        assert!(e.contains(says), "{accessor}: {e}");
    }
}

#[test]
fn a_million_nodes_load_in_seconds() {
    // One root with a million children, every tenth drawing the triangle.
    let n = 1_000_000;
    let mut nodes = String::with_capacity(n * 24);
    nodes.push_str(&format!(r#"{{"children":[{}]}}"#, (1..=n).map(|i| i.to_string()).collect::<Vec<_>>().join(",")));
    for i in 1..=n {
        nodes.push_str(if i % 10 == 0 { r#",{"mesh":0,"translation":[1,0,0]}"# } else { ",{}" });
    }
    let json = TRIANGLE.replace(r#""nodes":[{"mesh":0}]"#, &format!(r#""nodes":[{nodes}]"#)).replace("ACCESSOR", r#"{"bufferView":0,"componentType":5126,"count":3,"type":"VEC3","min":[0,0,0],"max":[1,1,0]}"#);
    let l = quickly(Duration::from_secs(30), || load(&json)).unwrap();
    assert_eq!(l.scene.flatten(0).0.len(), n / 10);
}
