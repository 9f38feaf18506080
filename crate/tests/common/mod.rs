//! What the lakeside tests share: the demo scene, loaded from assets/.

// Each test file uses some of these.
#![allow(dead_code)]

use scenic::geometry::Aabb;
use scenic::scene::Scene;

/// The lakeside's scene, the glTF scene shown and its bounds.
pub fn lakeside() -> (Scene, usize, Aabb) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let loaded = scenic::gltf::load_path(&root.join("assets/lakeside.glb")).unwrap();
    let index = loaded.scene.default_scene;
    let bounds = loaded.scene.bounds(index);
    (loaded.scene, index, bounds)
}

/// A file of the project's assets/.
pub fn asset(name: &str) -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets").join(name)).unwrap()
}
